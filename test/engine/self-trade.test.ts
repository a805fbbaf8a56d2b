/**
 * Self-trade prevention, one worked example per rule of issue 10:
 * cancel_maker cancels the resting order and keeps matching, cancel_taker
 * cancels the rest of the incoming order (trades already made stand),
 * cancel_both does both, none lets the trade happen; a FOK that could not
 * fill completely is rejected whole with nothing changed; each self-trade
 * cancellation is one unit of the work cap. The random flows in
 * property-accounts.test.ts check the same rules against the reference model.
 */
import t from 'tap'
import { MatchingEngine, type EngineEvent, type NewOrderInput, type OrderOutcome } from '../../src/engine/index.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, levels, unitEngine } from '../helpers/engine.js'

interface Short { side: 'buy' | 'sell', type?: string, qty: number, price?: number, stp?: string }

function as (engine: MatchingEngine, accountId: string, o: Short): OrderOutcome {
  const input: NewOrderInput = { symbol: UNIT.symbol, side: o.side, orderType: o.type ?? 'limit', quantity: o.qty, price: o.price, accountId, stp: o.stp }
  const result = engine.submit(input)
  if (!result.ok) throw new Error(`unexpected rejection: ${result.code} ${result.message}`)
  return result.value
}

/** asks: alice 1 @100, bob 1 @100, alice 2 @101, bob 2 @102 (in that time order). */
function book (options = {}) {
  const engine = unitEngine(options)
  const makers = [
    as(engine, 'alice', { side: 'sell', qty: 1, price: 100 }).order,
    as(engine, 'bob', { side: 'sell', qty: 1, price: 100 }).order,
    as(engine, 'alice', { side: 'sell', qty: 2, price: 101 }).order,
    as(engine, 'bob', { side: 'sell', qty: 2, price: 102 }).order
  ]
  const events: EngineEvent[][] = []
  engine.addListener((batch) => events.push([...batch]))
  return { engine, makers, events }
}

const state = (o: { status: string, filledLots: number, cancelReason: string | null }) => [o.status, o.filledLots, o.cancelReason]
const traded = (outcome: OrderOutcome) => outcome.trades.map((x) => `${x.makerOrderId}:${x.quantityLots}@${x.priceTicks}`)

t.test('cancel_maker: each resting order of the same account is cancelled and matching goes on', async (t) => {
  const { engine, makers, events } = book()
  const taker = as(engine, 'alice', { side: 'buy', qty: 3, price: 102, stp: 'cancel_maker' })
  t.same(traded(taker), ['2:1@100', '4:2@102'], 'trades only with bob')
  t.same(state(taker.order), ['filled', 3, null])
  t.same(state(makers[0]), ['cancelled', 0, 'SELF_TRADE_PREVENTION'])
  t.same(state(makers[2]), ['cancelled', 0, 'SELF_TRADE_PREVENTION'])
  t.same(levels(engine), { bids: [], asks: [] })
  t.same(events[0].filter((e) => e.type === 'order').map((e) => e.type === 'order' && `${e.order.id}:${e.eventType}:${e.order.cancelReason}`),
    ['1:cancelled:SELF_TRADE_PREVENTION', '2:filled:null', '3:cancelled:SELF_TRADE_PREVENTION', '4:filled:null', '5:filled:null'], 'each cancellation is an event')
  t.same(engineProblems(engine), [])
})

t.test('cancel_taker: trades already made stand, the rest of the incoming order is cancelled, the resting order stays', async (t) => {
  const { engine, makers } = book()
  const taker = as(engine, 'bob', { side: 'buy', qty: 3, price: 101, stp: 'cancel_taker' })
  t.same(traded(taker), ['1:1@100'], 'the trade with alice before bob met his own order stands')
  t.same(state(taker.order), ['cancelled', 1, 'SELF_TRADE_PREVENTION'])
  t.same(state(makers[1]), ['pending', 0, null], "bob's resting order is untouched")
  t.same(levels(engine), { bids: [], asks: [[100, 1], [101, 2], [102, 2]] }, 'a limit order stopped this way does not rest')
  const market = as(engine, 'bob', { side: 'buy', type: 'market', qty: 5, stp: 'cancel_taker' })
  t.same([traded(market), state(market.order)], [[], ['cancelled', 0, 'SELF_TRADE_PREVENTION']], 'stopped at once: nothing traded')
  t.same(engineProblems(engine), [])
})

t.test('cancel_both: the resting order and the rest of the incoming one are both cancelled', async (t) => {
  const { engine, makers } = book()
  const taker = as(engine, 'bob', { side: 'buy', qty: 3, price: 101, stp: 'cancel_both' })
  t.same(traded(taker), ['1:1@100'])
  t.same(state(taker.order), ['cancelled', 1, 'SELF_TRADE_PREVENTION'])
  t.same(state(makers[1]), ['cancelled', 0, 'SELF_TRADE_PREVENTION'])
  t.same(state(makers[2]), ['pending', 0, null], 'matching stopped there')
  t.same(levels(engine), { bids: [], asks: [[101, 2], [102, 2]] })
  t.same(engineProblems(engine), [])
})

t.test('none: the account trades with itself; other accounts never meet prevention', async (t) => {
  const { engine } = book()
  const taker = as(engine, 'alice', { side: 'buy', qty: 2, price: 100, stp: 'none' })
  t.same(taker.trades.map((x) => [x.makerAccountId, x.takerAccountId]), [['alice', 'alice'], ['bob', 'alice']])
  t.same(state(taker.order), ['filled', 2, null])
  const carol = as(engine, 'carol', { side: 'buy', qty: 4, price: 102, stp: 'cancel_both' })
  t.same([traded(carol), state(carol.order)], [['3:2@101', '4:2@102'], ['filled', 4, null]])
})

t.test('cancel_maker on a limit order: its own orders go, the rest rests', async (t) => {
  const { engine, makers } = book()
  const taker = as(engine, 'alice', { side: 'buy', qty: 2, price: 101, stp: 'cancel_maker' })
  t.same([traded(taker), state(taker.order)], [['2:1@100'], ['partially_filled', 1, null]])
  t.same([makers[0].status, makers[2].status], ['cancelled', 'cancelled'])
  t.same(levels(engine), { bids: [[101, 1]], asks: [[102, 2]] })
  t.same(engineProblems(engine), [])
})

t.test('a FOK that cannot fill completely is rejected whole: no trade, no maker cancelled', async (t) => {
  const { engine, makers } = book()
  const before = levels(engine)
  const short = as(engine, 'alice', { side: 'buy', type: 'fok', qty: 2, price: 101, stp: 'cancel_maker' })
  t.same([traded(short), state(short.order)], [[], ['rejected', 0, null]], 'its own orders do not count as liquidity')
  const stopped = as(engine, 'bob', { side: 'buy', type: 'fok', qty: 2, price: 101, stp: 'cancel_taker' })
  t.same([traded(stopped), state(stopped.order)], [[], ['rejected', 0, 'SELF_TRADE_PREVENTION']], 'prevention would stop it: rejected, and says why')
  const both = as(engine, 'bob', { side: 'buy', type: 'fok', qty: 2, price: 101, stp: 'cancel_both' })
  t.same(state(both.order), ['rejected', 0, 'SELF_TRADE_PREVENTION'])
  t.same(levels(engine), before, 'the book is as it was')
  t.same(makers.map((m) => m.status), ['pending', 'pending', 'pending', 'pending'])

  const enough = as(engine, 'bob', { side: 'buy', type: 'fok', qty: 1, price: 100, stp: 'cancel_taker' })
  t.same([traded(enough), state(enough.order)], [['1:1@100'], ['filled', 1, null]], 'filled before it reached its own order')
  const fills = as(engine, 'alice', { side: 'buy', type: 'fok', qty: 3, price: 102, stp: 'cancel_maker' })
  t.same([traded(fills), state(fills.order)], [['2:1@100', '4:2@102'], ['filled', 3, null]], 'fills once its own orders are out of the way')
  t.same(state(makers[2]), ['cancelled', 0, 'SELF_TRADE_PREVENTION'])
  t.same(engineProblems(engine), [])
})

t.test('each self-trade cancellation is one unit of the cap on work per order', async (t) => {
  const two = book({ maxFillsPerOrder: 2 })
  const fok = as(two.engine, 'alice', { side: 'buy', type: 'fok', qty: 3, price: 102, stp: 'cancel_maker' })
  t.same(state(fok.order), ['rejected', 0, 'MATCH_LIMIT'], 'a FOK needing more work than the cap')
  t.equal(two.makers[0].status, 'pending', 'and nothing cancelled')
  const capped = as(two.engine, 'alice', { side: 'buy', qty: 3, price: 102, stp: 'cancel_maker' })
  t.same([traded(capped), state(capped.order)], [['2:1@100'], ['cancelled', 1, 'MATCH_LIMIT']], 'cancel + trade = 2 units: capped')
  t.same(state(two.makers[2]), ['pending', 0, null], 'past the cap: untouched')

  const three = book({ maxFillsPerOrder: 3 })
  const limit = as(three.engine, 'alice', { side: 'buy', qty: 3, price: 102, stp: 'cancel_maker' })
  t.same([traded(limit), state(limit.order)], [['2:1@100'], ['cancelled', 1, 'MATCH_LIMIT']], 'cancel, trade, cancel: the cap ends it before bob @102')
  t.same(levels(three.engine), { bids: [], asks: [[102, 2]] })

  const exact = book({ maxFillsPerOrder: 3 })
  const rests = as(exact.engine, 'alice', { side: 'buy', qty: 2, price: 101, stp: 'cancel_maker' })
  t.same(state(rests.order), ['partially_filled', 1, null], 'the cap reached with nothing more crossing: the rest rests')
  const stoppedFok = exact.engine.submit({ symbol: UNIT.symbol, side: 'buy', orderType: 'fok', quantity: 2, price: 102, accountId: 'bob', stp: 'cancel_taker' })
  t.match(stoppedFok, { ok: true, value: { order: { status: 'rejected', cancelReason: 'SELF_TRADE_PREVENTION' } } }, 'its own order at 102 stops it')
  t.same(engineProblems(exact.engine), [])
})
