/**
 * Signed requests for tests: an AUTH=required environment (admin token and
 * master secret given, SECRETS_DIR in a temp dir), accounts and keys made
 * through the admin API, and the three headers computed with the service's
 * own signing function (src/auth/signature.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { sign, signingPayload } from '../../src/auth/signature.js'
import type { Permission } from '../../schemas/identity.js'

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789'
export const TEST_MASTER_SECRET = 'test-master-secret-0123456789abcdef0123456789'
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }

/** Env for an AUTH=required app or server: fixed admin token and master secret, SECRETS_DIR in a fresh temp dir. */
export function authEnv (t: Test, extra: Record<string, string> = {}): Record<string, string> {
  const secretsDir = mkdtempSync(join(tmpdir(), 'me-secrets-'))
  t.teardown(() => rmSync(secretsDir, { recursive: true, force: true }))
  return { AUTH: 'required', ADMIN_TOKEN: TEST_ADMIN_TOKEN, AUTH_MASTER_SECRET: TEST_MASTER_SECRET, SECRETS_DIR: secretsDir, ...extra }
}

export interface TestKey {
  readonly accountId: string
  readonly keyId: string
  readonly secret: string
}

/** The account (created unless it exists) and a new key for it, through the admin API. */
export async function createKey (app: FastifyInstance, accountId: string, permissions: Permission[] = ['read', 'trade']): Promise<TestKey> {
  const account = await app.inject({ method: 'POST', url: '/admin/accounts', headers: ADMIN_HEADERS, payload: { account_id: accountId } })
  if (account.statusCode !== 201 && account.json().error_code !== 'ACCOUNT_EXISTS') throw new Error(`create account: ${account.body}`)
  const key = await app.inject({ method: 'POST', url: `/admin/accounts/${accountId}/keys`, headers: ADMIN_HEADERS, payload: { permissions } })
  if (key.statusCode !== 201) throw new Error(`create key: ${key.body}`)
  const { key_id: keyId, secret } = key.json()
  return { accountId, keyId, secret }
}

/** X-API-KEY, X-TIMESTAMP, X-SIGNATURE for one request; `body` is the exact text sent. */
export function signedHeaders (key: Pick<TestKey, 'keyId' | 'secret'>, method: string, pathWithQuery: string, body = '', timestamp = Date.now()): Record<string, string> {
  const ts = String(timestamp)
  return { 'x-api-key': key.keyId, 'x-timestamp': ts, 'x-signature': sign(key.secret, signingPayload(ts, method, pathWithQuery, body)) }
}

/** A signed app.inject: a JSON body is serialised once, and that text is what is signed and sent. */
export async function signedInject (app: FastifyInstance, key: Pick<TestKey, 'keyId' | 'secret'>, request: { method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, timestamp?: number }) {
  const text = request.body === undefined ? '' : JSON.stringify(request.body)
  const headers: Record<string, string> = signedHeaders(key, request.method, request.url, text, request.timestamp)
  if (request.body !== undefined) headers['content-type'] = 'application/json'
  return await app.inject({ method: request.method, url: request.url, headers, ...(request.body === undefined ? {} : { payload: text }) })
}
