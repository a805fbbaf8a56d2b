/**
 * Issue 12's order types through a snapshot, as the engine makes them:
 * untriggered stops, icebergs mid-slice, GTD orders, post-only orders, an
 * OCO list and a halted symbol are exported and imported exactly, and the
 * restored engine goes on exactly as the original (a trigger, an expiry, an
 * OCO cancel, an iceberg refresh): same digest and same state after each step.
 */
import t from 'tap'
import { MatchingEngine, exportState, importState, stateDigest, type EngineState, type NewOrderInput } from '../../src/engine/index.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

const TWO = { ...UNIT, symbol: 'TWO-USD' }
const T0 = 1_700_000_000_000

const engine = () => new MatchingEngine({ symbols: [UNIT, TWO], clock: steppingClock(T0) })

function ok<T> (result: { ok: true, value: T } | { ok: false, code: string, message: string }): T {
  if (!result.ok) throw new Error(`unexpected rejection: ${result.code} ${result.message}`)
  return result.value
}

const order = (fields: Partial<NewOrderInput>): NewOrderInput => ({ symbol: UNIT.symbol, side: 'buy', orderType: 'limit', quantity: 1, ...fields })

/** A book with a last trade at 100 and one of each kind of open order. */
function busyEngine (): MatchingEngine {
  const e = engine()
  ok(e.submit(order({ side: 'sell', quantity: 1, price: 100 })))
  ok(e.submit(order({ side: 'buy', quantity: 1, price: 100 })))
  ok(e.submit(order({ orderType: 'stop_limit', stopPrice: 105, price: 106, quantity: 2, clientOrderId: 'up' })))
  ok(e.submit(order({ side: 'sell', orderType: 'stop_market', stopPrice: 95, quantity: 1, timeInForce: 'gtd', expireTime: T0 + 60_000 })))
  ok(e.submit(order({ side: 'sell', quantity: 10, price: 103, displayQuantity: 3 })))
  ok(e.submit(order({ quantity: 1, price: 103 })))
  ok(e.submit(order({ quantity: 3, price: 97, timeInForce: 'gtd', expireTime: T0 + 30_000, clientOrderId: 'gtd' })))
  ok(e.submit(order({ quantity: 1, price: 96, postOnly: true })))
  ok(e.submitOco({ symbol: UNIT.symbol, side: 'buy', quantity: 1, price: 98, stopPrice: 107, stopLimitPrice: 108, limitClientOrderId: 'tp', stopClientOrderId: 'sl' }))
  ok(e.submit(order({ symbol: TWO.symbol, side: 'sell', quantity: 2, price: 50 })))
  ok(e.setTradingStatus(TWO.symbol, 'halted'))
  return e
}

function restoredFrom (e: MatchingEngine): MatchingEngine {
  const back = engine()
  importState(back, JSON.parse(JSON.stringify(exportState(e))) as EngineState)
  return back
}

t.test('stops, icebergs, GTD, post-only, an OCO list and a trading status survive a snapshot exactly', async (t) => {
  const e = busyEngine()
  const state = exportState(e)
  const unit = state.books[0]
  t.same(unit.stops!.map((tuple) => tuple[0]), ['3', '4', '10'], 'the untriggered stops, by number')
  t.equal(state.books[1].tradingStatus, 'halted')
  const back = restoredFrom(e)
  t.same(exportState(back), state)
  t.equal(stateDigest(back), stateDigest(e))
  t.same(engineProblems(back), [])
  t.same([...back.book(UNIT.symbol)!.stopOrders()].map((o) => [o.id, o.status]), [['3', 'untriggered'], ['4', 'untriggered'], ['10', 'untriggered']])
  t.equal(back.nextExpiry(), T0 + 30_000, 'the GTD orders are in the expiry queue')
  t.match(back.findOrder(UNIT.symbol, { clientOrderId: 'up' }), { ok: true, value: { id: '3', status: 'untriggered', stopPriceTicks: 105 } }, 'a stop is found by client id')
  t.same(back.openOrders('anonymous', UNIT.symbol, 20, null).items.map((o) => o.id), ['10', '9', '8', '7', '5', '4', '3'], 'stops are open orders of their account')
  const limitLeg = back.book(UNIT.symbol)!.openOrder('9')!
  t.equal(limitLeg.ocoPeer?.id, '10', 'the OCO legs point at each other')
  t.equal(limitLeg.ocoPeer?.ocoPeer, limitLeg)
  const iceberg = back.book(UNIT.symbol)!.openOrder('5')!
  t.same([iceberg.displayLots, iceberg.visibleLots, iceberg.remainingLots], [3, 2, 9], 'the iceberg mid-slice')
})

t.test('the restored engine goes on exactly as the original', async (t) => {
  const e = busyEngine()
  const back = restoredFrom(e)
  const steps: Array<[string, (x: MatchingEngine) => unknown]> = [
    ['an iceberg refresh', (x) => ok(x.submit(order({ quantity: 4, price: 103, timeInForce: 'ioc' }), T0 + 1000))],
    ['the OCO limit leg fills: its stop leg is cancelled', (x) => ok(x.submit(order({ side: 'sell', quantity: 1, price: 98 }), T0 + 1001))],
    ['the iceberg runs out', (x) => ok(x.submit(order({ quantity: 5, price: 103 }), T0 + 1002))],
    ['an ask at 105', (x) => ok(x.submit(order({ side: 'sell', quantity: 1, price: 105 }), T0 + 1003))],
    ['a trade at 105 triggers the buy stop', (x) => ok(x.submit(order({ quantity: 1, price: 105 }), T0 + 1004))],
    ['an amend of the sell stop', (x) => ok(x.amend({ symbol: UNIT.symbol, orderId: '4', newStopPrice: 90 }, T0 + 1005))],
    ['the first expiry', (x) => ok(x.expire(T0 + 30_000))],
    ['the second expiry', (x) => ok(x.expire(T0 + 60_000))],
    ['trading again', (x) => ok(x.setTradingStatus(TWO.symbol, 'trading'))]
  ]
  for (const [what, step] of steps) {
    step(e)
    step(back)
    t.equal(stateDigest(back), stateDigest(e), what)
    t.same(exportState(back), exportState(e), what)
  }
  t.same(engineProblems(back), [])
  t.equal(back.nextExpiry(), null)
})
