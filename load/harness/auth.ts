/**
 * Signed order entry for the harness (a service with AUTH=required): the server's settings and secrets in
 * a scratch directory, load-test accounts and keys made through the admin API, and a Signer that gives
 * each request its X-API-KEY / X-TIMESTAMP / X-SIGNATURE with src/auth/signature.ts, the service's own
 * signing function (compiled with the harness into dist/, like the engine the bench imports).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { sign, signingPayload } from '../../src/auth/signature.js'

export { AUTH_MODES, type AuthMode } from '../../schemas/ws.js'

export interface ApiKey {
  readonly accountId: string
  readonly keyId: string
  readonly secret: string
}

/** Signs each request with one of its keys: a key per closed-loop connection, or round-robin per request. */
export class Signer {
  readonly keys: readonly ApiKey[]

  constructor (keys: readonly ApiKey[]) {
    if (keys.length === 0) throw new Error('a Signer needs at least one key')
    this.keys = keys
  }

  /** The three headers for one request; a fresh timestamp each time (a repeated signature is refused). */
  headers (slot: number, method: string, pathWithQuery: string, body: string): Record<string, string> {
    const key = this.keys[slot % this.keys.length]
    const timestamp = String(Date.now())
    return { 'x-api-key': key.keyId, 'x-timestamp': timestamp, 'x-signature': sign(key.secret, signingPayload(timestamp, method, pathWithQuery, body)) }
  }
}

/** Keys nobody verifies: the bare Fastify baseline gets the same headers (bytes and signing work) as the service. */
export function unverifiedSigner (count: number): Signer {
  return new Signer(Array.from({ length: count }, (_, i) => ({ accountId: `bare-${i}`, keyId: randomBytes(16).toString('hex'), secret: randomBytes(32).toString('hex') })))
}

/**
 * Limits that would otherwise throttle a benchmark: orders per second per key and open orders per account
 * (the flow rests most of its limit orders) set far above what one machine sends.
 */
export const AUTH_BENCH_LIMITS: Readonly<Record<string, string>> = {
  AUTH_KEY_ORDERS_PER_SECOND: '1000000', // the most the service accepts

  MAX_OPEN_ORDERS_PER_ACCOUNT: '100000000'
}

export interface AuthSetup {
  /** Server settings: AUTH, the secrets as files in dir (only their paths in the env, never their text), limits. */
  readonly env: Record<string, string>
  readonly adminToken: string
  /** Removes the scratch directory. */
  readonly cleanup: () => void
}

/** A scratch SECRETS_DIR with an admin token and a master secret (0600), for a server the harness starts. */
export function authSetup (): AuthSetup {
  const dir = mkdtempSync(join(tmpdir(), 'harness-secrets-'))
  const adminToken = randomBytes(32).toString('hex')
  writeFileSync(join(dir, 'admin-token'), adminToken, { mode: 0o600 })
  writeFileSync(join(dir, 'master.key'), randomBytes(32).toString('hex'), { mode: 0o600 })
  return {
    env: {
      AUTH: 'required',
      SECRETS_DIR: dir,
      ADMIN_TOKEN_FILE: join(dir, 'admin-token'),
      AUTH_MASTER_SECRET_FILE: join(dir, 'master.key'),
      // Empty = unset: an ADMIN_TOKEN or AUTH_MASTER_SECRET in the harness's own environment (which the
      // server inherits) would otherwise clash with the *_FILE settings.
      ADMIN_TOKEN: '',
      AUTH_MASTER_SECRET: '',
      ...AUTH_BENCH_LIMITS
    },
    adminToken,
    cleanup: () => { rmSync(dir, { recursive: true, force: true }) }
  }
}

/** The admin token of a server the harness did not start (--url): ADMIN_TOKEN or ADMIN_TOKEN_FILE. */
export function adminTokenFromEnv (env: NodeJS.ProcessEnv = process.env): string {
  if (env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== '') return env.ADMIN_TOKEN
  if (env.ADMIN_TOKEN_FILE !== undefined && env.ADMIN_TOKEN_FILE !== '') return readFileSync(env.ADMIN_TOKEN_FILE, 'utf8').trim()
  throw new Error('--url with --auth required: set ADMIN_TOKEN (or ADMIN_TOKEN_FILE) to that server\'s admin token so the harness can create its keys, or use --auth off against a server started with AUTH=off')
}

async function admin (url: string, token: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await request(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: 10_000,
    bodyTimeout: 10_000
  })
  const text = await res.body.text()
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`POST ${path} answered ${res.statusCode}: ${text.slice(0, 200)}`)
  return JSON.parse(text) as Record<string, unknown>
}

/**
 * `count` accounts `<prefix>-1` … with one read+trade key each (one trader per connection), made through
 * the admin API. The secrets stay in this process: they are never logged or written to the results.
 */
export async function provisionKeys (url: string, adminToken: string, count: number, prefix: string): Promise<ApiKey[]> {
  const keys: ApiKey[] = []
  for (let i = 1; i <= count; i++) {
    const accountId = `${prefix}-${i}`
    await admin(url, adminToken, '/admin/accounts', { account_id: accountId })
    const created = await admin(url, adminToken, `/admin/accounts/${accountId}/keys`, { permissions: ['read', 'trade'] })
    if (typeof created.key_id !== 'string' || typeof created.secret !== 'string') throw new Error(`key creation for ${accountId} answered no key_id/secret`)
    keys.push({ accountId, keyId: created.key_id, secret: created.secret })
  }
  return keys
}
