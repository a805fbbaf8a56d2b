// Defects a review found in the first version of issue 12's engine, each
// pinned: the time a triggered stop's or an amend's trades carry, the
// refusal a halted symbol gives first, MIN_NOTIONAL on amends, and a FOK's
// look at a long level holding an iceberg.
import t from 'tap'
import { MatchingEngine, stateDigest, type Command, type Trade } from '../../src/engine/index.js'
import { UNIT } from '../helpers/engine.js'

const S = UNIT.symbol

function engineAt (options: { minNotional?: string } = {}) {
  const engine = new MatchingEngine({ symbols: [{ ...UNIT, minNotional: options.minNotional ?? '0' }], clock: () => 7 })
  const trades: Trade[] = []
  engine.addListener((events) => { for (const e of events) if (e.type === 'trade') trades.push(e.trade) })
  return { engine, trades }
}

t.test('a triggered stop trades at the time of the command that triggered it, and so does an amend that crosses', async (t) => {
  const { engine, trades } = engineAt()
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 100 }, 1000).ok)
  t.ok(engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: 1, price: 100 }, 1000).ok)
  t.ok(engine.submit({ symbol: S, side: 'buy', orderType: 'stop_market', quantity: 1, stopPrice: 101 }, 1000).ok)
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 101 }, 2000).ok)
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 102 }, 2000).ok)
  trades.length = 0
  t.ok(engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: 1, price: 101 }, 5000).ok)
  t.same(trades.map((x) => [x.priceTicks, x.takerOrderId, x.timestamp]), [[101, '6', 5000], [102, '3', 5000]], 'the stop (order 3) traded at 5000, not at its 1000')
  t.equal(engine.book(S)?.stats.lastTradeTime, 5000, 'the last trade time never goes back')

  const bid = engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: 1, price: 90 }, 6000)
  t.ok(bid.ok)
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 95 }, 6000).ok)
  trades.length = 0
  const amended = engine.amend({ symbol: S, orderId: bid.ok ? bid.value.order.id : '', newPrice: 95 }, 9000)
  t.ok(amended.ok)
  t.same(trades.map((x) => [x.priceTicks, x.timestamp]), [[95, 9000]], 'the amend traded at 9000')
  t.equal(amended.ok && amended.value.timestamp, 9000, 'and its outcome carries that time (the answer\'s bbo uses it)')
})

t.test('a halted or cancel-only symbol says so before it judges the order', async (t) => {
  const { engine } = engineAt()
  t.ok(engine.setTradingStatus(S, 'halted').ok)
  t.match(engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: '0.5', price: 100 }, 1), { ok: false, code: 'SYMBOL_HALTED' })
  t.match(engine.submit({ symbol: S, side: 'sideways', orderType: 'limit', quantity: 1, price: 100 }, 1), { ok: false, code: 'SYMBOL_HALTED' })
  t.ok(engine.setTradingStatus(S, 'cancel_only').ok)
  t.match(engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: '0.5', price: 100 }, 1), { ok: false, code: 'SYMBOL_CANCEL_ONLY' })
})

t.test('an amend keeps the order above MIN_NOTIONAL, unless it completes the order', async (t) => {
  const { engine } = engineAt({ minNotional: '100' })
  const placed = engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: 2, price: 50 }, 1)
  if (!t.ok(placed.ok) || !placed.ok) return
  const id = placed.value.order.id
  t.match(engine.amend({ symbol: S, orderId: id, newPrice: 49 }, 2), { ok: false, code: 'VALIDATION_ERROR', message: /MIN_NOTIONAL/ }, 'a lower price')
  t.match(engine.amend({ symbol: S, orderId: id, newQuantity: 1 }, 2), { ok: false, code: 'VALIDATION_ERROR', message: /MIN_NOTIONAL/ }, 'a smaller quantity')
  t.match(engine.amend({ symbol: S, orderId: id, newQuantity: 4, newPrice: 25 }, 2), { ok: true }, '4 × 25 is enough')
  t.match(engine.submit({ symbol: S, side: 'sell', orderType: 'market', quantity: 1 }, 3), { ok: true, value: { order: { status: 'filled' } } })
  t.match(engine.amend({ symbol: S, orderId: id, newQuantity: 1 }, 4), { ok: true, value: { order: { status: 'filled', quantityLots: 1 } } },
    'down to what filled (1 × 25, under 100): it completes, whatever its notional')
})

t.test('a FOK against a long level with an iceberg walks at most maxFills + 1 orders of it', async (t) => {
  const engine = new MatchingEngine({ symbols: [UNIT], maxFillsPerOrder: 3, clock: () => 1 })
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 10, price: 100, displayQuantity: 1 }).ok)
  for (let i = 0; i < 50; i++) t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 100 }).ok)
  const level = engine.book(S)?.asks.best()
  if (level === undefined) return
  // Count the orders the FOK reads: each one's remainingLots is read once as it is walked.
  let reads = 0
  for (let order = level.head; order !== null; order = order.next) {
    const lots = order.remainingLots
    Object.defineProperty(order, 'remainingLots', { configurable: true, get: () => { reads++; return lots } })
  }
  t.match(engine.submit({ symbol: S, side: 'buy', orderType: 'fok', quantity: 5, price: 100 }), { ok: true, value: { order: { status: 'rejected', cancelReason: 'MATCH_LIMIT' } } })
  t.ok(reads <= 4, `read ${reads} of the level's 51 orders`)
  t.match(engine.submit({ symbol: S, side: 'buy', orderType: 'fok', quantity: 3, price: 100 }), { ok: true, value: { order: { status: 'filled' } } })
})

t.test('a stop queued behind another is skipped when, before its turn, its OCO limit leg fills', async (t) => {
  const { engine, trades } = engineAt()
  const at = (ms: number) => ms
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 100 }, at(1)).ok)
  t.ok(engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: 1, price: 100 }, at(1)).ok)
  // A sell stop at 99 and an OCO buy list: limit leg at 97, stop leg (stop_market) at 102.
  const sellStop = engine.submit({ symbol: S, side: 'sell', orderType: 'stop_market', quantity: 1, stopPrice: 99 }, at(2))
  const list = engine.submitOco({ symbol: S, side: 'buy', quantity: 1, price: 97, stopPrice: 102 }, at(2))
  if (!sellStop.ok || !list.ok) return t.fail('placed')
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 99 }, at(3)).ok)
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 102 }, at(3)).ok)
  trades.length = 0
  // One buy sweeps 99 (the sell stop triggers) then 102 (the OCO stop leg triggers): the sell stop runs first and
  // sells into the OCO's limit leg, whose first fill cancels the stop leg still waiting in the queue.
  t.ok(engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: 2, price: 102 }, at(4)).ok)
  t.same(trades.map((x) => [x.priceTicks, x.makerOrderId, x.takerOrderId]), [[99, '6', '8'], [102, '7', '8'], [97, '4', '3']])
  const stopLeg = engine.findOrder(S, { orderId: list.value.stop.id })
  t.match(stopLeg, { ok: true, value: { status: 'cancelled', cancelReason: 'OCO', filledLots: 0 } }, 'never triggered')
  t.match(engine.findOrder(S, { orderId: list.value.limit.id }), { ok: true, value: { status: 'filled' } })
})

t.test('a quote budget spent on the last lot the book had ends filled, not cancelled', async (t) => {
  const { engine } = engineAt()
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 2, price: 10 }, 1).ok)
  t.match(engine.submit({ symbol: S, side: 'buy', orderType: 'market', quoteQuantity: 20 }, 2), { ok: true, value: { order: { status: 'filled', filledLots: 2, quantityLots: 2 } } })
  t.equal(engine.book(S)?.asks.best(), undefined, 'the book ran out at the same time')
})

t.test('replay applies the price band each command ran under: set_price_band commands replay', async (t) => {
  const commands: Command[] = []
  const engine = new MatchingEngine({ symbols: [UNIT], clock: () => 1, onCommand: (c) => commands.push(c) })
  t.same(engine.setPriceBand(S, '0.1'), { ok: true, value: '0.1' })
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 100 }).ok)
  t.ok(engine.submit({ symbol: S, side: 'buy', orderType: 'limit', quantity: 1, price: 100 }).ok)
  t.ok(engine.submit({ symbol: S, side: 'sell', orderType: 'limit', quantity: 5, price: 120 }).ok)
  t.match(engine.submit({ symbol: S, side: 'buy', orderType: 'market', quantity: 5 }), { ok: true, value: { order: { cancelReason: 'PRICE_BAND' } } })
  t.same(engine.setPriceBand(S, null), { ok: true, value: null })
  t.match(engine.submit({ symbol: S, side: 'buy', orderType: 'market', quantity: 5 }), { ok: true, value: { order: { status: 'filled' } } })
  const replayed = new MatchingEngine({ symbols: [{ ...UNIT, priceBand: '0.5' }], clock: () => 1 })
  replayed.setPriceBand(S, null)
  const copy = new MatchingEngine({ symbols: [UNIT], clock: () => 1 })
  for (const command of commands) copy.replay(command)
  t.equal(stateDigest(copy), stateDigest(engine), 'the same state, the band switched on and off where it was')
  t.equal(commands.filter((c) => c.kind === 'set_price_band').length, 2)
  t.equal(replayed.book(S)?.priceBand, null)
})
