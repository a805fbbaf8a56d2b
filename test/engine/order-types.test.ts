/**
 * Issue 12's order types at the engine, one hand-worked example per rule of
 * the contract (stops and their cascades, icebergs, amends, OCO lists,
 * quote-sized market orders, the price band, GTD expiry and its replay,
 * post-only, trading status, the refusals): exact statuses, fills, cancel
 * reasons, trades (maker > taker quantity@price, in order), book levels and
 * event types in order. The random flows of property-order-types.test.ts
 * check the same rules against the reference model.
 */
import t from 'tap'
import {
  MatchingEngine, SymbolSpec, stateDigest, type Command, type EngineEvent, type NewOrderInput, type OcoInput, type OcoOutcome,
  type OrderOutcome, type Trade
} from '../../src/engine/index.js'
import { orderView } from '../../src/wire/order-views.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, levels, unitEngine } from '../helpers/engine.js'

const S = UNIT.symbol
/** The stepping clock's first reading (see helpers/clock.ts). */
const T0 = 1_700_000_000_000

type Input = Omit<NewOrderInput, 'symbol' | 'orderType'> & { symbol?: string, orderType?: string }

/** Submits on UNIT-USD (a limit order unless told) and fails loudly on a rejection the test did not expect. */
function put (e: MatchingEngine, input: Input): OrderOutcome {
  const result = e.submit({ symbol: S, orderType: 'limit', ...input })
  if (!result.ok) throw new Error(`unexpected rejection: ${result.code} ${result.message}`)
  return result.value
}

function oco (e: MatchingEngine, input: Omit<OcoInput, 'symbol'>): OcoOutcome {
  const result = e.submitOco({ symbol: S, ...input })
  if (!result.ok) throw new Error(`unexpected rejection: ${result.code} ${result.message}`)
  return result.value
}

/** The result's code, or 'ok'. */
const code = (result: { ok: true } | { ok: false, code: string }) => result.ok ? 'ok' : result.code

/** maker>taker lots@price */
const tradeText = (x: Trade) => `${x.makerOrderId}>${x.takerOrderId} ${x.quantityLots}@${x.priceTicks}`
const traded = (trades: readonly Trade[]) => trades.map(tradeText)

function eventText (event: EngineEvent): string {
  if (event.type === 'trade') return `trade ${tradeText(event.trade)}`
  if (event.type === 'order') return `${event.eventType} ${event.order.id}`
  return 'levels'
}

/** Every command's events, one list per command. */
function record (e: MatchingEngine): string[][] {
  const batches: string[][] = []
  e.addListener((events) => batches.push(events.map(eventText)))
  return batches
}

/** Every trade of every command (triggered stops' included), from the events. */
function tape (e: MatchingEngine): string[] {
  const trades: string[] = []
  e.addListener((events) => {
    for (const event of events) if (event.type === 'trade') trades.push(tradeText(event.trade))
  })
  return trades
}

const state = (o: { status: string, filledLots: number, cancelReason: string | null }) => [o.status, o.filledLots, o.cancelReason]

/** A trade at `price` between two fresh orders, so that the symbol has a last trade price. */
function lastTradeAt (e: MatchingEngine, price: number): void {
  put(e, { side: 'sell', quantity: 1, price })
  put(e, { side: 'buy', quantity: 1, price })
  if (e.book(S)!.stats.lastTradePriceTicks !== price) throw new Error(`no trade at ${price}`)
}

t.test('stops', async (t) => {
  t.test('a sell stop is triggered by a trade against an iceberg\'s refreshed slice, and sells into the slices that follow', async (t) => {
    const e = unitEngine()
    const iceberg = put(e, { side: 'buy', quantity: 10, price: 100, displayQuantity: 2 }).order // 1
    t.same(levels(e).bids, [[100, 2]], 'only the slice shows')
    const first = put(e, { side: 'sell', quantity: 2, price: 100 }) // 2: takes the first slice
    t.same(traded(first.trades), ['1>2 2@100'])
    t.same([iceberg.filledLots, iceberg.visibleLots], [2, 2], 'the next slice shows')
    put(e, { side: 'buy', quantity: 1, price: 105 }) // 3
    put(e, { side: 'sell', quantity: 1, price: 105 }) // 4: last trade 105
    const stop = put(e, { side: 'sell', orderType: 'stop_market', quantity: 3, stopPrice: 100 }).order // 5
    t.equal(stop.status, 'untriggered')
    t.same(levels(e), { bids: [[100, 2]], asks: [] }, 'a stop is not in the book')

    const events = record(e)
    const taker = put(e, { side: 'sell', quantity: 1, price: 100 }) // 6: trades with the refreshed slice at 100 ≤ 100
    t.same(traded(taker.trades), ['1>6 1@100'], 'the answer has the order\'s own trade only')
    t.same(events, [[
      'trade 1>6 1@100', 'partially_filled 1', 'filled 6',
      'triggered 5',
      'trade 1>5 1@100', 'partially_filled 1', 'refreshed 1',
      'trade 1>5 2@100', 'partially_filled 1', 'refreshed 1',
      'filled 5',
      'levels'
    ]])
    t.same(state(stop), ['filled', 3, null])
    t.same([iceberg.status, iceberg.filledLots, iceberg.visibleLots], ['partially_filled', 6, 2])
    t.same(levels(e), { bids: [[100, 2]], asks: [] })
    t.same(engineProblems(e), [])
  })

  t.test('a cascade: one stop\'s trade triggers the next, in the same command', async (t) => {
    const e = unitEngine()
    put(e, { side: 'sell', quantity: 1, price: 101 }) // 1
    put(e, { side: 'sell', quantity: 1, price: 102 }) // 2
    put(e, { side: 'sell', quantity: 5, price: 103 }) // 3
    const s1 = put(e, { side: 'buy', orderType: 'stop_market', quantity: 1, stopPrice: 101 }).order // 4
    const s2 = put(e, { side: 'buy', orderType: 'stop_limit', quantity: 1, price: 103, stopPrice: 102 }).order // 5
    const events = record(e)
    const all = tape(e)
    const stamps: Array<[string, string, number]> = []
    e.addListener((batch) => {
      for (const x of batch) if (x.type === 'trade') stamps.push([x.trade.tradeId, x.trade.takerOrderId, x.trade.timestamp])
    })
    const taker = put(e, { side: 'buy', quantity: 1, price: 101 }) // 6: trades at 101 → 4 triggers (102 is not reached yet)
    t.same(traded(taker.trades), ['1>6 1@101'])
    t.same(all, ['1>6 1@101', '2>4 1@102', '3>5 1@103'], '4 traded at 102, which triggered 5')
    t.same(events, [[
      'trade 1>6 1@101', 'filled 1', 'filled 6',
      'triggered 4', 'trade 2>4 1@102', 'filled 2', 'filled 4',
      'triggered 5', 'trade 3>5 1@103', 'partially_filled 3', 'filled 5',
      'levels'
    ]])
    t.same([state(s1), state(s2)], [['filled', 1, null], ['filled', 1, null]])
    t.same([s1.id, s2.id, s1.timestamp, s2.timestamp], ['4', '5', T0 + 3, T0 + 4], 'stops keep their number and timestamp')
    t.same(stamps, [['UNIT-USD-1', '6', T0 + 5], ['UNIT-USD-2', '4', T0 + 5], ['UNIT-USD-3', '5', T0 + 5]], 'every trade happened in command 6, at its time')
    t.same(levels(e), { bids: [], asks: [[103, 4]] })
    t.equal(e.book(S)!.stats.lastTradePriceTicks, 103)
    t.same(e.book(S)!.stopOrders(), [])
    t.same(engineProblems(e), [])
  })

  t.test('the stops one trade triggers: buys by stop ascending, then sells by stop descending, each then by number', async (t) => {
    const e = unitEngine()
    put(e, { side: 'sell', quantity: 3, price: 110 }) // 1: for the buy stops
    put(e, { side: 'buy', quantity: 3, price: 90 }) // 2: for the sell stops
    put(e, { side: 'sell', quantity: 1, price: 100 }) // 3
    const stop = (side: 'buy' | 'sell', stopPrice: number) => put(e, { side, orderType: 'stop_market', quantity: 1, stopPrice }).order
    stop('buy', 100) // 4
    stop('buy', 99) // 5
    stop('buy', 99) // 6
    stop('sell', 100) // 7
    stop('sell', 101) // 8
    stop('sell', 101) // 9
    stop('buy', 101) // 10: not reached by a trade at 100... until the buy stops trade at 110
    stop('sell', 99) // 11: not reached by a trade at 100... until the sell stops trade at 90
    const events = record(e)
    const all = tape(e)
    const taker = put(e, { side: 'buy', quantity: 1, price: 100 }) // 12: one trade at 100
    t.same(traded(taker.trades), ['3>12 1@100'])
    const triggered = events[0].filter((x) => x.startsWith('triggered')).map((x) => Number(x.split(' ')[1]))
    // The trade at 100 takes 5, 6, 4 (buys ascending) then 8, 9, 7 (sells descending). 5's trade at 110 then
    // reaches 10 (stop 101), queued behind 7; 8's trade at 90 reaches 11 (stop 99), queued behind 10.
    t.same(triggered, [5, 6, 4, 8, 9, 7, 10, 11])
    t.same(all, ['3>12 1@100', '1>5 1@110', '1>6 1@110', '1>4 1@110', '2>8 1@90', '2>9 1@90', '2>7 1@90'])
    for (const id of ['10', '11']) {
      const order = e.findOrder(S, { orderId: id })
      t.same(order.ok && state(order.value), ['cancelled', 0, null], `${id}: its market order found the other side empty`)
    }
    t.same(levels(e), { bids: [], asks: [] })
    t.same(engineProblems(e), [])
  })

  t.test('a stop the last trade price has already reached is refused', async (t) => {
    const e = unitEngine()
    lastTradeAt(e, 100)
    const buy = e.submit({ symbol: S, side: 'buy', orderType: 'stop_market', quantity: 1, stopPrice: 100 })
    const sell = e.submit({ symbol: S, side: 'sell', orderType: 'stop_limit', quantity: 1, price: 99, stopPrice: 100 })
    t.same([code(buy), code(sell)], ['STOP_WOULD_TRIGGER', 'STOP_WOULD_TRIGGER'])
    t.equal(code(e.submit({ symbol: S, side: 'buy', orderType: 'stop_market', quantity: 1, stopPrice: 101 })), 'ok')
  })
})

t.test('amends', async (t) => {
  t.test('a new price that crosses trades as a taker first (amended first), then the rest rests at the new price', async (t) => {
    const e = unitEngine()
    put(e, { side: 'sell', quantity: 2, price: 101 }) // 1
    put(e, { side: 'sell', quantity: 3, price: 103 }) // 2
    const bid = put(e, { side: 'buy', quantity: 5, price: 99 }).order // 3
    const events = record(e)
    const result = e.amend({ symbol: S, orderId: '3', newPrice: 102 }, T0 + 500)
    t.ok(result.ok)
    if (!result.ok) return
    t.equal(result.value.order, bid)
    t.same(traded(result.value.trades), ['1>3 2@101'])
    t.same([result.value.trades[0].timestamp, bid.timestamp], [T0 + 500, T0 + 2], 'the trade happened at the amend\'s time; the order keeps its own')
    t.same(events, [['amended 3', 'trade 1>3 2@101', 'filled 1', 'resting 3', 'levels']])
    t.same([bid.status, bid.filledLots, bid.priceTicks, bid.quantityLots], ['partially_filled', 2, 102, 5])
    t.same(levels(e), { bids: [[102, 3]], asks: [[103, 3]] })
    t.same(engineProblems(e), [])
  })

  t.test('an amend\'s trades trigger stops; their trades are not in the amend\'s answer', async (t) => {
    const e = unitEngine()
    put(e, { side: 'sell', quantity: 1, price: 101 }) // 1
    put(e, { side: 'sell', quantity: 2, price: 102 }) // 2
    const stop = put(e, { side: 'buy', orderType: 'stop_limit', quantity: 2, price: 102, stopPrice: 101 }).order // 3
    put(e, { side: 'buy', quantity: 1, price: 99 }) // 4
    const events = record(e)
    const result = e.amend({ symbol: S, orderId: '4', newPrice: 101 })
    t.same(result.ok && traded(result.value.trades), ['1>4 1@101'])
    t.same(events, [['amended 4', 'trade 1>4 1@101', 'filled 1', 'filled 4', 'triggered 3', 'trade 2>3 2@102', 'filled 2', 'filled 3', 'levels']])
    t.same(state(stop), ['filled', 2, null])
    t.same(levels(e), { bids: [], asks: [] })
  })

  t.test('a new price that does not cross, and a raised quantity, go to the back of the (new) level', async (t) => {
    const e = unitEngine()
    put(e, { side: 'buy', quantity: 2, price: 100 }) // 1
    put(e, { side: 'buy', quantity: 2, price: 99 }) // 2
    put(e, { side: 'buy', quantity: 2, price: 100 }) // 3
    t.ok(e.amend({ symbol: S, orderId: '2', newPrice: 100 }).ok)
    t.ok(e.amend({ symbol: S, orderId: '1', newQuantity: 3 }).ok)
    t.same(levels(e).bids, [[100, 7]])
    const taker = put(e, { side: 'sell', quantity: 7, price: 100 })
    t.same(traded(taker.trades), ['3>4 2@100', '2>4 2@100', '1>4 3@100'])
  })

  t.test('a pure reduction keeps the order\'s place in its queue', async (t) => {
    const e = unitEngine()
    const first = put(e, { side: 'buy', quantity: 5, price: 100 }).order // 1
    put(e, { side: 'buy', quantity: 5, price: 100 }) // 2
    const events = record(e)
    const result = e.amend({ symbol: S, orderId: '1', newQuantity: 3 })
    t.same(result.ok && traded(result.value.trades), [])
    t.same(events, [['amended 1', 'levels']])
    t.same([first.status, first.quantityLots, first.visibleLots], ['pending', 3, 3])
    t.same(levels(e).bids, [[100, 8]])
    const taker = put(e, { side: 'sell', quantity: 4, price: 100 })
    t.same(traded(taker.trades), ['1>3 3@100', '2>3 1@100'], 'the reduced order still trades first')
    t.same(engineProblems(e), [])
  })

  t.test('a reduced iceberg shows at most its new remaining quantity and keeps its place', async (t) => {
    const e = unitEngine()
    const iceberg = put(e, { side: 'sell', quantity: 10, price: 100, displayQuantity: 4 }).order // 1
    put(e, { side: 'sell', quantity: 1, price: 100 }) // 2
    t.ok(e.amend({ symbol: S, orderId: '1', newQuantity: 3 }).ok)
    t.same([iceberg.quantityLots, iceberg.visibleLots], [3, 3])
    t.same(levels(e).asks, [[100, 4]])
    const taker = put(e, { side: 'buy', quantity: 4, price: 100 })
    t.same(traded(taker.trades), ['1>3 3@100', '2>3 1@100'])
  })

  t.test('a new quantity at or below the filled quantity completes the order: status filled, off the book', async (t) => {
    const e = unitEngine()
    const bid = put(e, { side: 'buy', quantity: 5, price: 100 }).order // 1
    put(e, { side: 'sell', quantity: 2, price: 100 }) // 2
    const events = record(e)
    const result = e.amend({ symbol: S, orderId: '1', newQuantity: 1 })
    t.same(result.ok && traded(result.value.trades), [])
    t.same(events, [['amended 1', 'levels']])
    t.same([bid.status, bid.filledLots, bid.quantityLots, bid.remainingLots, bid.cancelReason], ['filled', 2, 2, 0, null])
    t.same(levels(e).bids, [])
    t.same(code(e.cancel({ symbol: S, orderId: '1' })), 'ORDER_NOT_FOUND', 'no longer open')
    t.same(engineProblems(e), [])
  })

  t.test('an untriggered stop\'s stop price: replaced, the stop stays untriggered and triggers at the new price', async (t) => {
    const e = unitEngine()
    lastTradeAt(e, 100) // 1, 2
    const stop = put(e, { side: 'buy', orderType: 'stop_limit', quantity: 2, price: 106, stopPrice: 105 }).order // 3
    t.same(code(e.amend({ symbol: S, orderId: '3', newStopPrice: 100 })), 'STOP_WOULD_TRIGGER')
    t.same(code(e.amend({ symbol: S, orderId: '3', newStopPrice: 105 })), 'INVALID_AMEND', 'nothing changes')
    const events = record(e)
    const amended = e.amend({ symbol: S, orderId: '3', newStopPrice: 102 })
    t.ok(amended.ok)
    t.same(events, [['amended 3']])
    t.same([stop.status, stop.stopPriceTicks, stop.priceTicks, stop.quantityLots], ['untriggered', 102, 106, 2])
    put(e, { side: 'sell', quantity: 3, price: 102 }) // 4
    const all = tape(e)
    const taker = put(e, { side: 'buy', quantity: 1, price: 102 }) // 5: a trade at 102 reaches the new stop price
    t.same(traded(taker.trades), ['4>5 1@102'])
    t.same(all, ['4>5 1@102', '4>3 2@102'])
    t.same(state(stop), ['filled', 2, null])
    t.same(levels(e), { bids: [], asks: [] })
    t.same(code(e.amend({ symbol: S, orderId: '3', newStopPrice: 110 })), 'ORDER_NOT_FOUND', 'a filled stop is not open')
  })

  t.test('refused amends change nothing', async (t) => {
    const e = unitEngine()
    put(e, { side: 'buy', quantity: 2, price: 100 }) // 1
    put(e, { side: 'sell', quantity: 2, price: 101, postOnly: true }) // 2
    put(e, { side: 'buy', orderType: 'stop_market', quantity: 1, stopPrice: 120 }) // 3
    t.same(code(e.amend({ symbol: S, orderId: '1' })), 'INVALID_AMEND', 'nothing given')
    t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 2, newPrice: 100 })), 'INVALID_AMEND', 'nothing changes')
    t.same(code(e.amend({ symbol: S, orderId: '1', newStopPrice: 90 })), 'INVALID_AMEND', 'a stop price on a limit order')
    t.same(code(e.amend({ symbol: S, orderId: '3', newPrice: 121 })), 'INVALID_AMEND', 'a price on a stop_market order')
    t.same(code(e.amend({ symbol: S, orderId: '2', newPrice: 100 })), 'POST_ONLY_WOULD_TAKE')
    t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 1.5 })), 'VALIDATION_ERROR', 'off the lot')
    t.same(code(e.amend({ symbol: S, orderId: '9', newQuantity: 1 })), 'ORDER_NOT_FOUND')
    t.same(code(e.amend({ symbol: S, newQuantity: 1 })), 'MISSING_ORDER_ID')
    t.same(code(e.amend({ symbol: S, orderId: '1', accountId: 'bob', newQuantity: 1 })), 'ORDER_NOT_FOUND', 'another account\'s')
    t.same(levels(e), { bids: [[100, 2]], asks: [[101, 2]] })
    t.equal(e.sequence, 3, 'nothing was journaled')
  })
})

t.test('OCO lists', async (t) => {
  t.test('the limit leg\'s first fill cancels the stop leg (OCO) before that trade\'s stops are triggered', async (t) => {
    const e = unitEngine()
    lastTradeAt(e, 102) // 1, 2
    const list = oco(e, { side: 'sell', quantity: 2, price: 100, stopPrice: 101, stopLimitPrice: 99 }) // 3 limit, 4 stop
    t.same([list.limit.id, list.stop.id], ['3', '4'])
    t.same([list.limit.status, list.stop.status, list.stop.type, list.limit.listSeq, list.stop.listSeq], ['pending', 'untriggered', 'stop_limit', 3, 3])
    put(e, { side: 'buy', quantity: 2, price: 99 }) // 5: what the stop leg would sell into
    const events = record(e)
    const taker = put(e, { side: 'buy', quantity: 1, price: 100 }) // 6: trades at 100 ≤ 101, the stop leg's trigger
    t.same(traded(taker.trades), ['3>6 1@100'])
    t.same(events, [['trade 3>6 1@100', 'cancelled 4', 'partially_filled 3', 'filled 6', 'levels']])
    t.same(state(list.stop), ['cancelled', 0, 'OCO'])
    t.same(state(list.limit), ['partially_filled', 1, null])
    t.same(levels(e), { bids: [[99, 2]], asks: [[100, 1]] }, 'the stop leg never sold')
    t.same(engineProblems(e), [])
  })

  t.test('a list whose limit leg trades as it is placed: the stop leg is cancelled by that fill, before its trigger', async (t) => {
    const e = unitEngine()
    lastTradeAt(e, 102) // 1, 2
    put(e, { side: 'buy', quantity: 1, price: 100 }) // 3
    put(e, { side: 'buy', quantity: 5, price: 95 }) // 4
    const events = record(e)
    const list = oco(e, { side: 'sell', quantity: 2, price: 100, stopPrice: 101 }) // 5 limit, 6 stop_market
    t.same(traded(list.trades), ['3>5 1@100'])
    t.same(events, [['untriggered 6', 'trade 3>5 1@100', 'cancelled 6', 'filled 3', 'resting 5', 'levels']])
    t.same(state(list.stop), ['cancelled', 0, 'OCO'])
    t.same(list.stop.type, 'stop_market')
    t.same(state(list.limit), ['partially_filled', 1, null])
    t.same(levels(e), { bids: [[95, 5]], asks: [[100, 1]] })
  })

  t.test('a stop leg triggered by another order\'s trade cancels its limit leg (OCO) and runs', async (t) => {
    const e = unitEngine()
    lastTradeAt(e, 102) // 1, 2
    const list = oco(e, { side: 'sell', quantity: 2, price: 110, stopPrice: 101 }) // 3 limit, 4 stop_market
    put(e, { side: 'buy', quantity: 3, price: 100 }) // 5
    const events = record(e)
    put(e, { side: 'sell', quantity: 1, price: 100 }) // 6: trade at 100 ≤ 101
    t.same(events, [['trade 5>6 1@100', 'partially_filled 5', 'filled 6', 'cancelled 3', 'triggered 4', 'trade 5>4 2@100', 'filled 5', 'filled 4', 'levels']])
    t.same(state(list.limit), ['cancelled', 0, 'OCO'])
    t.same(state(list.stop), ['filled', 2, null])
    t.same(levels(e), { bids: [], asks: [] })
  })

  t.test('cancelling either leg cancels the other with reason OCO', async (t) => {
    const e = unitEngine()
    const a = oco(e, { side: 'buy', quantity: 1, price: 90, stopPrice: 110 }) // 1, 2
    const b = oco(e, { side: 'buy', quantity: 1, price: 91, stopPrice: 111, stopLimitPrice: 112 }) // 3, 4
    t.ok(e.cancel({ symbol: S, orderId: '1' }).ok)
    t.same([state(a.limit), state(a.stop)], [['cancelled', 0, null], ['cancelled', 0, 'OCO']])
    const events = record(e)
    t.ok(e.cancel({ symbol: S, orderId: '4' }).ok)
    t.same(events, [['cancelled 4', 'cancelled 3', 'levels']])
    t.same([state(b.limit), state(b.stop)], [['cancelled', 0, 'OCO'], ['cancelled', 0, null]])
    t.same(levels(e), { bids: [], asks: [] })
    t.equal(e.book(S)!.openCount, 0)
  })

  t.test('cancel-all cancels both legs with its own reason (null)', async (t) => {
    const e = unitEngine()
    const list = oco(e, { side: 'sell', quantity: 1, price: 110, stopPrice: 90, accountId: 'alice' }) // 1, 2
    put(e, { side: 'sell', quantity: 1, price: 120, accountId: 'bob' }) // 3
    const result = e.cancelAll({ accountId: 'alice' })
    t.same(result.ok && result.value.map((o) => o.id).sort(), ['1', '2'])
    t.same([state(list.limit), state(list.stop)], [['cancelled', 0, null], ['cancelled', 0, null]])
    t.same(levels(e).asks, [[120, 1]])
    t.equal(e.book(S)!.openCount, 1)
  })

  t.test('the expiry of a GTD list expires both legs (expired, not cancelled)', async (t) => {
    const e = unitEngine()
    const expireTime = T0 + 60_000
    const list = oco(e, { side: 'sell', quantity: 1, price: 110, stopPrice: 90, timeInForce: 'gtd', expireTime }) // 1, 2
    t.same([list.limit.expireAt, list.stop.expireAt, list.limit.timeInForce], [expireTime, expireTime, 'gtd'])
    t.equal(e.nextExpiry(), expireTime)
    const early = e.expire(expireTime - 1)
    t.same(early.ok && early.value, [], 'not due yet')
    const events = record(e)
    const due = e.expire(expireTime)
    t.same(due.ok && due.value.map((o) => o.id), ['1', '2'])
    t.same(events, [['expired 1', 'expired 2', 'levels']])
    t.same([state(list.limit), state(list.stop)], [['expired', 0, null], ['expired', 0, null]])
    t.equal(e.nextExpiry(), null)
    t.same(levels(e).asks, [])
  })

  t.test('an OCO leg cannot be amended', async (t) => {
    const e = unitEngine()
    oco(e, { side: 'sell', quantity: 2, price: 110, stopPrice: 90 })
    t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 1 })), 'INVALID_AMEND')
    t.same(code(e.amend({ symbol: S, orderId: '2', newStopPrice: 89 })), 'INVALID_AMEND')
  })
})

t.test('quote-sized market orders', async (t) => {
  t.test('a budget spent exactly on a lot boundary: filled, quantity = what it bought', async (t) => {
    const e = unitEngine()
    put(e, { side: 'sell', quantity: 2, price: 100 }) // 1
    put(e, { side: 'sell', quantity: 3, price: 101 }) // 2
    put(e, { side: 'sell', quantity: 1, price: 102 }) // 3
    const { order, trades } = put(e, { side: 'buy', orderType: 'market', quoteQuantity: '503' }) // 200 + 303
    t.same(traded(trades), ['1>4 2@100', '2>4 3@101'])
    t.same([order.status, order.filledLots, order.quantityLots, order.remainingLots, order.cancelReason, order.quoteUnits], ['filled', 5, 5, 0, null, 503])
    t.same(levels(e).asks, [[102, 1]])
  })

  t.test('a budget spent exactly in the middle of a level: filled, the maker partially filled', async (t) => {
    const e = unitEngine()
    const maker = put(e, { side: 'buy', quantity: 5, price: 100 }).order // 1
    const { order, trades } = put(e, { side: 'sell', orderType: 'market', quoteQuantity: 300 })
    t.same(traded(trades), ['1>2 3@100'])
    t.same(state(order), ['filled', 3, null])
    t.same(state(maker), ['partially_filled', 3, null])
    t.same(levels(e).bids, [[100, 2]])
  })

  t.test('a budget that runs out mid-level (buys no further lot): filled, the maker partially filled', async (t) => {
    const e = unitEngine()
    const maker = put(e, { side: 'sell', quantity: 5, price: 100 }).order // 1
    const events = record(e)
    const { order, trades } = put(e, { side: 'buy', orderType: 'market', quoteQuantity: '350' })
    t.same(traded(trades), ['1>2 3@100'])
    t.same([order.status, order.filledLots, order.quantityLots, order.remainingLots, order.cancelReason], ['filled', 3, 3, 0, null])
    t.same(state(maker), ['partially_filled', 3, null])
    t.same(events, [['trade 1>2 3@100', 'partially_filled 1', 'filled 2', 'levels']])
    t.same(levels(e).asks, [[100, 2]])
    t.same(engineProblems(e), [])
  })

  t.test('a budget too small for one lot: cancelled, nothing traded; the book running out: cancelled, reason null', async (t) => {
    const e = unitEngine()
    put(e, { side: 'sell', quantity: 1, price: 100 }) // 1
    const small = put(e, { side: 'buy', orderType: 'market', quoteQuantity: '99' }) // 2
    t.same([small.order.status, small.order.filledLots, small.order.quantityLots, small.order.cancelReason, small.trades.length], ['cancelled', 0, 0, null, 0])
    const big = put(e, { side: 'buy', orderType: 'market', quoteQuantity: '500' }) // 3
    t.same(traded(big.trades), ['1>3 1@100'])
    t.same([big.order.status, big.order.filledLots, big.order.quantityLots, big.order.remainingLots, big.order.cancelReason], ['cancelled', 1, 1, 0, null])
  })

  t.test('the trade cap: cancelled MATCH_LIMIT with budget left; a budget spent exactly at the cap: filled', async (t) => {
    const book = () => {
      const e = unitEngine({ maxFillsPerOrder: 2 })
      for (let i = 0; i < 3; i++) put(e, { side: 'sell', quantity: 1, price: 100 })
      return e
    }
    const capped = put(book(), { side: 'buy', orderType: 'market', quoteQuantity: '1000' }).order
    t.same([capped.status, capped.filledLots, capped.quantityLots, capped.cancelReason], ['cancelled', 2, 2, 'MATCH_LIMIT'])
    const spent = put(book(), { side: 'buy', orderType: 'market', quoteQuantity: '200' }).order
    t.same([spent.status, spent.filledLots, spent.quantityLots, spent.cancelReason], ['filled', 2, 2, null])
  })

  t.test('self-trade prevention ends a quote-sized order: cancelled SELF_TRADE_PREVENTION', async (t) => {
    const e = unitEngine()
    put(e, { side: 'sell', quantity: 1, price: 100, accountId: 'bob' }) // 1
    put(e, { side: 'sell', quantity: 1, price: 101, accountId: 'alice' }) // 2
    const { order, trades } = put(e, { side: 'buy', orderType: 'market', quoteQuantity: '1000', accountId: 'alice', stp: 'cancel_taker' })
    t.same(traded(trades), ['1>3 1@100'])
    t.same([order.status, order.filledLots, order.quantityLots, order.cancelReason], ['cancelled', 1, 1, 'SELF_TRADE_PREVENTION'])
    t.same(levels(e).asks, [[101, 1]])
  })

  t.test('a budget past 2^50 units is divided exactly (BigInt)', async (t) => {
    const huge = { symbol: 'BIG-USD', tickSize: '1', lotSize: '1', minQuantity: '1', maxQuantity: String(2 ** 52 - 1), minNotional: '0' }
    const e = unitEngine({ symbols: [huge], maxOpenOrdersPerSymbol: 2 })
    t.equal(e.book('BIG-USD')!.spec.maxLots, 2 ** 52 - 1)
    put(e, { symbol: 'BIG-USD', side: 'sell', quantity: 1_000_000, price: 3 }) // 1
    put(e, { symbol: 'BIG-USD', side: 'sell', quantity: String(2 ** 52 - 1), price: 7 }) // 2
    const budget = 2n ** 51n + 12345n // 2251799813697593
    const { order, trades } = put(e, { symbol: 'BIG-USD', side: 'buy', orderType: 'market', quoteQuantity: budget.toString() })
    // 3,000,000 at 3, then (2251799813697593 − 3000000) / 7 = 321685687242513 lots at 7, 2 units left over.
    t.same(traded(trades), ['1>3 1000000@3', '2>3 321685687242513@7'])
    t.same([order.status, order.filledLots, order.quantityLots, order.cancelReason], ['filled', 321685688242513, 321685688242513, null])
    t.equal(BigInt(budget) - 3_000_000n - 7n * 321685687242513n, 2n)
    t.same(levels(e, 'BIG-USD').asks, [[7, 2 ** 52 - 1 - 321685687242513]])
  })

  t.test('a non-power-of-ten symbol: the order view shows the quote quantity as an exact decimal', async (t) => {
    const odd = { symbol: 'ODD-USD', tickSize: '0.5', lotSize: '0.3', minQuantity: '0.3', maxQuantity: '300', minNotional: '0' }
    const e = unitEngine({ symbols: [odd] })
    const spec = e.book('ODD-USD')!.spec
    put(e, { symbol: 'ODD-USD', side: 'sell', quantity: '0.9', price: '10.5' }) // 3 lots at 21 ticks
    // 7.05 = 47 units of 0.15: 2 lots at 21 ticks (42 units), 5 left: less than a lot's 21.
    const { order, trades } = put(e, { symbol: 'ODD-USD', side: 'buy', orderType: 'market', quoteQuantity: '7.05' })
    t.same(traded(trades), ['1>2 2@21'])
    t.equal(order.quoteUnits, 47)
    const view = orderView(order, spec)
    t.same(
      [view.status, view.quote_quantity, view.quantity, view.filled_quantity, view.remaining_quantity, view.price, view.cancel_reason, view.time_in_force],
      ['filled', '7.05', '0.6', '0.6', '0', null, null, 'ioc'])
    t.same(levels(e, 'ODD-USD').asks, [[21, 1]])
    t.same(code(e.submit({ symbol: 'ODD-USD', side: 'buy', orderType: 'market', quoteQuantity: '7.1' })), 'INVALID_QUOTE_QUANTITY', 'not a multiple of 0.15')
  })
})

t.test('GTD expiry is journaled and replays to the same orders and state', async (t) => {
  const journal: Command[] = []
  const e = unitEngine({ onCommand: (command) => journal.push(command) })
  const t1 = T0 + 1_000
  const t2 = T0 + 2_000
  put(e, { side: 'buy', quantity: 2, price: 100, timeInForce: 'gtd', expireTime: t1 }) // 1
  put(e, { side: 'sell', quantity: 3, price: 105, timeInForce: 'gtd', expireTime: t2 }) // 2
  put(e, { side: 'buy', quantity: 1, price: 99 }) // 3
  put(e, { side: 'buy', orderType: 'stop_limit', quantity: 1, price: 104, stopPrice: 103, timeInForce: 'gtd', expireTime: t1 }) // 4
  t.same(code(e.submit({ symbol: S, side: 'buy', quantity: 1, price: 1, orderType: 'limit', timeInForce: 'gtd', expireTime: T0 })), 'INVALID_EXPIRE_TIME', 'at or before its own time')
  t.equal(e.nextExpiry(), t1)
  const first = e.expire(t1 + 500)
  t.same(first.ok && first.value.map((o) => [o.id, o.status, o.cancelReason]), [['1', 'expired', null], ['4', 'expired', null]])
  put(e, { side: 'sell', quantity: 1, price: 99 }) // 5
  t.equal(e.nextExpiry(), t2)
  const second = e.expire(t2)
  t.same(second.ok && second.value.map((o) => o.id), ['2'])
  const none = e.expire(t2 + 1)
  t.same(none.ok && none.value, [])
  t.same(journal.map((c) => c.kind), ['new', 'new', 'new', 'new', 'expire', 'new', 'expire'], 'an expire that expires nothing is not journaled')
  t.same(journal.filter((c) => c.kind === 'expire').map((c) => c.timestamp), [t1 + 500, t2])
  t.same(levels(e), { bids: [], asks: [] })

  // Replay into a fresh engine whose clock is far off: only the commands decide.
  const copy = unitEngine({ clock: () => T0 + 999_999_999 })
  for (const command of JSON.parse(JSON.stringify(journal)) as Command[]) copy.replay(command)
  for (const id of ['1', '2', '4']) {
    const order = copy.findOrder(S, { orderId: id })
    t.same(order.ok && [order.value.status, order.value.cancelReason], ['expired', null], `order ${id} expired in the replay`)
  }
  const filled = copy.findOrder(S, { orderId: '3' })
  t.same(filled.ok && filled.value.status, 'filled')
  t.equal(copy.sequence, e.sequence)
  t.equal(stateDigest(copy), stateDigest(e))
  t.equal(copy.nextExpiry(), null)
})

t.test('an iceberg taker rests showing min(display, remaining)', async (t) => {
  const e = unitEngine()
  put(e, { side: 'sell', quantity: 8, price: 100 }) // 1
  const small = put(e, { side: 'buy', quantity: 10, price: 100, displayQuantity: 3 }) // 2: 2 left, shows 2
  t.same(traded(small.trades), ['1>2 8@100'])
  t.same([small.order.status, small.order.visibleLots], ['partially_filled', 2])
  const big = put(e, { side: 'buy', quantity: 10, price: 99, displayQuantity: 3 }).order // 3: shows 3
  t.same(big.visibleLots, 3)
  t.same(levels(e).bids, [[100, 2], [99, 3]])
  t.same(engineProblems(e), [])
})

t.test('FOK against a level holding an iceberg', async (t) => {
  /** asks at 100: an iceberg of 10 showing 2 (1), then 1 lot (2); 11 lots in all, 3 shown. */
  const icebergBook = (options = {}) => {
    const e = unitEngine(options)
    put(e, { side: 'sell', quantity: 10, price: 100, displayQuantity: 2, accountId: 'alice' })
    put(e, { side: 'sell', quantity: 1, price: 100, accountId: 'bob' })
    return e
  }

  t.test('the hidden quantity counts: it fills, slice by slice, the iceberg going to the back after each slice', async (t) => {
    const e = icebergBook()
    const events = record(e)
    const { order, trades } = put(e, { side: 'buy', orderType: 'fok', quantity: 8, price: 100, accountId: 'carol' })
    t.same(traded(trades), ['1>3 2@100', '2>3 1@100', '1>3 2@100', '1>3 2@100', '1>3 1@100'])
    t.same(state(order), ['filled', 8, null])
    t.same(events[0].filter((x) => x.startsWith('refreshed')), ['refreshed 1', 'refreshed 1', 'refreshed 1'])
    const iceberg = e.book(S)!.openOrder('1')!
    t.same([iceberg.filledLots, iceberg.visibleLots], [7, 1])
    t.same(levels(e).asks, [[100, 1]])
    t.same(engineProblems(e), [])
  })

  t.test('more than visible and hidden together: rejected whole, reason null, book untouched', async (t) => {
    const e = icebergBook()
    const { order, trades } = put(e, { side: 'buy', orderType: 'fok', quantity: 12, price: 100, accountId: 'carol' })
    t.same([...state(order), trades.length], ['rejected', 0, null, 0])
    t.same(levels(e).asks, [[100, 3]])
  })

  t.test('each slice is one fill: a FOK that needs more slices than the cap is rejected with MATCH_LIMIT', async (t) => {
    const capped = icebergBook({ maxFillsPerOrder: 4 })
    const { order, trades } = put(capped, { side: 'buy', orderType: 'fok', quantity: 8, price: 100, accountId: 'carol' })
    t.same([...state(order), trades.length], ['rejected', 0, 'MATCH_LIMIT', 0])
    t.same(levels(capped).asks, [[100, 3]], 'book untouched')
    t.equal(capped.book(S)!.openOrder('1')!.filledLots, 0)
    const enough = icebergBook({ maxFillsPerOrder: 5 })
    t.same(state(put(enough, { side: 'buy', orderType: 'fok', quantity: 8, price: 100, accountId: 'carol' }).order), ['filled', 8, null], 'five slices fit a cap of 5')
  })

  t.test('self-trade prevention meeting its own account\'s iceberg: cancel_taker rejects the FOK whole', async (t) => {
    const e = icebergBook()
    const { order, trades } = put(e, { side: 'buy', orderType: 'fok', quantity: 1, price: 100, accountId: 'alice', stp: 'cancel_taker' })
    t.same([...state(order), trades.length], ['rejected', 0, 'SELF_TRADE_PREVENTION', 0])
    t.same(levels(e).asks, [[100, 3]])
    t.equal(e.book(S)!.openOrder('1')!.status, 'pending', 'nothing cancelled')
  })

  t.test('self-trade prevention meeting its own account\'s iceberg: cancel_maker cancels it and walks past it', async (t) => {
    const e = icebergBook()
    const iceberg = e.book(S)!.openOrder('1')!
    const events = record(e)
    const { order, trades } = put(e, { side: 'buy', orderType: 'fok', quantity: 1, price: 100, accountId: 'alice', stp: 'cancel_maker' })
    t.same(traded(trades), ['2>3 1@100'])
    t.same(state(order), ['filled', 1, null])
    t.same(state(iceberg), ['cancelled', 0, 'SELF_TRADE_PREVENTION'])
    t.same(events, [['cancelled 1', 'trade 2>3 1@100', 'filled 2', 'filled 3', 'levels']])
    t.same(levels(e).asks, [])
    const short = icebergBook()
    const rejected = put(short, { side: 'buy', orderType: 'fok', quantity: 2, price: 100, accountId: 'alice', stp: 'cancel_maker' })
    t.same(state(rejected.order), ['rejected', 0, null], 'without its own iceberg only 1 lot is left: rejected, nothing cancelled')
    t.equal(short.book(S)!.openOrder('1')!.status, 'pending')
  })
})

t.test('price band', async (t) => {
  const banded = { ...UNIT, priceBand: '0.1' }

  t.test('a market buy trades up to floor(last × 1.1) exactly; the next tick ends it with PRICE_BAND', async (t) => {
    const e = unitEngine({ symbols: [banded] })
    lastTradeAt(e, 101) // 1, 2: floor(111.1) = 111
    put(e, { side: 'sell', quantity: 1, price: 105 }) // 3
    put(e, { side: 'sell', quantity: 1, price: 111 }) // 4
    put(e, { side: 'sell', quantity: 1, price: 112 }) // 5
    const { order, trades } = put(e, { side: 'buy', orderType: 'market', quantity: 5 })
    // The reference stays the last price when it started (101): its own trade at 105 does not move the band.
    t.same(traded(trades), ['3>6 1@105', '4>6 1@111'])
    t.same(state(order), ['cancelled', 2, 'PRICE_BAND'])
    t.same(levels(e).asks, [[112, 1]])
  })

  t.test('a market sell trades down to ceil(last × 0.9); a quote-sized one too', async (t) => {
    const e = unitEngine({ symbols: [banded] })
    lastTradeAt(e, 101) // 1, 2: ceil(90.9) = 91
    put(e, { side: 'buy', quantity: 1, price: 91 }) // 3
    put(e, { side: 'buy', quantity: 1, price: 90 }) // 4
    const { order, trades } = put(e, { side: 'sell', orderType: 'market', quantity: 3 })
    t.same(traded(trades), ['3>5 1@91'])
    t.same(state(order), ['cancelled', 1, 'PRICE_BAND'])
    // Last is 91 now: ceil(81.9) = 82. A quote-sized sell of 1000 units sells 1 at 90, then meets 81.
    put(e, { side: 'buy', quantity: 5, price: 81 }) // 6
    const quote = put(e, { side: 'sell', orderType: 'market', quoteQuantity: '1000' }) // 7
    t.same(traded(quote.trades), ['4>7 1@90'])
    t.same([quote.order.status, quote.order.filledLots, quote.order.quantityLots, quote.order.cancelReason], ['cancelled', 1, 1, 'PRICE_BAND'])
    t.same(levels(e).bids, [[81, 5]])
  })

  t.test('no last trade: no band', async (t) => {
    const e = unitEngine({ symbols: [banded] })
    put(e, { side: 'sell', quantity: 1, price: 100 })
    put(e, { side: 'sell', quantity: 1, price: 1000 })
    const { order, trades } = put(e, { side: 'buy', orderType: 'market', quantity: 2 })
    t.same(traded(trades), ['1>3 1@100', '2>3 1@1000'])
    t.equal(order.status, 'filled')
  })

  t.test('a triggered stop_market is banded around the last price when it starts matching (its trigger)', async (t) => {
    const e = unitEngine({ symbols: [banded] })
    lastTradeAt(e, 100) // 1, 2
    const stop = put(e, { side: 'buy', orderType: 'stop_market', quantity: 3, stopPrice: 101 }).order // 3
    put(e, { side: 'sell', quantity: 1, price: 101 }) // 4
    put(e, { side: 'sell', quantity: 1, price: 111 }) // 5: floor(101 × 1.1) = 111
    put(e, { side: 'sell', quantity: 1, price: 112 }) // 6
    const all = tape(e)
    put(e, { side: 'buy', quantity: 1, price: 101 }) // 7
    t.same(all, ['4>7 1@101', '5>3 1@111'])
    t.same(state(stop), ['cancelled', 1, 'PRICE_BAND'])
    t.same(levels(e).asks, [[112, 1]])
  })

  t.test('a band of 0, 1 or not a number is refused when the symbol is built', async (t) => {
    for (const priceBand of ['0', '1', 'abc', '-0.1', '1.5']) {
      t.throws(() => new SymbolSpec({ ...UNIT, priceBand }), `SymbolSpec refuses ${priceBand}`)
      t.throws(() => unitEngine({ symbols: [{ ...UNIT, priceBand }] }), `the engine refuses ${priceBand}`)
    }
    t.throws(() => new SymbolSpec({ ...UNIT, priceBand: '0' }), /price band must be a fraction between 0 and 1/)
    t.doesNotThrow(() => new SymbolSpec({ ...UNIT, priceBand: '0.1' }))
  })
})

t.test('refusals', async (t) => {
  t.test('submitOco: an unknown symbol, invalid input', async (t) => {
    const e = unitEngine()
    const base = { symbol: S, side: 'sell', quantity: 1, price: 110, stopPrice: 90 }
    t.same(code(e.submitOco({ ...base, symbol: 'DOGE-USD' })), 'SYMBOL_NOT_FOUND')
    t.same(code(e.submitOco({ ...base, quantity: 1.5 })), 'VALIDATION_ERROR', 'off the lot')
    t.same(code(e.submitOco({ ...base, price: 110.5 })), 'VALIDATION_ERROR', 'off the tick')
    t.same(code(e.submitOco({ ...base, side: 'up' })), 'VALIDATION_ERROR')
    t.same(code(e.submitOco({ ...base, timeInForce: 'ioc' })), 'INVALID_TIME_IN_FORCE')
    t.same(code(e.submitOco({ ...base, timeInForce: 'gtd' })), 'INVALID_EXPIRE_TIME', 'gtd without an expire time')
    t.same(code(e.submitOco({ ...base, stopPrice: 90.5 })), 'INVALID_STOP_PRICE')
    t.same(code(e.submitOco({ ...base, limitClientOrderId: 'x', stopClientOrderId: 'x' })), 'DUPLICATE_CLIENT_ORDER_ID')
    t.equal(e.sequence, 0, 'nothing was journaled')
    lastTradeAt(e, 100)
    t.same(code(e.submitOco({ ...base, stopPrice: 100 })), 'STOP_WOULD_TRIGGER')
    t.same(levels(e), { bids: [], asks: [] })
  })

  t.test('an OCO list needs two free places', async (t) => {
    const e = unitEngine({ maxOpenOrdersPerSymbol: 3 })
    put(e, { side: 'buy', quantity: 1, price: 50 })
    put(e, { side: 'buy', quantity: 1, price: 51 })
    t.same(code(e.submitOco({ symbol: S, side: 'sell', quantity: 1, price: 110, stopPrice: 90 })), 'TOO_MANY_OPEN_ORDERS')
  })

  t.test('amend with an unknown symbol; replay of an amend naming an order that is not open', async (t) => {
    const e = unitEngine()
    t.same(code(e.amend({ symbol: 'DOGE-USD', orderId: '1', newQuantity: 1 })), 'SYMBOL_NOT_FOUND')
    put(e, { side: 'buy', quantity: 2, price: 100 }) // 1
    const amend = { kind: 'amend', seq: 2, orderId: '9', timestamp: T0 + 10, symbol: S, quantityLots: 1, priceTicks: null, stopPriceTicks: null, maxFills: 1000 } as const
    t.throws(() => e.replay(amend), /replay: order 9 is not open in UNIT-USD/)
    e.cancel({ symbol: S, orderId: '1' }) // seq 2
    t.throws(() => e.replay({ ...amend, seq: 3, orderId: '1' }), /replay: order 1 is not open in UNIT-USD/, 'a cancelled order')
    t.equal(e.sequence, 2)
  })
})

t.test('post-only', async (t) => {
  const e = unitEngine()
  put(e, { side: 'sell', quantity: 1, price: 101 }) // 1
  const events = record(e)
  const taking = put(e, { side: 'buy', quantity: 1, price: 101, postOnly: true }) // 2: would cross its own account's ask
  t.same([...state(taking.order), taking.trades.length], ['rejected', 0, 'POST_ONLY_WOULD_TAKE', 0])
  t.same(events, [['rejected 2']])
  const resting = put(e, { side: 'buy', quantity: 1, price: 100, postOnly: true }) // 3
  t.same(state(resting.order), ['pending', 0, null])
  t.equal(resting.order.postOnly, true)
  t.same(levels(e), { bids: [[100, 1]], asks: [[101, 1]] })
  t.same(code(e.submit({ symbol: S, side: 'buy', orderType: 'ioc', quantity: 1, price: 100, postOnly: true })), 'POST_ONLY_NOT_ALLOWED')

  t.test('a triggered post-only stop_limit that would take is rejected POST_ONLY_WOULD_TAKE', async (t) => {
    const e = unitEngine()
    lastTradeAt(e, 100) // 1, 2
    const stop = put(e, { side: 'buy', orderType: 'stop_limit', quantity: 1, price: 105, stopPrice: 101, postOnly: true }).order // 3
    put(e, { side: 'sell', quantity: 2, price: 101 }) // 4
    put(e, { side: 'buy', quantity: 1, price: 101 }) // 5: trade at 101 triggers 3, which would take the rest of 4
    t.same(state(stop), ['rejected', 0, 'POST_ONLY_WOULD_TAKE'])
    t.same(levels(e).asks, [[101, 1]])
  })
})

t.test('trading status', async (t) => {
  const journal: Command[] = []
  const e = unitEngine({ onCommand: (command) => journal.push(command) })
  put(e, { side: 'buy', quantity: 5, price: 100 }) // 1
  put(e, { side: 'buy', quantity: 5, price: 99 }) // 2
  put(e, { side: 'sell', orderType: 'stop_market', quantity: 1, stopPrice: 90 }) // 3
  const order = { symbol: S, side: 'sell', orderType: 'limit', quantity: 1, price: 120 }
  const list = { symbol: S, side: 'sell', quantity: 1, price: 120, stopPrice: 80 }

  t.same(e.setTradingStatus(S, 'halted'), { ok: true, value: 'halted' })
  t.same(code(e.submit(order)), 'SYMBOL_HALTED')
  t.same(code(e.submitOco(list)), 'SYMBOL_HALTED')
  t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 4 })), 'SYMBOL_HALTED', 'even a reduction')
  t.same(code(e.amend({ symbol: S, orderId: '1', newPrice: 101 })), 'SYMBOL_HALTED')
  t.ok(e.cancel({ symbol: S, orderId: '2' }).ok, 'cancels work while halted')
  t.same(levels(e).bids, [[100, 5]])

  t.same(code(e.submit({ ...order, quantity: 1.5, timeInForce: 'bad' })), 'SYMBOL_HALTED', 'before validation')
  t.same(code(e.submitOco({ ...list, quantity: 1.5 })), 'SYMBOL_HALTED', 'before validation')
  t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 1.5 })), 'SYMBOL_HALTED', 'before validation')
  t.same(code(e.amend({ symbol: S, orderId: '9', newQuantity: 1 })), 'ORDER_NOT_FOUND', 'an unknown order before the status')
  t.same(code(e.submit({ ...order, symbol: 'DOGE-USD' })), 'SYMBOL_NOT_FOUND')

  t.same(e.setTradingStatus(S, 'cancel_only'), { ok: true, value: 'cancel_only' })
  t.same(code(e.submit(order)), 'SYMBOL_CANCEL_ONLY')
  t.same(code(e.submitOco(list)), 'SYMBOL_CANCEL_ONLY')
  t.same(code(e.amend({ symbol: S, orderId: '1', newPrice: 101 })), 'SYMBOL_CANCEL_ONLY')
  t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 6 })), 'SYMBOL_CANCEL_ONLY', 'an increase')
  t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 4, newPrice: 101 })), 'SYMBOL_CANCEL_ONLY', 'a reduction with a new price')
  t.same(code(e.amend({ symbol: S, orderId: '3', newStopPrice: 89 })), 'SYMBOL_CANCEL_ONLY', 'a new stop price')
  t.same(code(e.amend({ symbol: S, orderId: '1', newQuantity: 4 })), 'ok', 'a pure reduction')
  t.same(levels(e).bids, [[100, 4]])
  t.ok(e.cancel({ symbol: S, orderId: '3' }).ok)
  t.equal(e.book(S)!.tradingStatus, 'cancel_only')

  const before = journal.length
  t.same(e.setTradingStatus(S, 'cancel_only'), { ok: true, value: 'cancel_only' })
  t.equal(journal.length, before, 'the current status again is no command')
  t.same(code(e.setTradingStatus(S, 'closed' as 'halted')), 'VALIDATION_ERROR')
  t.same(code(e.setTradingStatus('DOGE-USD', 'halted')), 'SYMBOL_NOT_FOUND')
  t.same(e.setTradingStatus(S, 'trading'), { ok: true, value: 'trading' })
  t.same(code(e.submit(order)), 'ok')
  t.same(journal.filter((c) => c.kind === 'set_trading_status').map((c) => c.kind === 'set_trading_status' && c.status), ['halted', 'cancel_only', 'trading'])
})

t.test('expiry works in every trading status', async (t) => {
  const e = unitEngine()
  put(e, { side: 'buy', quantity: 1, price: 100, timeInForce: 'gtd', expireTime: T0 + 100 }) // 1
  t.ok(e.setTradingStatus(S, 'halted').ok)
  const due = e.expire(T0 + 100)
  t.same(due.ok && due.value.map((o) => [o.id, o.status]), [['1', 'expired']])
  t.same(levels(e).bids, [])
})
