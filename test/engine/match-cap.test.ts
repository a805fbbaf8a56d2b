/**
 * The cap on trades per order (maxFillsPerOrder): an order that reaches it
 * with crossing liquidity left stops, its rest is cancelled with
 * cancelReason MATCH_LIMIT; a FOK that would need more trades is rejected
 * whole. The cap travels in the journaled command, so replay after a restart
 * under another cap gives the same result.
 */
import t from 'tap'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MatchingEngine, exportState, importState, stateDigest, type Command, type EngineEvent, type EngineOptions } from '../../src/engine/index.js'
import { decodeCommand, encodeCommand } from '../../src/journal/codec.js'
import { Persistence } from '../../src/journal/persistence.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, levels, place, unitEngine } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

/** `count` asks of 1 lot, one per price from 100 up. */
function ladder (engine: MatchingEngine, count: number): void {
  for (let i = 0; i < count; i++) place(engine, { side: 'sell', qty: 1, price: 100 + i })
}

t.test('a market order on a deep book stops at the cap; the rest is cancelled with MATCH_LIMIT', async (t) => {
  const e = unitEngine({ maxFillsPerOrder: 5 })
  ladder(e, 20)
  const { order, trades } = place(e, { side: 'buy', type: 'market', qty: 12 })
  t.equal(trades.length, 5)
  t.same([order.status, order.filledLots, order.cancelReason], ['cancelled', 5, 'MATCH_LIMIT'])
  t.same(levels(e).asks[0], [105, 1], 'the levels past the cap are untouched')
  t.equal(levels(e).asks.length, 15)
  t.same(engineProblems(e), [])
})

t.test('the cap counts trades, not levels: several makers at one price', async (t) => {
  const e = unitEngine({ maxFillsPerOrder: 3 })
  for (let i = 0; i < 5; i++) place(e, { side: 'sell', qty: 1, price: 100 })
  const { order, trades } = place(e, { side: 'buy', type: 'ioc', qty: 5, price: 100 })
  t.equal(trades.length, 3)
  t.same([order.status, order.cancelReason], ['cancelled', 'MATCH_LIMIT'])
  t.same(levels(e).asks, [[100, 2]])
  t.same(engineProblems(e), [])
})

t.test('a crossing limit order stopped by the cap is cancelled, not rested (it would cross the book)', async (t) => {
  const e = unitEngine({ maxFillsPerOrder: 2 })
  ladder(e, 4)
  const { order } = place(e, { side: 'buy', qty: 10, price: 103 })
  t.same([order.status, order.filledLots, order.cancelReason], ['cancelled', 2, 'MATCH_LIMIT'])
  t.same(levels(e), { bids: [], asks: [[102, 1], [103, 1]] })
  t.same(engineProblems(e), [])
})

t.test('the cap only ends an order when it is what stopped it', async (t) => {
  const rests = unitEngine({ maxFillsPerOrder: 2 })
  ladder(rests, 2)
  const limit = place(rests, { side: 'buy', qty: 5, price: 101 }).order
  t.same([limit.status, limit.filledLots, limit.cancelReason], ['partially_filled', 2, null], 'liquidity ran out at the cap: the rest rests')
  t.same(levels(rests), { bids: [[101, 3]], asks: [] })

  const fills = unitEngine({ maxFillsPerOrder: 2 })
  ladder(fills, 3)
  const exact = place(fills, { side: 'buy', qty: 2, price: 110 }).order
  t.same([exact.status, exact.cancelReason], ['filled', null], 'filled by its last allowed trade')
  const market = place(fills, { side: 'buy', type: 'market', qty: 5 }).order
  t.same([market.status, market.filledLots, market.cancelReason], ['cancelled', 1, null], 'an emptied side is the usual market cancel')
})

t.test('FOK: needing more trades than the cap is a rejection with MATCH_LIMIT, book untouched', async (t) => {
  const e = unitEngine({ maxFillsPerOrder: 3 })
  ladder(e, 5)
  const before = levels(e)
  const tooMany = place(e, { side: 'buy', type: 'fok', qty: 4, price: 110 })
  t.same([tooMany.order.status, tooMany.order.cancelReason, tooMany.trades.length], ['rejected', 'MATCH_LIMIT', 0])
  t.same(levels(e), before)
  const short = place(e, { side: 'buy', type: 'fok', qty: 3, price: 101 }).order
  t.same([short.status, short.cancelReason], ['rejected', null], 'not enough crossing liquidity: the usual rejection')
  const within = place(e, { side: 'buy', type: 'fok', qty: 3, price: 110 })
  t.same([within.order.status, within.trades.length], ['filled', 3], 'exactly the cap is fine')
  // Whole levels counted by their order count, then a partial walk of the last one.
  for (let i = 0; i < 3; i++) place(e, { side: 'sell', qty: 2, price: 120 })
  const deep = place(e, { side: 'buy', type: 'fok', qty: 5, price: 120 }).order
  t.same([deep.status, deep.cancelReason], ['rejected', 'MATCH_LIMIT'], '1 + 1 + 2 + 1 lots would take 4 trades')
  const fits = place(e, { side: 'buy', type: 'fok', qty: 4, price: 120 })
  t.same([fits.order.status, fits.trades.length], ['filled', 3])
  t.same(engineProblems(e), [])
})

t.test('the reason is in the order events and survives a snapshot', async (t) => {
  const e = unitEngine({ maxFillsPerOrder: 1 })
  const events: EngineEvent[] = []
  e.addListener((batch) => events.push(...batch))
  ladder(e, 2)
  const { order } = place(e, { side: 'buy', type: 'market', qty: 2 })
  const last = events.findLast((x) => x.type === 'order')
  t.same(last?.type === 'order' && [last.eventType, last.order.cancelReason], ['cancelled', 'MATCH_LIMIT'])
  const restored = unitEngine()
  importState(restored, JSON.parse(JSON.stringify(exportState(e))))
  const found = restored.findOrder(UNIT.symbol, { orderId: order.id })
  t.equal(found.ok && found.value.cancelReason, 'MATCH_LIMIT')
  const other = restored.findOrder(UNIT.symbol, { orderId: '1' })
  t.equal(found.ok && other.ok && other.value.cancelReason, null, 'orders without a reason keep null')
})

t.test('a bad cap is refused', async (t) => {
  t.throws(() => unitEngine({ maxFillsPerOrder: 0 }), /max fills per order must be a positive integer/)
  t.throws(() => unitEngine({ maxOpenOrdersPerSymbol: 1.5 }), /max open orders per symbol must be a positive integer/)
})

t.test('journal records carry the cap; a restart under another cap replays the same history', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'match-cap-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const open = (options: EngineOptions) => {
    const clock = steppingClock()
    const persistence = new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0 },
      (onCommand) => new MatchingEngine({ symbols: [UNIT], clock, onCommand, ...options }))
    return { engine: persistence.engine, persistence }
  }
  const first = open({ maxFillsPerOrder: 2 })
  ladder(first.engine, 5)
  const capped = place(first.engine, { side: 'buy', type: 'market', qty: 5 }).order
  t.equal(capped.cancelReason, 'MATCH_LIMIT')
  const digest = stateDigest(first.engine)
  await first.persistence.close()
  // As if the process had died before any snapshot: the restart must replay the journal.
  for (const file of readdirSync(dir)) if (file.startsWith('snapshot-')) rmSync(join(dir, file))

  const second = open({ maxFillsPerOrder: 1000 })
  t.teardown(() => second.persistence.close())
  t.equal(second.persistence.recovery.replayed, 6, 'every command came from the journal')
  t.equal(stateDigest(second.engine), digest, 'same books after replay under a larger cap')
  const replayed = second.engine.findOrder(UNIT.symbol, { orderId: capped.id })
  t.same(replayed.ok && [replayed.value.filledLots, replayed.value.cancelReason], [2, 'MATCH_LIMIT'])
  const now = place(second.engine, { side: 'buy', type: 'market', qty: 5 }).order
  t.same([now.filledLots, now.cancelReason], [3, null], 'new orders run under the new cap')
})

t.test('codec: the cap round-trips, and a record from before the cap replays uncapped', async (t) => {
  const command: Command = {
    kind: 'new',
    seq: 3,
    orderId: '3',
    timestamp: 1,
    symbol: UNIT.symbol,
    side: 'buy',
    orderType: 'market',
    priceTicks: null,
    quantityLots: 4,
    clientOrderId: null,
    maxFills: 2,
    accountId: 'anonymous',
    stp: 'none'
  }
  t.same(decodeCommand(encodeCommand(command).trimEnd()), command)
  const legacy = encodeCommand(command).trimEnd().replace(',2,"anonymous","none"]', ']')
  const json = legacy.slice(9)
  const { crc32 } = await import('node:zlib')
  const old = decodeCommand(crc32(json).toString(16).padStart(8, '0') + ' ' + json)
  t.same(old, { ...command, maxFills: null })

  const e = unitEngine({ maxFillsPerOrder: 1 })
  ladder(e, 2)
  e.replay({ ...command, maxFills: null })
  const order = e.findOrder(UNIT.symbol, { orderId: '3' })
  t.same(order.ok && [order.value.filledLots, order.value.status, order.value.cancelReason], [2, 'cancelled', null], 'uncapped, as it ran then')
})
