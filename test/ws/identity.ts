/**
 * Identity helpers for the /ws tests: a real server with AUTH=required on
 * 127.0.0.1:0, accounts and keys made through the exchange (so no admin
 * route is needed), and sign-in frames over a connection's nonce.
 */
import type { Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { sign, wsSignInPayload } from '../../src/auth/signature.js'
import type { Caller, NewOrderAnswer } from '../../src/exchange/exchange.js'
import type { NewOrderBody } from '../../schemas/order.js'
import type { Permission } from '../../schemas/identity.js'
import { connect, type TestClient, type WsMessage } from './ws-client.js'

export const MASTER_SECRET = 'ws-identity-test-master-secret-0123456789'

/** A key's secret as the contract derives it from the master secret: hex(HMAC-SHA256(master, "api-key-secret:" + keyId)). */
export function deriveSecret (keyId: string): string {
  return sign(MASTER_SECRET, 'api-key-secret:' + keyId)
}

export interface Key { readonly keyId: string, readonly secret: string, readonly accountId: string }

export type IdentityServer = Awaited<ReturnType<typeof identityServer>>

/** A listening server with its own data and secrets directories; AUTH=required unless env says off. */
export async function identityServer (t: Test, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-ws-id-data-'))
  const secretsDir = mkdtempSync(join(tmpdir(), 'me-ws-id-secrets-'))
  const loaded = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    SECRETS_DIR: secretsDir,
    PORT: '0',
    RATE_LIMIT_ENABLED: 'false',
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    WS_BATCH_MS: '5',
    AUTH: 'required',
    AUTH_MASTER_SECRET: MASTER_SECRET,
    ADMIN_TOKEN: 'ws-identity-test-admin-token-0123456789',
    ...env
  })
  // What config.auth holds once the auth layer reads AUTH (its own fields win when it has them).
  const auth = (loaded as { auth?: object }).auth
  const config = { ...loaded, auth: { masterSecret: MASTER_SECRET, recvWindowMs: 5000, ...auth, mode: env.AUTH === 'off' ? 'off' : 'required' } } as Config
  const app = await buildApp(config, { logger: false })
  t.teardown(async () => {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(secretsDir, { recursive: true, force: true })
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { app, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/ws` }
}

/** A new key of the account (created if missing). */
export async function newKey (s: IdentityServer, accountId: string, permissions: Permission[] = ['read', 'trade']): Promise<Key> {
  if (!(await s.app.exchange.account(accountId)).ok) {
    const created = await s.app.exchange.createAccount(accountId)
    if (!created.ok) throw new Error(`createAccount ${accountId}: ${created.code} ${created.message}`)
  }
  const keyId = randomBytes(16).toString('hex')
  const secret = deriveSecret(keyId)
  const made = await s.app.exchange.createApiKey(accountId, keyId, permissions, sign(secret, 'fingerprint').slice(0, 16))
  if (!made.ok) throw new Error(`createApiKey ${accountId}: ${made.code} ${made.message}`)
  return { keyId, secret, accountId }
}

export function signInFrame (key: Pick<Key, 'keyId' | 'secret'>, nonce: string, timestamp: number | string = Date.now()): Record<string, unknown> {
  return { type: 'auth', api_key: key.keyId, timestamp, signature: sign(key.secret, wsSignInPayload(String(timestamp), nonce)) }
}

/** A connection closed with the test, greeted, and its nonce. */
export async function open (t: Test, wsUrl: string): Promise<{ client: TestClient, nonce: string, connected: WsMessage }> {
  const { client, connected } = await connect(wsUrl)
  t.teardown(() => client.close())
  return { client, nonce: String(connected.nonce), connected }
}

/** A connection signed in with key. */
export async function signedIn (t: Test, wsUrl: string, key: Key): Promise<TestClient> {
  const { client, nonce } = await open(t, wsUrl)
  const answer = await client.request(signInFrame(key, nonce))
  if (answer.type !== 'authenticated') throw new Error(`sign-in answered ${JSON.stringify(answer)}`)
  return client
}

/** Places an order as the account, through the exchange (REST signing is the auth layer's to test). */
export async function placeAs (s: IdentityServer, accountId: string, order: Partial<NewOrderBody> & Pick<NewOrderBody, 'side' | 'quantity'>) {
  const caller: Caller = { accountId }
  const placed = await s.app.exchange.placeOrder(caller, { symbol: 'BTC-USDT', order_type: 'limit', ...order })
  if (!placed.ok) throw new Error(`placeOrder as ${accountId}: ${placed.code} ${placed.message}`)
  // No response_type: the full answer.
  return placed.value as NewOrderAnswer
}
