/**
 * Sign-in and private-channel gating on a Session over a fake socket: what
 * the session hands the verifier, how it relays each verdict, when it closes,
 * and the verifier itself (the replay cache a real connection cannot reach,
 * since no two connections share a nonce).
 */
import t from 'tap'
import type { WebSocket } from 'ws'
import { Session, type SignIn, type SignInInput } from '../../plugins/ws-session.js'
import { signInWith } from '../../plugins/websocket.js'
import { createVerifier } from '../../src/auth/verifier.js'
import { L3Feed } from '../../src/gateway/l3-feed.js'
import { StatsFeed } from '../../src/gateway/stats-feed.js'
import { MarketStats } from '../../src/market/market-stats.js'
import { MarketDataHub } from '../../src/gateway/market-data-hub.js'
import { SendBudget } from '../../src/gateway/send-budget.js'
import { loadConfig } from '../../src/config.js'
import { sign, wsSignInPayload } from '../../src/auth/signature.js'
import type { ApiKeyRecord, Exchange } from '../../src/exchange/exchange.js'
import type { AuthMode } from '../../schemas/ws.js'
import { unitEngine } from '../helpers/engine.js'

class FakeSocket {
  readonly OPEN = 1
  readyState = 1
  bufferedAmount = 0
  readonly sent: Array<Record<string, any>> = []
  closedWith: { code: number, reason: string } | null = null
  send (text: string): void {
    this.sent.push(JSON.parse(text))
  }

  close (code: number, reason: string): void {
    this.closedWith = { code, reason }
    this.readyState = 2
  }

  terminate (): void {}
  ping (): void {}
}

const NONCE = '0123456789abcdef0123456789abcdef'
const KEY = 'a'.repeat(32)

function setup (authMode: AuthMode, signIn: SignIn) {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  const limits = loadConfig({}).ws
  const context = {
    hub,
    l3: new L3Feed(engine),
    stats: new StatsFeed(engine, { stats: new MarketStats(), now: () => 0 }),
    limits,
    budget: new SendBudget(limits.maxTotalBufferedBytes),
    now: () => 0,
    onSlowConsumer () {},
    onSent () {},
    available: () => true,
    authMode,
    signIn
  }
  return {
    hub,
    open (nonce = NONCE) {
      const socket = new FakeSocket()
      const session = new Session('s', socket as unknown as WebSocket, context, undefined, nonce)
      const send = (message: Record<string, unknown>) => {
        session.handle(Buffer.from(JSON.stringify(message)))
        return socket.sent.at(-1) as Record<string, any>
      }
      return { socket, session, send }
    }
  }
}

const accepted: SignIn = (input) => ({ ok: true, value: { accountId: 'alice', keyId: input.keyId, permissions: ['read', 'trade'] } })

t.test('the verifier is handed the key, the timestamp text and the payload over this connection\'s nonce', async (t) => {
  const seen: SignInInput[] = []
  const { open } = setup('required', (input) => { seen.push(input); return accepted(input) })
  const { send, session } = open()
  t.equal(session.nonce, NONCE)
  t.same(send({ type: 'auth', api_key: KEY, timestamp: 1700000000123, signature: 'f'.repeat(64), id: 'a1' }),
    { type: 'authenticated', account_id: 'alice', permissions: ['read', 'trade'], cancel_on_disconnect: false, id: 'a1', timestamp: 0 })
  t.same(seen, [{ keyId: KEY, timestamp: '1700000000123', signature: 'f'.repeat(64), payload: wsSignInPayload('1700000000123', NONCE) }],
    'a JSON number timestamp is signed as its decimal text')
  t.same(session.identity, { accountId: 'alice', keyId: KEY, permissions: ['read', 'trade'] })
  const other = open('f'.repeat(32))
  other.send({ type: 'auth', api_key: KEY, timestamp: '1700000000123', signature: 'f'.repeat(64) })
  t.equal(seen[1].payload, '1700000000123AUTH/ws' + 'f'.repeat(32), 'a string timestamp as sent; another nonce, another payload')
  t.match(send({ type: 'auth', api_key: KEY, timestamp: 1, signature: 'f'.repeat(64), id: 'a2' }), { type: 'error', code: 'ALREADY_AUTHENTICATED', id: 'a2' })
  t.equal(seen.length, 2, 'a second sign-in is not even verified')
  for (let i = 0; i < 3; i++) send({ type: 'auth', api_key: KEY, timestamp: 1, signature: '' })
  t.notOk(session.closed, 'ALREADY_AUTHENTICATED is not a failed sign-in')
})

t.test('each refusal is relayed with its code and id; the third failed sign-in closes the connection 1008', async (t) => {
  const codes = ['INVALID_API_KEY', 'INVALID_TIMESTAMP', 'INVALID_SIGNATURE', 'REPLAYED_REQUEST'] as const
  for (const code of codes) {
    const { open } = setup('required', () => ({ ok: false, code, message: `refused: ${code}` }))
    const { send, socket } = open()
    t.same(send({ type: 'auth', api_key: KEY, timestamp: 1, signature: 'f'.repeat(64), id: code }), { type: 'error', code, message: `refused: ${code}`, id: code, timestamp: 0 })
    t.equal(socket.closedWith, null, `${code}: one failure leaves it open`)
  }
  const { open } = setup('required', () => ({ ok: false, code: 'INVALID_SIGNATURE', message: 'no' }))
  const { send, socket, session } = open()
  t.match(send({ type: 'auth', api_key: KEY, timestamp: 1, signature: 'x' }), { code: 'INVALID_SIGNATURE' })
  t.match(send({ type: 'auth', api_key: 7, timestamp: 1, signature: 'x', id: 'bad' }), { code: 'INVALID_MESSAGE', id: 'bad', message: /api_key/ }, 'a malformed sign-in fails too')
  t.equal(socket.closedWith, null)
  t.match(send({ type: 'auth', api_key: KEY, timestamp: 1, signature: 'x', id: 3 }), { code: 'INVALID_SIGNATURE', id: 3 }, 'the third is still answered')
  t.same(socket.closedWith, { code: 1008, reason: 'too many failed sign-ins' })
  t.equal(session.identity, null)
})

t.test('private channels: AUTH_REQUIRED unsigned, FORBIDDEN without read, subscribed with read; public ones need nothing', async (t) => {
  let permissions: Array<'read' | 'trade'> = ['trade']
  const { open, hub } = setup('required', (input) => ({ ok: true, value: { accountId: 'bob', keyId: input.keyId, permissions } }))
  const { send } = open()
  for (const channel of ['orders', 'fills']) {
    t.match(send({ type: 'subscribe', channel, id: channel }), { type: 'error', code: 'AUTH_REQUIRED', id: channel })
    t.match(send({ type: 'subscribe', channel, symbol: 'NOPE-USD' }), { code: 'AUTH_REQUIRED' }, 'before anything else is looked at')
    t.match(send({ type: 'unsubscribe', channel }), { code: 'NOT_SUBSCRIBED' })
  }
  t.match(send({ type: 'subscribe', channel: 'trades' }), { type: 'subscribed', channel: 'trades' })
  send({ type: 'auth', api_key: KEY, timestamp: 1, signature: 'f'.repeat(64) })
  t.match(send({ type: 'subscribe', channel: 'fills', id: 9 }), { type: 'error', code: 'FORBIDDEN', id: 9 }, 'a trade-only key')
  t.equal(hub.accountCount, 0)

  permissions = ['read']
  const reader = open()
  reader.send({ type: 'auth', api_key: KEY, timestamp: 1, signature: 'f'.repeat(64) })
  t.same(reader.send({ type: 'subscribe', channel: 'orders', id: 1 }), { type: 'subscribed', channel: 'orders', id: 1, timestamp: 0 }, 'no symbol: every symbol')
  t.match(reader.send({ type: 'subscribe', channel: 'fills', symbol: 'unit-usd' }), { type: 'subscribed', channel: 'fills', symbol: 'UNIT-USD' })
  t.equal(reader.session.subscriptionCount, 2)
  t.equal(hub.accountCount, 1)
  t.match(reader.send({ type: 'unsubscribe', channel: 'orders' }), { type: 'unsubscribed', channel: 'orders' })
  t.match(reader.send({ type: 'unsubscribe', channel: 'fills', symbol: 'UNIT-USD' }), { type: 'unsubscribed' })
  t.equal(hub.accountCount, 0, 'an account nobody follows is dropped')
  t.equal(hub.subscriberCount(), 1, 'only the public trades subscriber is left')
})

t.test('AUTH=off: private channels work unsigned for the anonymous account; a sign-in is answered as anonymous without any check', async (t) => {
  const { open } = setup('off', () => { throw new Error('never verified with AUTH=off') })
  const { send, session } = open()
  t.match(send({ type: 'subscribe', channel: 'orders', symbol: 'UNIT-USD' }), { type: 'subscribed', channel: 'orders', symbol: 'UNIT-USD' })
  t.match(send({ type: 'auth', api_key: 'anything', timestamp: 'x', signature: '', id: 'o' }), { type: 'authenticated', account_id: 'anonymous', permissions: ['read', 'trade'], id: 'o' })
  t.equal(session.identity?.keyId, null)
  t.match(send({ type: 'subscribe', channel: 'fills' }), { type: 'subscribed', channel: 'fills' })
})

t.test('the verifier: key, then timestamp, then signature, then replay; a signature is good once', async (t) => {
  const master = 'test-master'
  const secret = sign(master, 'api-key-secret:' + KEY)
  const record: ApiKeyRecord = { keyId: KEY, accountId: 'alice', permissions: ['read'], active: true, accountActive: true, fingerprint: sign(secret, 'fingerprint').slice(0, 16) }
  let key: ApiKeyRecord | null = record
  const exchange = { apiKey: (id: string) => (id === KEY ? key : null) } as unknown as Exchange
  let now = 1_700_000_000_000
  const verifierOf = (replayCacheMax: number) => signInWith(createVerifier({ lookup: (id) => exchange.apiKey(id), masterSecret: master, recvWindowMs: 5000, replayCacheMax, clock: () => now }))
  const verify = verifierOf(100_000)
  const at = String(now)
  const input = (over: Partial<SignInInput> = {}): SignInInput => {
    const payload = wsSignInPayload(over.timestamp ?? at, NONCE)
    return { keyId: KEY, timestamp: at, signature: sign(secret, payload), payload, ...over }
  }
  const codeOf = (over: Partial<SignInInput> = {}) => {
    const verdict = verify(input(over))
    return verdict.ok ? 'ok' : verdict.code
  }
  t.equal(codeOf({ keyId: 'B'.repeat(32) }), 'INVALID_API_KEY', 'malformed key id')
  t.equal(codeOf({ keyId: 'b'.repeat(32) }), 'INVALID_API_KEY', 'unknown key')
  t.equal(codeOf({ timestamp: String(now - 5001) }), 'INVALID_TIMESTAMP', 'too old')
  t.equal(codeOf({ timestamp: String(now + 5001) }), 'INVALID_TIMESTAMP', 'from the future')
  t.equal(codeOf({ timestamp: '1.7e12' }), 'INVALID_TIMESTAMP', 'not digits')
  t.equal(codeOf({ signature: sign(secret, 'something else') }), 'INVALID_SIGNATURE')
  t.equal(codeOf({ signature: input().signature.toUpperCase() }), 'INVALID_SIGNATURE', 'upper-case hex is not accepted')
  t.equal(codeOf({ signature: 'ab' }), 'INVALID_SIGNATURE', 'too short')
  t.same(verify(input()), { ok: true, value: { accountId: 'alice', keyId: KEY, permissions: ['read'] } })
  t.equal(codeOf(), 'REPLAYED_REQUEST', 'the same sign-in again (as two sessions with one nonce would)')
  now += 10_001
  t.equal(codeOf(), 'INVALID_TIMESTAMP', 'once the entry expired, the window refuses it anyway')
  t.equal(codeOf({ timestamp: String(now) }), 'ok', 'a new sign-in (expired entries are dropped on the way)')
  // The session with a nonce of its own relays it.
  const { open } = setup('required', verify)
  const first = open()
  const second = open()
  const frame = { type: 'auth', api_key: KEY, timestamp: now + 1, signature: sign(secret, wsSignInPayload(String(now + 1), NONCE)) }
  t.match(first.send(frame), { type: 'authenticated', account_id: 'alice' })
  t.match(second.send(frame), { type: 'error', code: 'REPLAYED_REQUEST' }, 'a sign-in seen once is refused on any connection')
  for (const [change, name] of [[{ active: false }, 'revoked'], [{ accountActive: false }, 'account disabled']] as const) {
    key = { ...record, ...change }
    t.equal(codeOf({ timestamp: String(now + 2) }), 'INVALID_API_KEY', name)
  }
  key = { ...record, fingerprint: '0'.repeat(16) }
  t.match(verifierOf(100)(input({ timestamp: String(now + 2) })), { ok: false, code: 'INVALID_API_KEY' }, 'a key issued under another master secret')
  key = record
  const small = verifierOf(1)
  t.equal(small(input({ timestamp: String(now + 4) })).ok, true)
  t.match(small(input({ timestamp: String(now + 5) })), { ok: false, code: 'OVERLOADED' }, 'a full replay cache refuses rather than forgets')
  const keyless = signInWith(null)
  key = record
  t.match(keyless(input({ timestamp: String(now + 3) })), { ok: false, code: 'INVALID_API_KEY' }, 'AUTH=off: there is no verifier, so nothing verifies')
})
