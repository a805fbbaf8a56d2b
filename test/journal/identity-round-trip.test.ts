/**
 * Accounts, keys and what they did to orders survive restarts exactly: a
 * journal and snapshot holding accounts, keys, revoked keys, disabled
 * accounts, self-trade cancellations and cancel-all recover with the same
 * digest and the same exported state, from the journal alone, from a
 * snapshot plus the journal tail, and from the final snapshot. The digest
 * moves with every identity change. The files hold key fingerprints, never
 * a secret.
 */
import t from 'tap'
import type { Test } from 'tap'
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MatchingEngine, exportState, stateDigest, type Command, type NewOrderInput } from '../../src/engine/index.js'
import { checksum, encodeCommand, encodeHeader } from '../../src/journal/codec.js'
import { segmentName } from '../../src/journal/files.js'
import { Persistence } from '../../src/journal/persistence.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

const OTHER = { ...UNIT, symbol: 'OTHER-USD' }

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'identity-journal-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function open (dir: string, symbols = [UNIT, OTHER], snapshotEvery = 0) {
  return new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery },
    (onCommand) => new MatchingEngine({ symbols, clock: steppingClock(), maxOpenOrdersPerAccount: 50, onCommand }))
}

/** The contract's derivation: the secret is derived from the master, the journal keeps only a fingerprint of it. */
function deriveKey (master: string, keyId: string) {
  const secret = createHmac('sha256', master).update('api-key-secret:' + keyId).digest('hex')
  return { secret, fingerprint: createHmac('sha256', secret).update('fingerprint').digest('hex').slice(0, 16) }
}

function order (engine: MatchingEngine, accountId: string, o: { side: 'buy' | 'sell', qty: number, price?: number, type?: string, stp?: string, cid?: string, symbol?: string }) {
  const input: NewOrderInput = { symbol: o.symbol ?? UNIT.symbol, side: o.side, orderType: o.type ?? 'limit', quantity: o.qty, price: o.price, clientOrderId: o.cid, accountId, stp: o.stp ?? 'cancel_maker' }
  const result = engine.submit(input)
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`)
  return result.value
}

function must<T> (result: { ok: true, value: T } | { ok: false, code: string }): T {
  if (!result.ok) throw new Error(result.code)
  return result.value
}

const master = randomBytes(32).toString('hex')
const keyIds = ['a1'.repeat(16), 'b2'.repeat(16), 'c3'.repeat(16), 'd4'.repeat(16)]
const keys = keyIds.map((id) => ({ id, ...deriveKey(master, id) }))

/** Part one: accounts, keys, STP of every kind, a disabled account's orders cancelled. */
function partOne (engine: MatchingEngine): void {
  for (const account of ['alice', 'bob', 'carol', 'dave']) must(engine.createAccount(account))
  must(engine.createKey('alice', keys[0].id, ['read', 'trade'], keys[0].fingerprint))
  must(engine.createKey('bob', keys[1].id, ['read'], keys[1].fingerprint))
  must(engine.createKey('carol', keys[2].id, ['trade'], keys[2].fingerprint))
  must(engine.revokeKey(keys[1].id))
  order(engine, 'alice', { side: 'sell', qty: 2, price: 101, cid: 'a-1' })
  order(engine, 'bob', { side: 'sell', qty: 1, price: 101 })
  order(engine, 'alice', { side: 'sell', qty: 3, price: 102 })
  order(engine, 'alice', { side: 'buy', qty: 2, price: 101, stp: 'cancel_maker' })
  order(engine, 'alice', { side: 'buy', qty: 1, price: 102, stp: 'none' })
  order(engine, 'bob', { side: 'sell', qty: 1, price: 103 })
  order(engine, 'bob', { side: 'buy', qty: 4, price: 103, stp: 'cancel_taker' })
  order(engine, 'carol', { side: 'buy', qty: 4, price: 99 })
  order(engine, 'carol', { side: 'sell', qty: 4, price: 50, symbol: OTHER.symbol })
  must(engine.setAccountStatus('carol', 'disabled'))
  must(engine.setAccountStatus('dave', 'disabled'))
  must(engine.setAccountStatus('dave', 'active'))
}

/** Part two: more of everything, a cancel-all and a cancel_both. */
function partTwo (engine: MatchingEngine): void {
  must(engine.createAccount('erin'))
  must(engine.createKey('erin', keys[3].id, ['read'], keys[3].fingerprint))
  order(engine, 'erin', { side: 'buy', qty: 2, price: 98, cid: 'e' })
  order(engine, 'erin', { side: 'buy', qty: 2, price: 97, symbol: OTHER.symbol })
  order(engine, 'erin', { side: 'sell', qty: 2, price: 98, stp: 'cancel_both', type: 'ioc' })
  order(engine, 'alice', { side: 'buy', qty: 1, price: 60, symbol: OTHER.symbol })
  must(engine.cancelAll({ accountId: 'alice', symbol: UNIT.symbol, side: 'sell' }))
  must(engine.cancelAll({ accountId: 'erin' }))
  must(engine.revokeKey(keys[0].id))
  must(engine.setAccountStatus('bob', 'disabled'))
}

t.test('the flow itself did what it says (else the round trip proves little)', async (t) => {
  const engine = new MatchingEngine({ symbols: [UNIT, OTHER], clock: steppingClock() })
  partOne(engine)
  partTwo(engine)
  const reasons = new Set<string>()
  for (const account of ['alice', 'bob', 'carol', 'erin']) {
    for (const o of engine.closedOrders(account, null, 100, null).items) if (o.cancelReason !== null) reasons.add(`${o.accountId}:${o.cancelReason}`)
  }
  t.same([...reasons].sort(), ['alice:SELF_TRADE_PREVENTION', 'bob:ACCOUNT_DISABLED', 'bob:SELF_TRADE_PREVENTION', 'carol:ACCOUNT_DISABLED', 'erin:SELF_TRADE_PREVENTION'])
  t.ok(engine.fillsOf('alice', null, 100, null).items.some((f) => f.trade.makerAccountId === 'alice' && f.trade.takerAccountId === 'alice'), 'a self-trade under none')
  t.same([...engine.accounts.values()].map((a) => `${a.id}:${a.status}`), ['alice:active', 'bob:disabled', 'carol:disabled', 'dave:active', 'erin:active'])
  t.same([...engine.accounts.allKeys()].map((k) => k.revoked), [true, true, false, false])
  t.equal(engine.accounts.openCount('erin'), 0)
})

t.test('journal only: identity commands replay to the same digest and state', async (t) => {
  const dir = tempDir(t)
  const first = open(dir)
  partOne(first.engine)
  partTwo(first.engine)
  await first.durable()
  const digest = stateDigest(first.engine)
  const state = exportState(first.engine)
  // No close: as if the process died; no snapshot exists.
  t.same(readdirSync(dir).filter((f) => f.startsWith('snapshot-')), [])
  const second = open(dir)
  t.teardown(() => second.close())
  t.equal(second.recovery.replayed, first.engine.sequence)
  t.equal(stateDigest(second.engine), digest)
  t.same(exportState(second.engine), state)
  t.same(engineProblems(second.engine), [])
  await first.close().catch(() => {})
})

t.test('snapshot plus journal tail, then the final snapshot: the same digest and state each time', async (t) => {
  const dir = tempDir(t)
  const first = open(dir)
  partOne(first.engine)
  await first.snapshot()
  const snapshotSeq = first.engine.sequence
  partTwo(first.engine)
  await first.durable()
  const digest = stateDigest(first.engine)
  const state = exportState(first.engine)
  t.equal(state.version, 3)
  t.ok(state.accounts!.length === 5 && state.keys!.length === 4 && state.fills!.length > 0, 'the state holds accounts, keys and fills')

  const second = open(dir)
  t.equal(second.recovery.snapshotSeq, snapshotSeq)
  t.equal(second.recovery.replayed, first.engine.sequence - snapshotSeq, 'the identity records after the snapshot were replayed')
  t.equal(stateDigest(second.engine), digest)
  t.same(exportState(second.engine), state)
  await first.close().catch(() => {})
  // The recovered engine goes on as the first would have: same ids, same refusals.
  t.match(second.engine.createAccount('alice'), { ok: false, code: 'ACCOUNT_EXISTS' })
  t.match(second.engine.createKey('bob', 'new-key', ['read'], 'f'), { ok: false, code: 'ACCOUNT_DISABLED' })
  t.match(second.engine.cancel({ symbol: UNIT.symbol, clientOrderId: 'e', accountId: 'erin' }), { ok: false, code: 'ORDER_NOT_FOUND' })
  t.equal(order(second.engine, 'dave', { side: 'buy', qty: 1, price: 1 }).order.id, String(state.nextOrderSeq))
  const afterDigest = stateDigest(second.engine)
  const afterState = exportState(second.engine)
  await second.close()

  const third = open(dir)
  t.teardown(() => third.close())
  t.equal(third.recovery.replayed, 0, 'the shutdown snapshot covered everything')
  t.equal(stateDigest(third.engine), afterDigest)
  t.same(exportState(third.engine), afterState)
  t.same(engineProblems(third.engine), [])
  t.same(third.engine.openOrders('dave', null, 10, null).items.map((o) => o.id), [String(state.nextOrderSeq)], 'account lists rebuilt from the snapshot')
})

t.test('the digest changes with every identity change, and only then', async (t) => {
  const engine = new MatchingEngine({ symbols: [UNIT], clock: steppingClock() })
  const seen = new Set([stateDigest(engine)])
  const step = (what: string, run: () => { ok: boolean }) => {
    t.ok(run().ok, what)
    const digest = stateDigest(engine)
    t.notOk(seen.has(digest), `${what}: a new digest`)
    seen.add(digest)
  }
  step('create account', () => engine.createAccount('alice'))
  step('create key', () => engine.createKey('alice', 'k', ['read'], 'fp'))
  step('revoke key', () => engine.revokeKey('k'))
  step('disable', () => engine.setAccountStatus('alice', 'disabled'))
  step('enable', () => engine.setAccountStatus('alice', 'active'))
  step('cancel-all (nothing open)', () => engine.cancelAll({ accountId: 'alice' }))
  const digest = stateDigest(engine)
  t.notOk(engine.createAccount('alice').ok)
  t.notOk(engine.createKey('alice', 'k', ['read'], 'fp').ok)
  t.equal(stateDigest(engine), digest, 'a refused command changes nothing')

  // The same state reached by another engine has the same digest; one permission or fingerprint apart does not.
  const twin = (permissions: Array<'read' | 'trade'>, fingerprint: string) => {
    const e = new MatchingEngine({ symbols: [UNIT], clock: steppingClock(5) })
    e.createAccount('alice')
    e.createKey('alice', 'k', permissions, fingerprint)
    return stateDigest(e)
  }
  t.equal(twin(['read'], 'fp'), twin(['read'], 'fp'), 'timestamps are not part of it')
  t.not(twin(['read'], 'fp'), twin(['read', 'trade'], 'fp'))
  t.not(twin(['read'], 'fp'), twin(['read'], 'fq'))
})

t.test('the data directory holds key ids and fingerprints, never a secret or the master', async (t) => {
  const dir = tempDir(t)
  const first = open(dir)
  partOne(first.engine)
  await first.snapshot()
  partTwo(first.engine)
  await first.close()
  const files = readdirSync(dir).filter((f) => f.startsWith('journal-') || f.startsWith('snapshot-'))
  t.ok(files.some((f) => f.startsWith('journal-')) && files.some((f) => f.startsWith('snapshot-')), 'both kinds of file were written')
  const text = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n')
  for (const key of keys) {
    t.ok(text.includes(key.fingerprint), 'the fingerprint is kept')
    t.notOk(text.includes(key.secret), 'the secret is not')
    t.notOk(text.includes(key.secret.slice(0, 16)), 'nor any prefix of it')
  }
  t.notOk(text.includes(master), 'nor the master secret')
})

t.test('a journal that does not fit is refused: an identity record the state cannot take, a cancel-all of a removed symbol', async (t) => {
  const header = encodeHeader([['UNIT-USD', '1', '1'], ['OTHER-USD', '1', '1']])
  const write = (dir: string, ...commands: Command[]) => writeFileSync(join(dir, segmentName(1)), header + commands.map(encodeCommand).join(''))

  const unknownAccount = tempDir(t)
  write(unknownAccount, { kind: 'create_key', seq: 1, timestamp: 1, accountId: 'ghost', keyId: 'k', permissions: ['read'], fingerprint: 'f' })
  t.throws(() => open(unknownAccount), /record seq 1 does not fit the state before it \(replay: no account ghost\)/)

  const twice = tempDir(t)
  write(twice, { kind: 'create_account', seq: 1, timestamp: 1, accountId: 'a' }, { kind: 'create_account', seq: 2, timestamp: 2, accountId: 'a' })
  t.throws(() => open(twice), /record seq 2 does not fit the state before it \(replay: account a already exists\)/)

  const removed = tempDir(t)
  write(removed, { kind: 'cancel_all', seq: 1, timestamp: 1, accountId: 'a', symbol: 'OTHER-USD', side: null })
  t.throws(() => open(removed, [UNIT]), /holds record seq 1 for symbol OTHER-USD, which is no longer configured/)

  const allSymbols = tempDir(t)
  write(allSymbols, { kind: 'cancel_all', seq: 1, timestamp: 1, accountId: 'a', symbol: null, side: null }, { kind: 'create_account', seq: 2, timestamp: 2, accountId: 'a' })
  const recovered = open(allSymbols, [UNIT])
  t.teardown(() => recovered.close())
  t.equal(recovered.recovery.replayed, 2, 'a cancel-all of every symbol and identity records name no symbol')

  // A damaged cancel-all record (its checksum no longer holds) is refused like any other.
  const damaged = tempDir(t)
  const json = JSON.stringify(['x', 1, 1, 'a', null, null])
  writeFileSync(join(damaged, segmentName(1)), header + checksum(json + ' ') + ' ' + json + '\n')
  t.throws(() => open(damaged), /corrupt record at offset/)
})

t.test('a snapshot whose fill history holds trades of a removed symbol is refused, like one holding its orders', async (t) => {
  const dir = tempDir(t)
  // A short order history: the trade's orders leave it, the trade stays in the fill history.
  const first = new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0 },
    (onCommand) => new MatchingEngine({ symbols: [UNIT, OTHER], clock: steppingClock(), historyLimit: 1, onCommand }))
  order(first.engine, 'alice', { side: 'sell', qty: 1, price: 50, symbol: OTHER.symbol })
  order(first.engine, 'bob', { side: 'buy', qty: 1, price: 50, symbol: OTHER.symbol })
  order(first.engine, 'bob', { side: 'buy', qty: 1, price: 1, type: 'ioc' })
  t.same([...first.engine.history.values()].map((o) => o.symbol), [UNIT.symbol], 'no order of OTHER-USD is left in the history')
  t.equal(first.engine.fillsOf('alice', null, 10, null).items[0].trade.symbol, OTHER.symbol, 'but its trade is in the fill history')
  await first.close()
  // Before the fix this started, and every fills read of alice then failed: her fill names a symbol without a book.
  t.throws(() => open(dir, [UNIT]), /holds trades in the fill history for symbol OTHER-USD, which is no longer configured/)
})
