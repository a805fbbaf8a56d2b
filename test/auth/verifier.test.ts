import t from 'tap'
import { createVerifier, type SignedAttempt } from '../../src/auth/verifier.js'
import { deriveSecret, fingerprintOf, issueKey } from '../../src/auth/key-secrets.js'
import { sign, signingPayload, wsSignInPayload } from '../../src/auth/signature.js'
import type { ApiKeyRecord } from '../../src/exchange/exchange.js'

const MASTER = 'm'.repeat(64)
const WINDOW = 5000

function setup (options: { replayCacheMax?: number, master?: string } = {}) {
  let now = 1_700_000_000_000
  const keys = new Map<string, ApiKeyRecord>()
  const add = (permissions: ApiKeyRecord['permissions'], extra: Partial<ApiKeyRecord> = {}) => {
    const issued = issueKey(MASTER)
    const record: ApiKeyRecord = { keyId: issued.keyId, accountId: 'alice', permissions, active: true, accountActive: true, fingerprint: issued.fingerprint, ...extra }
    keys.set(record.keyId, record)
    return { record, secret: issued.secret }
  }
  const verifier = createVerifier({
    lookup: (keyId) => keys.get(keyId) ?? null,
    masterSecret: options.master ?? MASTER,
    recvWindowMs: WINDOW,
    replayCacheMax: options.replayCacheMax ?? 1000,
    clock: () => now
  })
  const attempt = (key: { record: ApiKeyRecord, secret: string }, over: Partial<SignedAttempt> & { ts?: number, body?: string } = {}): SignedAttempt => {
    const timestamp = String(over.ts ?? now)
    const payload = signingPayload(timestamp, 'POST', '/order', over.body ?? '{"a":1}')
    return { keyId: key.record.keyId, timestamp, signature: sign(key.secret, payload), payload, permission: 'trade', ...over }
  }
  return { verifier, add, attempt, keys, tick: (ms: number) => { now += ms }, now: () => now }
}

t.test('a valid signed attempt gives the key\'s account and permissions', async (t) => {
  const { verifier, add, attempt } = setup()
  const key = add(['read', 'trade'])
  t.strictSame(verifier.verify(attempt(key)), { ok: true, value: { accountId: 'alice', keyId: key.record.keyId, permissions: ['read', 'trade'] } })
})

t.test('INVALID_API_KEY: missing, malformed, unknown, revoked, disabled account, other master', async (t) => {
  const { verifier, add, attempt } = setup()
  const key = add(['trade'])
  const code = (a: SignedAttempt) => { const o = verifier.verify(a); return o.ok ? 'ok' : o.code }
  t.equal(code(attempt(key, { keyId: undefined })), 'INVALID_API_KEY', 'missing')
  t.equal(code(attempt(key, { keyId: key.record.keyId.toUpperCase() })), 'INVALID_API_KEY', 'upper case')
  t.equal(code(attempt(key, { keyId: 'abc' })), 'INVALID_API_KEY', 'too short')
  t.equal(code(attempt(key, { keyId: 'f'.repeat(32) })), 'INVALID_API_KEY', 'unknown')
  t.equal(code(attempt(add(['trade'], { active: false }))), 'INVALID_API_KEY', 'revoked')
  t.equal(code(attempt(add(['trade'], { accountActive: false }))), 'INVALID_API_KEY', 'account disabled')
  t.equal(code(attempt(add(['trade'], { fingerprint: '0'.repeat(16) }))), 'INVALID_API_KEY', 'fingerprint of another master')
  // The key check comes first: a bad key with a bad timestamp and signature is still INVALID_API_KEY.
  t.equal(code({ keyId: 'f'.repeat(32), timestamp: 'x', signature: 'y', payload: '', permission: 'trade' }), 'INVALID_API_KEY')
})

t.test('INVALID_TIMESTAMP: missing, malformed, too old, too far ahead; the window edge is accepted', async (t) => {
  const { verifier, add, attempt, now } = setup()
  const key = add(['trade'])
  const code = (a: SignedAttempt) => { const o = verifier.verify(a); return o.ok ? 'ok' : o.code }
  t.equal(code(attempt(key, { timestamp: undefined })), 'INVALID_TIMESTAMP')
  t.equal(code(attempt(key, { timestamp: '17e11' })), 'INVALID_TIMESTAMP', 'not decimal digits')
  t.equal(code(attempt(key, { timestamp: '-5' })), 'INVALID_TIMESTAMP')
  t.equal(code(attempt(key, { timestamp: '12345678901234567' })), 'INVALID_TIMESTAMP', 'too many digits')
  const behind = verifier.verify(attempt(key, { ts: now() - WINDOW - 1 }))
  t.match(behind, { ok: false, code: 'INVALID_TIMESTAMP', message: /5001 ms behind/ })
  const ahead = verifier.verify(attempt(key, { ts: now() + WINDOW + 1 }))
  t.match(ahead, { ok: false, code: 'INVALID_TIMESTAMP', message: /5001 ms ahead/ })
  t.equal(code(attempt(key, { ts: now() - WINDOW })), 'ok', 'exactly the window behind')
  t.equal(code(attempt(key, { ts: now() + WINDOW })), 'ok', 'exactly the window ahead')
})

t.test('INVALID_SIGNATURE: missing, upper-case hex, wrong length, another payload, another secret', async (t) => {
  const { verifier, add, attempt } = setup()
  const key = add(['trade'])
  const good = attempt(key)
  const code = (a: SignedAttempt) => { const o = verifier.verify(a); return o.ok ? 'ok' : o.code }
  t.equal(code({ ...good, signature: undefined }), 'INVALID_SIGNATURE')
  t.equal(code({ ...good, signature: good.signature?.toUpperCase() }), 'INVALID_SIGNATURE', 'hex must be lower case')
  t.equal(code({ ...good, signature: good.signature?.slice(2) }), 'INVALID_SIGNATURE')
  t.equal(code({ ...good, payload: good.payload + ' ' }), 'INVALID_SIGNATURE', 'body changed after signing')
  t.equal(code({ ...good, signature: sign(deriveSecret('another master secret of enough length', key.record.keyId), good.payload) }), 'INVALID_SIGNATURE')
  t.equal(code(good), 'ok', 'none of the failures above used up the signature')
})

t.test('REPLAYED_REQUEST: the same signature again inside the window; checked after the signature', async (t) => {
  const { verifier, add, attempt, tick } = setup()
  const key = add(['trade'])
  const once = attempt(key)
  t.equal(verifier.verify(once).ok, true)
  t.match(verifier.verify(once), { ok: false, code: 'REPLAYED_REQUEST' })
  tick(WINDOW)
  t.match(verifier.verify(once), { ok: false, code: 'REPLAYED_REQUEST' }, 'still remembered at the edge of the window')
  tick(1)
  t.match(verifier.verify(once), { ok: false, code: 'INVALID_TIMESTAMP' }, 'then refused on its timestamp')
  const forged = { ...attempt(key), signature: 'a'.repeat(64) }
  t.match(verifier.verify(forged), { ok: false, code: 'INVALID_SIGNATURE' })
  t.match(verifier.verify(forged), { ok: false, code: 'INVALID_SIGNATURE' }, 'a bad signature is not remembered')
})

t.test('a clock stepped forward past the cache\'s memory and back again does not let a replay through', async (t) => {
  const { verifier, add, attempt, tick } = setup()
  const key = add(['trade'])
  const once = attempt(key)
  t.equal(verifier.verify(once).ok, true)
  tick(2 * WINDOW + 1000)
  t.equal(verifier.verify(attempt(key)).ok, true, 'a request at the stepped-forward time (its entry expires the first one)')
  tick(-(2 * WINDOW + 900))
  t.match(verifier.verify(once), { ok: false, code: 'INVALID_TIMESTAMP' }, 'the first request again, inside the window of the stepped-back clock: refused')
  tick(2 * WINDOW)
  t.equal(verifier.verify(attempt(key, { body: 'new' })).ok, true, 'once the clock is back past the latest time seen, fresh requests pass')
})

t.test('a full replay cache refuses new signatures (OVERLOADED) rather than forget one; expiry frees it', async (t) => {
  const { verifier, add, attempt, tick } = setup({ replayCacheMax: 2 })
  const key = add(['trade'])
  t.equal(verifier.verify(attempt(key, { body: '1' })).ok, true)
  t.equal(verifier.verify(attempt(key, { body: '2' })).ok, true)
  t.match(verifier.verify(attempt(key, { body: '3' })), { ok: false, code: 'OVERLOADED' })
  tick(2 * WINDOW + 1)
  t.equal(verifier.verify(attempt(key, { body: '3' })).ok, true, 'entries expire after twice the window')
})

t.test('FORBIDDEN: a key without the route\'s permission, after every other check', async (t) => {
  const { verifier, add, attempt } = setup()
  const reader = add(['read'])
  t.match(verifier.verify(attempt(reader)), { ok: false, code: 'FORBIDDEN', message: /'trade'/ })
  t.equal(verifier.verify(attempt(reader, { permission: 'read', body: 'x' })).ok, true)
  t.equal(verifier.verify(attempt(reader, { permission: null, body: 'y' })).ok, true, 'null: signature only')
  t.match(verifier.verify({ ...attempt(reader, { body: 'z' }), signature: '0'.repeat(64) }), { ok: false, code: 'INVALID_SIGNATURE' }, 'a bad signature is not told about permissions')
})

t.test('a WebSocket sign-in verifies the same way over its nonce', async (t) => {
  const { verifier, add, now } = setup()
  const key = add(['read'])
  const timestamp = String(now())
  const payload = wsSignInPayload(timestamp, 'n'.repeat(32))
  const outcome = verifier.verify({ keyId: key.record.keyId, timestamp, signature: sign(key.secret, payload), payload, permission: null })
  t.equal(outcome.ok, true)
})

t.test('derives(): whether the master in use gives a key\'s fingerprint (the start-up check)', async (t) => {
  const { verifier, add } = setup()
  t.equal(verifier.derives(add(['read']).record), true)
  t.equal(verifier.derives(add(['read'], { fingerprint: fingerprintOf('other') }).record), false)
})

t.test('the derived-secret cache is bounded', async (t) => {
  const { verifier, add } = setup()
  const first = add(['read']).record
  for (let i = 0; i < 10_001; i++) verifier.derives({ ...first, keyId: i.toString(16).padStart(32, '0') })
  t.equal(verifier.derives(first), true, 'evicted and derived again')
})
