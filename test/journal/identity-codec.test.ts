/**
 * The journal records and snapshot format of identity: every new record kind
 * round-trips; records and snapshots written before accounts existed (10- and
 * 11-field "n" records, format-1 snapshots) load as the anonymous account's
 * orders without self-trade prevention.
 */
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MatchingEngine, exportState, importState, stateDigest, type Command, type EngineState } from '../../src/engine/index.js'
import { checksum, decodeCommand, encodeCommand, encodeHeader } from '../../src/journal/codec.js'
import { segmentName, snapshotName } from '../../src/journal/files.js'
import { Persistence } from '../../src/journal/persistence.js'
import { encodeSnapshot } from '../../src/journal/snapshot-store.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

const framed = (fields: unknown[]) => {
  const json = JSON.stringify(fields)
  return checksum(json) + ' ' + json
}

const commands: Command[] = [
  { kind: 'new', seq: 1, orderId: '1', timestamp: 10, symbol: 'UNIT-USD', side: 'buy', orderType: 'limit', priceTicks: 5, quantityLots: 2, clientOrderId: 'c', maxFills: 7, accountId: 'alice', stp: 'cancel_both' },
  { kind: 'new', seq: 2, orderId: '2', timestamp: 11, symbol: 'UNIT-USD', side: 'sell', orderType: 'market', priceTicks: null, quantityLots: 1, clientOrderId: null, maxFills: null, accountId: 'anonymous', stp: 'none' },
  { kind: 'cancel', seq: 3, orderId: '1', timestamp: 12, symbol: 'UNIT-USD' },
  { kind: 'cancel_all', seq: 4, timestamp: 13, accountId: 'alice', symbol: 'UNIT-USD', side: 'sell' },
  { kind: 'cancel_all', seq: 5, timestamp: 14, accountId: 'bob', symbol: null, side: null },
  { kind: 'create_account', seq: 6, timestamp: 15, accountId: 'alice' },
  { kind: 'set_account_status', seq: 7, timestamp: 16, accountId: 'alice', status: 'disabled' },
  { kind: 'set_account_status', seq: 8, timestamp: 17, accountId: 'alice', status: 'active' },
  { kind: 'create_key', seq: 9, timestamp: 18, accountId: 'alice', keyId: '0123456789abcdef0123456789abcdef', permissions: ['read', 'trade'], fingerprint: '00ff00ff00ff00ff' },
  { kind: 'revoke_key', seq: 10, timestamp: 19, keyId: '0123456789abcdef0123456789abcdef' }
]

t.test('every record kind round-trips through the codec', async (t) => {
  for (const command of commands) {
    const line = encodeCommand(command)
    t.ok(line.endsWith('\n'))
    t.same(decodeCommand(line.slice(0, -1)), command, command.kind)
  }
  t.match(encodeCommand(commands[8]), /\["k",9,18,"alice","0123456789abcdef0123456789abcdef",\["read","trade"\],"00ff00ff00ff00ff"\]/, 'compact arrays, a fingerprint and no secret')
})

t.test('records of a known kind with the wrong number of fields are not records', async (t) => {
  const cases: Array<[string, unknown[]]> = [
    ['n with 12 fields', ['n', 1, '1', 1, 'UNIT-USD', 'buy', 'limit', 1, 1, null, 5, 'alice']],
    ['n with 9 fields', ['n', 1, '1', 1, 'UNIT-USD', 'buy', 'limit', 1, 1]],
    ['c with 4', ['c', 1, '1', 1]],
    ['x with 5', ['x', 1, 1, 'alice', null]],
    ['a with 3', ['a', 1, 1]],
    ['s with 4', ['s', 1, 1, 'alice']],
    ['k with 6', ['k', 1, 1, 'alice', 'key', ['read']]],
    ['r with 3', ['r', 1, 1]],
    ['r with 5', ['r', 1, 1, 'key', 'secret']]
  ]
  for (const [what, fields] of cases) t.equal(decodeCommand(framed(fields)), null, what)
})

t.test('"n" records from before accounts (10 and 11 fields) are the anonymous account\'s, without self-trade prevention', async (t) => {
  t.same(decodeCommand(framed(['n', 1, '1', 5, 'UNIT-USD', 'buy', 'limit', 100, 3, 'c1'])), {
    kind: 'new', seq: 1, orderId: '1', timestamp: 5, symbol: 'UNIT-USD', side: 'buy', orderType: 'limit', priceTicks: 100, quantityLots: 3, clientOrderId: 'c1', maxFills: null, accountId: 'anonymous', stp: 'none'
  }, '10 fields: before the cap on trades too')
  t.same(decodeCommand(framed(['n', 2, '2', 6, 'UNIT-USD', 'sell', 'ioc', 99, 1, null, 1000])), {
    kind: 'new', seq: 2, orderId: '2', timestamp: 6, symbol: 'UNIT-USD', side: 'sell', orderType: 'ioc', priceTicks: 99, quantityLots: 1, clientOrderId: null, maxFills: 1000, accountId: 'anonymous', stp: 'none'
  }, '11 fields')
})

function openDir (dir: string) {
  return new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0 },
    (onCommand) => new MatchingEngine({ symbols: [UNIT], clock: steppingClock(), onCommand }))
}

t.test('a journal written before accounts replays: its orders are anonymous and trade with each other (no prevention)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'legacy-journal-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const header = encodeHeader([['UNIT-USD', '1', '1']])
  writeFileSync(join(dir, segmentName(1)), header +
    framed(['n', 1, '1', 5, 'UNIT-USD', 'sell', 'limit', 100, 3, 'c1']) + '\n' +
    framed(['n', 2, '2', 6, 'UNIT-USD', 'buy', 'limit', 100, 1, null, 1000]) + '\n' +
    framed(['c', 3, '1', 7, 'UNIT-USD']) + '\n')
  const persistence = openDir(dir)
  t.teardown(() => persistence.close())
  const { engine } = persistence
  t.equal(persistence.recovery.replayed, 3)
  const sell = engine.findOrder('UNIT-USD', { orderId: '1' })
  t.match(sell, { ok: true, value: { accountId: 'anonymous', stp: 'none', status: 'cancelled', filledLots: 1 } }, 'the anonymous account, which traded with itself')
  t.same(engine.fillsOf('anonymous', null, 10, null).items.map((f) => f.role), ['taker', 'maker'])
  t.equal(engine.accounts.size, 0, 'no accounts were created')
})

/** A format-1 snapshot as the seed wrote it: order tuples of 9 fields (10 with a cancel reason), no accounts, keys or fills. */
function versionOne (): EngineState {
  return {
    version: 1,
    sequence: 4,
    nextOrderSeq: 5,
    books: [{
      symbol: 'UNIT-USD',
      tickSize: '1',
      lotSize: '1',
      nextTradeSeq: 2,
      totalOrders: 4,
      totalTrades: 1,
      volumeLots: '1',
      lastTradePriceTicks: 100,
      lastTradeTime: 3,
      resting: [
        ['3', 'buy', 'limit', 98, 2, 0, 'pending', 'keep', 3],
        ['1', 'sell', 'limit', 100, 2, 1, 'partially_filled', null, 1]
      ]
    }],
    history: [
      ['UNIT-USD', '2', 'buy', 'ioc', 100, 1, 1, 'filled', null, 2],
      ['UNIT-USD', '4', 'buy', 'market', null, 9, 0, 'cancelled', null, 4, 'MATCH_LIMIT']
    ]
  } as unknown as EngineState
}

t.test('a format-1 snapshot loads as the anonymous account without self-trade prevention', async (t) => {
  const engine = new MatchingEngine({ symbols: [UNIT], clock: steppingClock() })
  importState(engine, versionOne())
  t.same(engineProblems(engine), [])
  t.match(engine.findOrder('UNIT-USD', { orderId: '1' }), { ok: true, value: { accountId: 'anonymous', stp: 'none', filledLots: 1 } })
  t.match(engine.findOrder('UNIT-USD', { clientOrderId: 'keep' }), { ok: true, value: { id: '3', accountId: 'anonymous' } }, 'its client ids are the anonymous account\'s')
  t.match(engine.findOrder('UNIT-USD', { orderId: '4' }), { ok: true, value: { cancelReason: 'MATCH_LIMIT', accountId: 'anonymous' } })
  t.same(engine.openOrders('anonymous', null, 10, null).items.map((o) => o.id), ['3', '1'], 'listed in age order, newest first')
  t.equal(engine.accounts.size, 0)
  t.equal(engine.fills.size, 0)
  const state = exportState(engine)
  t.equal(state.version, 3, 'written back as the current format')
  t.same(state.books[0].resting[0], ['3', 'buy', 'limit', 98, 2, 0, 'pending', 'keep', 3, null, 'anonymous', 'none'])
  t.same([state.accounts, state.keys, state.fills], [[], [], []])

  const again = new MatchingEngine({ symbols: [UNIT] })
  importState(again, state)
  t.equal(stateDigest(again), stateDigest(engine), 'format 2 of the same state: the same digest')
  t.throws(() => importState(new MatchingEngine({ symbols: [UNIT] }), { ...state, version: 4 as 2 }), /unsupported snapshot version 4/)
})

t.test('a format-1 snapshot file in the data directory recovers; a format-4 one is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'legacy-snapshot-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const withGone = versionOne()
  // A symbol since removed from the configuration, with statistics only: dropped with a warning.
  withGone.books.push({ ...withGone.books[0], symbol: 'GONE-USD', resting: [] })
  writeFileSync(join(dir, snapshotName(4)), encodeSnapshot(withGone))
  const persistence = openDir(dir)
  t.equal(persistence.recovery.snapshotSeq, 4)
  t.match(persistence.recovery.warnings, [/symbol GONE-USD is no longer configured and holds no orders/])
  t.equal(persistence.engine.accounts.openCount('anonymous'), 2)
  await persistence.close()

  const future = mkdtempSync(join(tmpdir(), 'future-snapshot-'))
  t.teardown(() => rmSync(future, { recursive: true, force: true }))
  writeFileSync(join(future, snapshotName(4)), encodeSnapshot({ ...versionOne(), version: 4 as 2 }))
  t.throws(() => openDir(future), /has snapshot format 4; this version reads formats 1, 2, 3/)
})
