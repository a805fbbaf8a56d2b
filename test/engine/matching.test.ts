import t from 'tap'
import { engineProblems } from '../helpers/invariants.js'
import { levels, place, unitEngine } from '../helpers/engine.js'
import { exportState, importState } from '../../src/engine/index.js'

t.test('a buy sweeps asks lowest first and trades at the resting price', async (t) => {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 5, price: 102 })
  place(e, { side: 'sell', qty: 5, price: 100 })
  place(e, { side: 'sell', qty: 5, price: 101 })
  const { order, trades } = place(e, { side: 'buy', qty: 12, price: 105 })
  t.same(trades.map((x) => [x.priceTicks, x.quantityLots]), [[100, 5], [101, 5], [102, 2]])
  t.equal(order.status, 'filled')
  t.same(levels(e).asks, [[102, 3]])
  t.same(engineProblems(e), [])
})

t.test('a sell sweeps bids highest first (the seed got this side wrong)', async (t) => {
  const e = unitEngine()
  place(e, { side: 'buy', qty: 5, price: 98 })
  place(e, { side: 'buy', qty: 5, price: 100 })
  place(e, { side: 'buy', qty: 5, price: 99 })
  const { trades } = place(e, { side: 'sell', qty: 7, price: 90 })
  t.same(trades.map((x) => [x.priceTicks, x.quantityLots]), [[100, 5], [99, 2]])
  t.same(levels(e).bids, [[99, 3], [98, 5]])
  t.same(engineProblems(e), [])
})

t.test('FIFO within a level: oldest first', async (t) => {
  const e = unitEngine()
  const first = place(e, { side: 'sell', qty: 3, price: 100 }).order
  const second = place(e, { side: 'sell', qty: 3, price: 100 }).order
  const third = place(e, { side: 'sell', qty: 3, price: 100 }).order
  const { trades } = place(e, { side: 'buy', qty: 5, price: 100 })
  t.same(trades.map((x) => x.makerOrderId), [first.id, second.id])
  t.equal(first.status, 'filled')
  t.equal(second.status, 'partially_filled')
  t.equal(second.remainingLots, 1)
  t.equal(third.status, 'pending')
  t.same(engineProblems(e), [])
})

t.test('a limit never trades through its price; the rest rests', async (t) => {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 2, price: 100 })
  place(e, { side: 'sell', qty: 2, price: 103 })
  const { order, trades } = place(e, { side: 'buy', qty: 5, price: 101 })
  t.same(trades.map((x) => [x.priceTicks, x.quantityLots]), [[100, 2]])
  t.equal(order.status, 'partially_filled')
  t.same(levels(e), { bids: [[101, 3]], asks: [[103, 2]] })
})

t.test('market sweeps until filled or the side is empty; the rest is cancelled', async (t) => {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 2, price: 100 })
  place(e, { side: 'sell', qty: 2, price: 200 })
  const { order, trades } = place(e, { side: 'buy', type: 'market', qty: 5 })
  t.same(trades.map((x) => [x.priceTicks, x.quantityLots]), [[100, 2], [200, 2]])
  t.equal(order.status, 'cancelled')
  t.equal(order.filledLots, 4)
  t.equal(order.remainingLots, 1)
  t.same(levels(e), { bids: [], asks: [] })
  const empty = place(e, { side: 'sell', type: 'market', qty: 1 })
  t.equal(empty.order.status, 'cancelled')
  t.equal(empty.order.filledLots, 0)
})

t.test('ioc fills what crosses at or better than its price and cancels the rest', async (t) => {
  const e = unitEngine()
  place(e, { side: 'buy', qty: 2, price: 100 })
  place(e, { side: 'buy', qty: 2, price: 99 })
  const { order, trades } = place(e, { side: 'sell', type: 'ioc', qty: 5, price: 100 })
  t.same(trades.map((x) => [x.priceTicks, x.quantityLots]), [[100, 2]])
  t.equal(order.status, 'cancelled')
  t.equal(order.remainingLots, 3)
  t.same(levels(e), { bids: [[99, 2]], asks: [] })
})

t.test('fok fills completely or leaves the book untouched and ends rejected', async (t) => {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 2, price: 100 })
  place(e, { side: 'sell', qty: 2, price: 101 })
  place(e, { side: 'sell', qty: 9, price: 105 })
  const before = levels(e)
  const rejected = place(e, { side: 'buy', type: 'fok', qty: 5, price: 101 })
  t.equal(rejected.order.status, 'rejected')
  t.equal(rejected.trades.length, 0)
  t.equal(rejected.order.remainingLots, 5)
  t.same(levels(e), before, 'book untouched')
  const filled = place(e, { side: 'buy', type: 'fok', qty: 4, price: 101 })
  t.equal(filled.order.status, 'filled')
  t.same(filled.trades.map((x) => [x.priceTicks, x.quantityLots]), [[100, 2], [101, 2]])
  t.same(engineProblems(e), [])
})

t.test('cancel of a partially filled order keeps its fills', async (t) => {
  const e = unitEngine()
  const maker = place(e, { side: 'sell', qty: 10, price: 100 }).order
  place(e, { side: 'buy', qty: 4, price: 100 })
  const result = e.cancel({ symbol: 'unit-usd', orderId: maker.id })
  t.ok(result.ok)
  t.equal(maker.status, 'cancelled')
  t.equal(maker.filledLots, 4)
  t.equal(maker.remainingLots, 6)
  t.same(levels(e), { bids: [], asks: [] })
  const again = e.cancel({ symbol: 'UNIT-USD', orderId: maker.id })
  t.same(again.ok ? 'ok' : again.code, 'ORDER_NOT_FOUND')
  const found = e.findOrder('UNIT-USD', { orderId: maker.id })
  t.equal(found.ok && found.value.status, 'cancelled', 'terminal order stays queryable')
})

t.test('cancel from the middle of a level keeps the others in order', async (t) => {
  const e = unitEngine()
  const a = place(e, { side: 'buy', qty: 1, price: 50 }).order
  const b = place(e, { side: 'buy', qty: 2, price: 50 }).order
  const c = place(e, { side: 'buy', qty: 3, price: 50 }).order
  t.ok(e.cancel({ symbol: 'UNIT-USD', orderId: b.id }).ok)
  t.same(levels(e).bids, [[50, 4]])
  const { trades } = place(e, { side: 'sell', qty: 4, price: 50 })
  t.same(trades.map((x) => x.makerOrderId), [a.id, c.id])
  t.same(engineProblems(e), [])
})

t.test('client_order_id: unique among open orders, usable for cancel and status', async (t) => {
  const e = unitEngine()
  const first = place(e, { side: 'buy', qty: 1, price: 10, cid: 'my-1' }).order
  const dup = e.submit({ symbol: 'UNIT-USD', side: 'buy', orderType: 'limit', quantity: 1, price: 11, clientOrderId: 'my-1' })
  t.same(dup.ok ? 'ok' : dup.code, 'DUPLICATE_CLIENT_ORDER_ID')
  t.same(levels(e).bids, [[10, 1]], 'duplicate changed nothing')
  const byCid = e.findOrder('UNIT-USD', { clientOrderId: 'my-1' })
  t.equal(byCid.ok && byCid.value.id, first.id)
  t.ok(e.cancel({ symbol: 'UNIT-USD', clientOrderId: 'my-1' }).ok)
  const reused = place(e, { side: 'buy', qty: 2, price: 10, cid: 'my-1' }).order
  t.not(reused.id, first.id, 'a client id is free again once its order is closed')
  const missing = e.cancel({ symbol: 'UNIT-USD' })
  t.same(missing.ok ? 'ok' : missing.code, 'MISSING_ORDER_ID')
})

t.test('ids are deterministic and trades carry the command timestamp', async (t) => {
  const run = () => {
    const e = unitEngine()
    place(e, { side: 'sell', qty: 1, price: 10 })
    return place(e, { side: 'buy', qty: 1, price: 10 })
  }
  const a = run()
  const b = run()
  t.same(a.trades, b.trades)
  t.equal(a.trades[0].tradeId, 'UNIT-USD-1')
  t.equal(a.trades[0].timestamp, a.order.timestamp)
  t.equal(a.order.id, '2')
})

t.test('unknown symbols are refused and never created', async (t) => {
  const e = unitEngine()
  const r = e.submit({ symbol: 'DOGE-USD', side: 'buy', orderType: 'limit', quantity: 1, price: 1 })
  t.same(r.ok ? 'ok' : r.code, 'SYMBOL_NOT_FOUND')
  t.same(e.symbols, ['UNIT-USD'])
  t.same(e.cancel({ symbol: 'DOGE-USD', orderId: '1' }).ok, false)
  t.same(e.findOrder('DOGE-USD', { orderId: '1' }).ok, false)
})

t.test('history is bounded: the oldest terminal orders are forgotten', async (t) => {
  const e = unitEngine({ historyLimit: 2 })
  const ids = [1, 2, 3].map(() => place(e, { side: 'buy', type: 'market', qty: 1 }).order.id)
  t.equal(e.history.size, 2)
  t.notOk(e.findOrder('UNIT-USD', { orderId: ids[0] }).ok)
  t.ok(e.findOrder('UNIT-USD', { orderId: ids[2] }).ok)
})

t.test('a level restored from data written under larger limits never passes the exact-integer range: PRICE_LEVEL_FULL', async (t) => {
  // place() takes validated fields; lots past the symbol's max stand for orders journaled under an older, larger max quantity.
  const e = unitEngine({ maxOpenOrdersPerSymbol: 3 })
  const order = (quantityLots: number, priceTicks = 7) =>
    e.place({ symbol: 'UNIT-USD', side: 'sell', orderType: 'limit', priceTicks, quantityLots, clientOrderId: null, accountId: 'anonymous', stp: 'none' })
  t.ok(order(2 ** 52).ok)
  t.ok(order(2 ** 52 - 1).ok, 'exactly 2^53 - 1 in the level is still fine')
  const refused = order(1)
  t.same(refused.ok ? 'ok' : [refused.code, /largest exact quantity/.test(refused.message)], ['PRICE_LEVEL_FULL', true])
  t.equal(e.book('UNIT-USD')!.asks.best()!.totalLots, Number.MAX_SAFE_INTEGER)
  t.ok(order(1, 8).ok, 'another price is fine')
  const taker = e.place({ symbol: 'UNIT-USD', side: 'buy', orderType: 'limit', priceTicks: 7, quantityLots: 5, clientOrderId: null, accountId: 'anonymous', stp: 'none' })
  t.equal(taker.ok && taker.value.order.status, 'filled', 'an order that trades against the full level is taken')
})

t.test('a full level restored from a snapshot is checked too: PRICE_LEVEL_FULL', async (t) => {
  const e = unitEngine({ maxOpenOrdersPerSymbol: 3 })
  const order = (quantityLots: number) =>
    e.place({ symbol: 'UNIT-USD', side: 'sell', orderType: 'limit', priceTicks: 7, quantityLots, clientOrderId: null, accountId: 'anonymous', stp: 'none' })
  t.ok(order(2 ** 52).ok)
  t.ok(order(2 ** 52 - 1).ok)
  const restored = unitEngine({ maxOpenOrdersPerSymbol: 3 })
  importState(restored, exportState(e))
  t.ok(restored.book('UNIT-USD')!.oversized, 'the restored book knows it holds orders past the max quantity')
  const refused = restored.place({ symbol: 'UNIT-USD', side: 'sell', orderType: 'limit', priceTicks: 7, quantityLots: 1, clientOrderId: null, accountId: 'anonymous', stp: 'none' })
  t.equal(refused.ok ? 'ok' : refused.code, 'PRICE_LEVEL_FULL')
  t.notOk(unitEngine().book('UNIT-USD')!.oversized, 'a book of orders within the limits never looks levels up before resting')
})

t.test('bestFirst(limit) gives at most limit levels; 0 or less gives none', async (t) => {
  const e = unitEngine()
  for (const price of [100, 101, 102]) place(e, { side: 'sell', qty: 1, price })
  const asks = e.book('UNIT-USD')!.asks
  t.same([...asks.bestFirst(2)].map((l) => l.priceTicks), [100, 101])
  t.same([...asks.bestFirst(0)], [])
  t.same([...asks.bestFirst(-1)], [])
})

t.test('findOrder needs an order id or a client order id', async (t) => {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 1, price: 100, cid: 'c1' })
  t.match(e.findOrder('UNIT-USD', {}), { ok: false, code: 'MISSING_ORDER_ID' })
  t.match(e.findOrder('UNIT-USD', { orderId: null, clientOrderId: null }), { ok: false, code: 'MISSING_ORDER_ID' })
  t.match(e.findOrder('UNIT-USD', { clientOrderId: 'c1' }), { ok: true, value: { id: '1' } })
})

t.test('replay refuses a journal that does not fit the engine: a gap, an unknown symbol, a cancel of an order that is not open', async (t) => {
  const e = unitEngine()
  const order = { kind: 'new', orderId: '1', timestamp: 1, symbol: 'UNIT-USD', side: 'sell', orderType: 'limit', priceTicks: 100, quantityLots: 1, clientOrderId: null, maxFills: null, accountId: 'anonymous', stp: 'none' } as const
  t.throws(() => e.replay({ ...order, seq: 2 }), /replay out of sequence: expected 1, got 2/)
  t.throws(() => e.replay({ ...order, seq: 1, symbol: 'GONE-USD' }), /replay: symbol GONE-USD is not configured/)
  t.throws(() => e.replay({ kind: 'cancel', seq: 1, orderId: '9', timestamp: 1, symbol: 'UNIT-USD' }), /replay: order 9 is not open in UNIT-USD/)
  t.throws(() => e.replay({ ...order, seq: 1, orderId: '01' }), /replay: order id 01 is not an order number/)
  t.equal(e.sequence, 0, 'nothing was applied')
  e.replay({ ...order, seq: 1 })
  t.equal(e.book('UNIT-USD')!.openCount, 1, 'the fitting command then replays')
})
