/**
 * The reference model against hand-worked scenarios of every rule of issue
 * 12's contract: the model is what the property test trusts, so each rule is
 * checked here on a book small enough to work out on paper.
 */
import t from 'tap'
import { ReferenceExchange, type RefLimits, type RefNewOrder, type RefOrder, type RefTrade } from '../helpers/reference-model.js'

const S = 'UNIT-USD'
type Short = Partial<RefNewOrder> & Pick<RefNewOrder, 'side' | 'qty'>

function exchange (limits: RefLimits & { maxPerAccount?: number } = {}): ReferenceExchange {
  return new ReferenceExchange([S], limits)
}

/** Places an order (a limit order unless said), failing on a refusal. */
function put (ex: ReferenceExchange, o: Short, ts = 0) {
  const result = ex.submit({ symbol: S, account: 'a', type: 'limit', price: null, cid: null, stp: 'none', ...o }, ts)
  if (!result.ok) throw new Error(`refused: ${result.code}`)
  return result.value
}

function code (ex: ReferenceExchange, o: Short, ts = 0): string {
  const result = ex.submit({ symbol: S, account: 'a', type: 'limit', price: null, cid: null, stp: 'none', ...o }, ts)
  return result.ok ? 'ok' : result.code
}

const fills = (trades: RefTrade[]) => trades.map((x) => [x.price, x.qty, x.maker, x.taker])
const book = (ex: ReferenceExchange) => ({ bids: ex.books.get(S)!.levels('buy'), asks: ex.books.get(S)!.levels('sell') })
const state = (o: RefOrder) => [o.status, o.filled, o.reason]
/** The ids resting on one side, in queue order (best price first, then time). */
const queue = (ex: ReferenceExchange, side: 'bids' | 'asks') => ex.books.get(S)![side].map((o) => [o.id, o.visible])

t.test('time in force', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 5, price: 100 })
  const ioc = put(ex, { side: 'buy', qty: 8, price: 100, tif: 'ioc' })
  t.same(state(ioc.order), ['cancelled', 5, null], 'limit + ioc: the rest is cancelled')
  const fok = put(ex, { side: 'buy', qty: 3, price: 100, tif: 'fok' })
  t.same(state(fok.order), ['rejected', 0, null], 'limit + fok with nothing to take: rejected')
  const gtd = put(ex, { side: 'buy', qty: 3, price: 99, tif: 'gtd', expireAt: 5000 }, 1000)
  t.same(state(gtd.order), ['pending', 0, null], 'gtd rests')
  t.equal(code(ex, { side: 'buy', qty: 3, price: 99, tif: 'gtd', expireAt: 1000 }, 1000), 'INVALID_EXPIRE_TIME', 'expire time at the command time')
  t.equal(code(ex, { side: 'buy', qty: 3, price: 99, tif: 'gtd', expireAt: 999 }, 1000), 'INVALID_EXPIRE_TIME', 'expire time before it')
  t.equal(ex.nextId, 5, 'a refusal uses no id')
})

t.test('post-only: rejected whole when it would take, even against its own account', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 5, price: 100 })
  const taking = put(ex, { side: 'buy', qty: 2, price: 101, postOnly: true, account: 'b' })
  t.same(state(taking.order), ['rejected', 0, 'POST_ONLY_WOULD_TAKE'])
  t.same(taking.trades, [])
  const own = put(ex, { side: 'buy', qty: 2, price: 100, postOnly: true })
  t.same(state(own.order), ['rejected', 0, 'POST_ONLY_WOULD_TAKE'], 'its own order at 100')
  const resting = put(ex, { side: 'buy', qty: 2, price: 99, postOnly: true })
  t.same(state(resting.order), ['pending', 0, null])
  t.same(book(ex), { bids: [[99, 2]], asks: [[100, 5]] })
})

t.test('post-only is not refused by a full cap when it would take (it is rejected instead)', async (t) => {
  const ex = exchange({ maxOpen: 1 })
  put(ex, { side: 'sell', qty: 5, price: 100 })
  t.equal(code(ex, { side: 'buy', qty: 2, price: 99, postOnly: true }), 'TOO_MANY_OPEN_ORDERS', 'would rest')
  t.same(state(put(ex, { side: 'buy', qty: 2, price: 100, postOnly: true }).order), ['rejected', 0, 'POST_ONLY_WOULD_TAKE'])
})

t.test('stops: wait off the book, count as open, refuse when they would trigger at once', async (t) => {
  const ex = exchange({ maxOpen: 3 })
  const stop = put(ex, { side: 'buy', type: 'stop_limit', qty: 2, price: 105, stop: 104 })
  t.same(state(stop.order), ['untriggered', 0, null])
  t.same(book(ex), { bids: [], asks: [] }, 'not in the public book')
  t.equal(ex.openOf('a').length, 1, 'open')
  t.equal(code(ex, { side: 'sell', type: 'stop_market', qty: 2, stop: 90 }), 'ok', 'no last trade price: any stop is taken')
  put(ex, { side: 'sell', qty: 1, price: 100, account: 'b' })
  t.equal(code(ex, { side: 'buy', type: 'stop_market', qty: 1, stop: 99 }), 'TOO_MANY_OPEN_ORDERS', 'a stop always counts as resting')
  put(ex, { side: 'buy', qty: 1, price: 100, account: 'c' })
  t.equal(ex.books.get(S)!.last, 100)
  t.equal(code(ex, { side: 'buy', type: 'stop_market', qty: 1, stop: 100 }), 'STOP_WOULD_TRIGGER', 'buy: last ≥ stop')
  t.equal(code(ex, { side: 'sell', type: 'stop_market', qty: 1, stop: 100 }), 'STOP_WOULD_TRIGGER', 'sell: last ≤ stop')
  t.equal(code(ex, { side: 'sell', type: 'stop_market', qty: 1, stop: 99 }), 'ok')
})

t.test('stop triggers: order of one trade\'s stops, the cascade, and whose trades the answer holds', async (t) => {
  const ex = exchange()
  // Asks 101 ×1 (b), 103 ×1 (b), 106 ×5 (b).
  put(ex, { side: 'sell', qty: 1, price: 101, account: 'b' })
  put(ex, { side: 'sell', qty: 1, price: 103, account: 'b' })
  put(ex, { side: 'sell', qty: 5, price: 106, account: 'b' })
  // Buy stops at 101 (id 4, market 1) and 100 (id 5, limit 103 ×1); 102 (id 6) is only reached by the cascade.
  put(ex, { side: 'buy', type: 'stop_market', qty: 1, stop: 101, account: 'c' })
  put(ex, { side: 'buy', type: 'stop_limit', qty: 1, price: 106, stop: 100, account: 'c' })
  put(ex, { side: 'buy', type: 'stop_limit', qty: 1, price: 106, stop: 103, account: 'c' })
  const taker = put(ex, { side: 'buy', qty: 1, price: 101, account: 'd' })
  t.same(fills(taker.trades), [[101, 1, '1', '7']], 'the answer holds the order\'s own trade')
  // Trade at 101 takes stops 5 (stop 100) then 4 (stop 101). 5 buys 103 (trade 103 takes 6); 4 buys at 106; 6 buys at 106.
  t.same(fills(taker.all), [[101, 1, '1', '7'], [103, 1, '2', '5'], [106, 1, '3', '4'], [106, 1, '3', '6']])
  for (const id of ['4', '5', '6']) t.equal(ex.orders.get(id)!.status, 'filled', `stop ${id} filled`)
  t.same(book(ex), { bids: [], asks: [[106, 3]] })
})

t.test('stop triggers: buys first by stop ascending, then sells by stop descending', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 1, price: 100, account: 'b' })
  put(ex, { side: 'sell', type: 'stop_limit', qty: 1, price: 50, stop: 101, account: 'c' }) // 2
  put(ex, { side: 'buy', type: 'stop_limit', qty: 1, price: 90, stop: 100, account: 'c' }) // 3
  put(ex, { side: 'sell', type: 'stop_limit', qty: 1, price: 50, stop: 102, account: 'c' }) // 4
  put(ex, { side: 'buy', type: 'stop_limit', qty: 1, price: 90, stop: 99, account: 'c' }) // 5
  // No last price yet: every stop was taken. Trade at 100 triggers all four: buys 5 (99), 3 (100); sells 4 (102), 2 (101).
  put(ex, { side: 'buy', qty: 1, price: 100, account: 'd' })
  // 5 and 3 rest at 90 (5 first); sell 4 at 50 takes 5, sell 2 takes 3.
  t.same(fills(ex.trades.slice(1)), [[90, 1, '5', '4'], [90, 1, '3', '2']])
})

t.test('a stop triggered by a trade with an iceberg\'s refreshed slice', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 6, price: 100, display: 2, account: 'b' }) // 1
  put(ex, { side: 'sell', qty: 1, price: 100, account: 'b' }) // 2
  put(ex, { side: 'buy', type: 'stop_market', qty: 1, stop: 100, account: 'c' }) // 3 (no last price yet)
  t.same(queue(ex, 'asks'), [['1', 2], ['2', 1]])
  // Buy 4: slice of 1 (2), refresh to the back, then 2 (1), then the fresh slice of 1 (1): three trades at 100.
  const taker = put(ex, { side: 'buy', qty: 4, price: 100, account: 'd' })
  t.same(fills(taker.trades), [[100, 2, '1', '4'], [100, 1, '2', '4'], [100, 1, '1', '4']])
  // The stop takes the rest of that slice (1 lot): 1 has 2 + 1 + 1 + ... filled = 4 of 6, slice 2 shows again.
  t.same(fills(taker.all.slice(3)), [[100, 1, '1', '3']])
  t.same(queue(ex, 'asks'), [['1', 2]], 'a fresh slice of 2 of the 2 left')
  t.equal(ex.orders.get('1')!.filled, 4)
})

t.test('icebergs: a fill takes at most the slice, each slice is a unit of work, a taker iceberg rests its slice', async (t) => {
  const ex = exchange({ maxFills: 2 })
  put(ex, { side: 'sell', qty: 5, price: 100, display: 2 })
  t.same(book(ex), { bids: [], asks: [[100, 2]] }, 'the level shows the slice')
  const taker = put(ex, { side: 'buy', qty: 5, price: 100, account: 'b' })
  t.same(fills(taker.trades), [[100, 2, '1', '2'], [100, 2, '1', '2']])
  t.same(state(taker.order), ['cancelled', 4, 'MATCH_LIMIT'], 'the third slice is past the cap')
  t.same(book(ex), { bids: [], asks: [[100, 1]] })
  const fok = put(ex, { side: 'buy', qty: 1, price: 100, tif: 'fok', account: 'b' })
  t.same(state(fok.order), ['filled', 1, null])
  const rest = put(ex, { side: 'buy', qty: 7, price: 99, display: 3, account: 'b' })
  t.same(book(ex), { bids: [[99, 3]], asks: [] })
  t.equal(rest.order.visible, 3)
})

t.test('fok counts hidden iceberg lots as liquidity', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 6, price: 100, display: 1 })
  const fok = put(ex, { side: 'buy', qty: 6, price: 100, tif: 'fok', account: 'b' })
  t.same(state(fok.order), ['filled', 6, null])
  t.equal(fok.trades.length, 6)
})

t.test('OCO: the list ends at the first fill, the trigger or any end of a leg', async (t) => {
  const oco = (ex: ReferenceExchange, extra: Partial<Parameters<ReferenceExchange['submitOco']>[0]> = {}) => {
    const result = ex.submitOco({ symbol: S, account: 'a', side: 'sell', qty: 2, price: 110, stop: 90, stopLimit: null, ...extra })
    if (!result.ok) throw new Error(result.code)
    return result.value
  }
  const ex = exchange()
  const list = oco(ex)
  t.same([list.limit.id, list.stop.id, list.limit.listId, list.stop.listId], ['1', '2', '1', '1'])
  t.same([list.limit.status, list.stop.status], ['pending', 'untriggered'])
  put(ex, { side: 'buy', qty: 1, price: 110, account: 'b' })
  t.same(state(list.limit), ['partially_filled', 1, null])
  t.same(state(list.stop), ['cancelled', 0, 'OCO'], 'the first fill of the limit leg')

  const trig = exchange()
  put(trig, { side: 'buy', qty: 1, price: 95, account: 'b' }) // 1
  put(trig, { side: 'buy', qty: 5, price: 80, account: 'b' }) // 2
  const second = oco(trig) // 3, 4
  put(trig, { side: 'sell', qty: 1, price: 95, account: 'c' }) // 5 trades at 95
  t.equal(second.stop.status, 'untriggered')
  put(trig, { side: 'buy', qty: 1, price: 90, account: 'b' }) // 6
  put(trig, { side: 'sell', qty: 1, price: 90, account: 'c' }) // 7 trades at 90: the stop triggers
  t.same(state(second.limit), ['cancelled', 0, 'OCO'], 'the trigger of the stop leg')
  t.same(state(second.stop), ['filled', 2, null], 'the stop market sold 2 at 80')

  const cancel = exchange()
  const third = oco(cancel)
  t.equal(cancel.cancel({ symbol: S, account: 'a', orderId: '2' }).ok, true)
  t.same([state(third.limit), state(third.stop)], [['cancelled', 0, 'OCO'], ['cancelled', 0, null]], 'a cancelled leg takes its peer')

  const all = exchange()
  const fourth = oco(all)
  all.cancelAll('a', null, null)
  t.same([state(fourth.limit), state(fourth.stop)], [['cancelled', 0, null], ['cancelled', 0, null]], 'cancel-all: each with its own reason')

  const taking = exchange()
  put(taking, { side: 'buy', qty: 1, price: 110, account: 'b' })
  const fifth = oco(taking)
  t.same(state(fifth.limit), ['partially_filled', 1, null], 'the limit leg trades on arrival')
  t.same(state(fifth.stop), ['cancelled', 0, 'OCO'])
  t.same(fills(fifth.own), [[110, 1, '1', '2']])
})

t.test('OCO refusals: two free places, the stop leg would trigger, amend', async (t) => {
  const ex = exchange({ maxOpen: 2 })
  put(ex, { side: 'sell', qty: 1, price: 120 })
  const refused = ex.submitOco({ symbol: S, account: 'a', side: 'sell', qty: 2, price: 110, stop: 90, stopLimit: 89 })
  t.same(refused, { ok: false, code: 'TOO_MANY_OPEN_ORDERS' })
  const perAccount = exchange({ maxPerAccount: 2 })
  put(perAccount, { side: 'sell', qty: 1, price: 120 })
  t.same(perAccount.submitOco({ symbol: S, account: 'a', side: 'sell', qty: 2, price: 110, stop: 90, stopLimit: 89 }), { ok: false, code: 'OPEN_ORDER_LIMIT' })
  const last = exchange()
  put(last, { side: 'sell', qty: 1, price: 95 })
  put(last, { side: 'buy', qty: 1, price: 95, account: 'b' })
  t.same(last.submitOco({ symbol: S, account: 'a', side: 'sell', qty: 2, price: 110, stop: 95, stopLimit: 89 }), { ok: false, code: 'STOP_WOULD_TRIGGER' })
  const placed = last.submitOco({ symbol: S, account: 'a', side: 'sell', qty: 2, price: 110, stop: 94, stopLimit: 89 })
  t.equal(placed.ok, true)
  t.same(last.amend({ symbol: S, account: 'a', orderId: '3', qty: 1 }), { ok: false, code: 'INVALID_AMEND' })
  t.same(last.amend({ symbol: S, account: 'a', orderId: '4', stop: 93 }), { ok: false, code: 'INVALID_AMEND' })
})

t.test('OCO: both legs due expire together; one expired leg cancels a peer not yet due', async (t) => {
  const ex = exchange()
  ex.submitOco({ symbol: S, account: 'a', side: 'buy', qty: 2, price: 90, stop: 110, stopLimit: 111, tif: 'gtd', expireAt: 5000 }, 1000)
  put(ex, { side: 'buy', qty: 1, price: 80, tif: 'gtd', expireAt: 4000 }, 1000) // 3
  t.same(ex.expire(3999).map((o) => o.id), [], 'nothing due')
  t.same(ex.expire(5000).map((o) => o.id), ['3', '1', '2'], 'expireAt ascending, then number')
  t.same(state(ex.orders.get('2')!), ['expired', 0, null])
})

t.test('GTD expiry of untriggered stops and resting orders, in every trading status', async (t) => {
  const ex = exchange()
  put(ex, { side: 'buy', type: 'stop_market', qty: 1, stop: 110, tif: 'gtd', expireAt: 3000 }, 1000)
  put(ex, { side: 'sell', qty: 1, price: 120, tif: 'gtd', expireAt: 2000 }, 1000)
  put(ex, { side: 'sell', qty: 1, price: 121 }, 1000)
  ex.setTradingStatus(S, 'halted')
  t.same(ex.expire(3000).map((o) => [o.id, o.status, o.reason]), [['2', 'expired', null], ['1', 'expired', null]])
  t.same(ex.openOf('a').map((o) => o.id), ['3'])
})

t.test('amend: reduction keeps its place, an increase or a new price goes to the back', async (t) => {
  const ex = exchange()
  put(ex, { side: 'buy', qty: 5, price: 100 }) // 1
  put(ex, { side: 'buy', qty: 5, price: 100 }) // 2
  put(ex, { side: 'buy', qty: 5, price: 100, display: 2 }) // 3
  t.equal(ex.amend({ symbol: S, account: 'a', orderId: '1', qty: 4 }).ok, true)
  t.same(queue(ex, 'bids'), [['1', 4], ['2', 5], ['3', 2]], 'keeps its place')
  t.equal(ex.amend({ symbol: S, account: 'a', orderId: '3', qty: 1 }).ok, true)
  t.same(queue(ex, 'bids'), [['1', 4], ['2', 5], ['3', 1]], 'an iceberg reduced below its slice shows what is left')
  t.equal(ex.amend({ symbol: S, account: 'a', orderId: '1', qty: 6 }).ok, true)
  t.same(queue(ex, 'bids'), [['2', 5], ['3', 1], ['1', 6]], 'an increase goes to the back')
  t.equal(ex.amend({ symbol: S, account: 'a', orderId: '2', price: 101 }).ok, true)
  t.same(queue(ex, 'bids'), [['2', 5], ['3', 1], ['1', 6]], 'a new better price: first at its new level')
  t.same(book(ex), { bids: [[101, 5], [100, 7]], asks: [] })
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '2', price: 101 }), { ok: false, code: 'INVALID_AMEND' }, 'no change')
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '2' }), { ok: false, code: 'INVALID_AMEND' }, 'nothing given')
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '2', stop: 99 }), { ok: false, code: 'INVALID_AMEND' }, 'stop price on a limit order')
  t.same(ex.amend({ symbol: S, account: 'b', orderId: '2', qty: 1 }), { ok: false, code: 'ORDER_NOT_FOUND' }, 'another account\'s')
  t.same(ex.amend({ symbol: S, account: 'a', qty: 1 }), { ok: false, code: 'MISSING_ORDER_ID' })
  t.same(ex.amend({ symbol: 'NOPE-USD', account: 'a', orderId: '2', qty: 1 }), { ok: false, code: 'SYMBOL_NOT_FOUND' })
})

t.test('amend: a crossing price trades as a taker, then triggers stops; at or below filled completes', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 2, price: 101, account: 'b' }) // 1
  put(ex, { side: 'sell', qty: 3, price: 104, account: 'b' }) // 2
  put(ex, { side: 'buy', type: 'stop_limit', qty: 1, price: 104, stop: 101, account: 'c' }) // 3
  put(ex, { side: 'buy', qty: 5, price: 100 }) // 4
  const amended = ex.amend({ symbol: S, account: 'a', orderId: '4', price: 102 })
  t.ok(amended.ok)
  if (!amended.ok) return
  t.same(fills(amended.value.own), [[101, 2, '1', '4']])
  t.same(fills(amended.value.all), [[101, 2, '1', '4'], [104, 1, '2', '3']], 'the stop at 101 triggered')
  t.same(state(amended.value.order), ['partially_filled', 2, null])
  t.same(book(ex), { bids: [[102, 3]], asks: [[104, 2]] })
  const done = ex.amend({ symbol: S, account: 'a', orderId: '4', qty: 2 })
  t.same(done.ok && state(done.value.order), ['filled', 2, null])
  t.equal(done.ok && done.value.order.qty, 2)
  t.same(book(ex), { bids: [], asks: [[104, 2]] })
})

t.test('amend: post-only, stops, trading status', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 2, price: 101, account: 'b' }) // 1
  put(ex, { side: 'buy', qty: 2, price: 100, postOnly: true }) // 2
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '2', price: 101 }), { ok: false, code: 'POST_ONLY_WOULD_TAKE' })
  t.same(ex.orders.get('2')!.price, 100, 'unchanged')
  put(ex, { side: 'buy', type: 'stop_market', qty: 1, stop: 105 }) // 3
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '3', price: 104 }), { ok: false, code: 'INVALID_AMEND' }, 'a price on a stop market')
  const moved = ex.amend({ symbol: S, account: 'a', orderId: '3', stop: 106, qty: 4 })
  t.same(moved.ok && [moved.value.order.status, moved.value.order.stop, moved.value.order.qty], ['untriggered', 106, 4])
  put(ex, { side: 'buy', qty: 1, price: 101, account: 'c' }) // 4: last 101
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '3', stop: 101 }), { ok: false, code: 'STOP_WOULD_TRIGGER' })
  ex.setTradingStatus(S, 'cancel_only')
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '2', qty: 3 }), { ok: false, code: 'SYMBOL_CANCEL_ONLY' })
  t.equal(ex.amend({ symbol: S, account: 'a', orderId: '2', qty: 1 }).ok, true, 'a reduction is taken')
  ex.setTradingStatus(S, 'halted')
  t.same(ex.amend({ symbol: S, account: 'a', orderId: '2', qty: 1 }), { ok: false, code: 'SYMBOL_HALTED' })
  t.equal(code(ex, { side: 'buy', qty: 1, price: 90 }), 'SYMBOL_HALTED')
  t.equal(ex.cancel({ symbol: S, account: 'a', orderId: '2' }).ok, true, 'cancels work')
  ex.setTradingStatus(S, 'cancel_only')
  t.equal(code(ex, { side: 'buy', qty: 1, price: 90 }), 'SYMBOL_CANCEL_ONLY')
})

t.test('quote-sized market orders', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 2, price: 10, account: 'b' })
  put(ex, { side: 'sell', qty: 5, price: 12, account: 'b' })
  // Budget 50: 2 at 10 (20 spent), then floor(30 / 12) = 2 at 12 (24), 6 left < 12: filled.
  const buy = put(ex, { side: 'buy', type: 'market', qty: 1000000, quote: 50 })
  t.same(fills(buy.trades), [[10, 2, '1', '3'], [12, 2, '2', '3']])
  t.same([buy.order.status, buy.order.filled, buy.order.qty, buy.order.reason], ['filled', 4, 4, null])
  // Budget 36 = 3 × 12 exactly: on a lot boundary, filled.
  const exact = put(ex, { side: 'buy', type: 'market', qty: 1000000, quote: 36 })
  t.same([exact.order.status, exact.order.filled], ['filled', 3])
  t.same(book(ex), { bids: [], asks: [] })
  put(ex, { side: 'sell', qty: 1, price: 20, account: 'b' })
  const poor = put(ex, { side: 'buy', type: 'market', qty: 1000000, quote: 19 })
  t.same([poor.order.status, poor.order.filled, poor.order.qty], ['cancelled', 0, 0], 'cannot afford a lot')
  const rich = put(ex, { side: 'buy', type: 'market', qty: 1000000, quote: 100 })
  t.same([rich.order.status, rich.order.filled, rich.order.reason], ['cancelled', 1, null], 'the book ran out')
  put(ex, { side: 'buy', qty: 3, price: 7, account: 'b' })
  const sell = put(ex, { side: 'sell', type: 'market', qty: 1000000, quote: 14 })
  t.same([sell.order.status, sell.order.filled], ['filled', 2], 'a sell receives up to its quote quantity')
})

t.test('price band: market and stop-market orders stop at it', async (t) => {
  const ex = exchange({ priceBand: '0.05' })
  put(ex, { side: 'sell', qty: 1, price: 100, account: 'b' })
  put(ex, { side: 'sell', qty: 1, price: 105, account: 'b' })
  put(ex, { side: 'sell', qty: 1, price: 106, account: 'b' })
  const first = put(ex, { side: 'buy', type: 'market', qty: 3 })
  t.same(state(first.order), ['filled', 3, null], 'no last trade price: no band')
  put(ex, { side: 'sell', qty: 1, price: 100, account: 'b' })
  put(ex, { side: 'sell', qty: 1, price: 105, account: 'b' })
  put(ex, { side: 'sell', qty: 1, price: 107, account: 'b' })
  put(ex, { side: 'buy', qty: 1, price: 100, account: 'c' }) // last 100: a buy trades up to floor(105) = 105
  const banded = put(ex, { side: 'buy', type: 'market', qty: 3 })
  t.same(fills(banded.trades).map((x) => x[0]), [105])
  t.same(state(banded.order), ['cancelled', 1, 'PRICE_BAND'])
  put(ex, { side: 'buy', qty: 1, price: 94, account: 'c' })
  put(ex, { side: 'buy', qty: 1, price: 95, account: 'c' })
  // last 105 now: a sell trades down to ceil(99.75) = 100.
  const sell = put(ex, { side: 'sell', type: 'market', qty: 2 })
  t.same(state(sell.order), ['cancelled', 0, 'PRICE_BAND'])
  const limit = put(ex, { side: 'sell', qty: 1, price: 94 })
  t.same(state(limit.order), ['filled', 1, null], 'limit orders ignore the band')
})

t.test('caps: stops count, an order that would not rest is still taken', async (t) => {
  const ex = exchange({ maxPerAccount: 1 })
  put(ex, { side: 'buy', type: 'stop_market', qty: 1, stop: 110 })
  t.equal(code(ex, { side: 'sell', qty: 1, price: 120 }), 'OPEN_ORDER_LIMIT')
  t.equal(code(ex, { side: 'sell', type: 'market', qty: 1 }), 'ok')
  t.equal(code(ex, { side: 'sell', qty: 1, price: 120, account: 'b' }), 'ok')
  t.equal(code(ex, { side: 'buy', qty: 1, price: 120 }), 'ok', 'it fills')
  t.equal(code(ex, { side: 'buy', qty: 1, price: 90, cid: 'x', account: 'c' }), 'ok')
  t.equal(code(ex, { side: 'buy', qty: 1, price: 90, cid: 'x', account: 'c' }), 'DUPLICATE_CLIENT_ORDER_ID')
})

t.test('a triggered post-only stop limit that would take is rejected; a triggered one rests at the back', async (t) => {
  const ex = exchange()
  put(ex, { side: 'sell', qty: 1, price: 100, account: 'b' }) // 1
  put(ex, { side: 'sell', qty: 1, price: 101, account: 'b' }) // 2
  put(ex, { side: 'buy', type: 'stop_limit', qty: 1, price: 101, stop: 100, postOnly: true }) // 3
  put(ex, { side: 'buy', type: 'stop_limit', qty: 2, price: 99, stop: 100, display: 1 }) // 4
  put(ex, { side: 'buy', qty: 1, price: 99, account: 'c' }) // 5
  put(ex, { side: 'buy', qty: 1, price: 100, account: 'c' }) // 6 trades at 100
  t.same(state(ex.orders.get('3')!), ['rejected', 0, 'POST_ONLY_WOULD_TAKE'])
  t.same(queue(ex, 'bids'), [['5', 1], ['4', 1]], 'the iceberg stop rests its slice behind 5')
})
