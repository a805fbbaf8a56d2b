/**
 * The cap on resting orders per symbol, and the price-level bound it gives:
 * max quantity × max open orders ≤ 2^53 − 1 lots, checked per symbol when the
 * engine is built, so no level can fill up.
 */
import t from 'tap'
import { DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL, MatchingEngine, type Command } from '../../src/engine/index.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, levels, place, unitEngine } from '../helpers/engine.js'

const submit = (engine: MatchingEngine, side: 'buy' | 'sell', orderType: string, quantity: number, price?: number) =>
  engine.submit({ symbol: UNIT.symbol, side, orderType, quantity, price })

t.test('at the cap a limit order that would rest is refused before it is journaled', async (t) => {
  const commands: Command[] = []
  const e = unitEngine({ maxOpenOrdersPerSymbol: 3, onCommand: (c) => commands.push(c) })
  for (const price of [101, 102, 103]) place(e, { side: 'sell', qty: 2, price })
  const sequence = e.sequence
  const refused = submit(e, 'buy', 'limit', 1, 90)
  t.same(refused.ok ? 'ok' : [refused.code, refused.message], ['TOO_MANY_OPEN_ORDERS',
    'UNIT-USD holds its maximum of 3 open orders; only orders that do not rest are taken until some are filled or cancelled'])
  t.same([e.sequence, commands.length, e.nextOrderSeq], [sequence, 3, 4], 'nothing ran, nothing journaled, no id used')
  const partly = submit(e, 'buy', 'limit', 3, 101)
  t.equal(partly.ok ? 'ok' : partly.code, 'TOO_MANY_OPEN_ORDERS', 'a limit order that would leave a remainder resting is refused too')
  t.same(levels(e).asks, [[101, 2], [102, 2], [103, 2]], 'book untouched')
})

t.test('at the cap, orders that do not rest are still taken', async (t) => {
  const e = unitEngine({ maxOpenOrdersPerSymbol: 3 })
  for (const price of [101, 102, 103]) place(e, { side: 'sell', qty: 2, price })
  const ok = (result: ReturnType<typeof submit>) => result.ok ? result.value.order.status : result.code
  t.equal(ok(submit(e, 'buy', 'market', 1)), 'filled')
  t.equal(ok(submit(e, 'buy', 'ioc', 5, 90)), 'cancelled')
  t.equal(ok(submit(e, 'buy', 'fok', 5, 90)), 'rejected')
  t.equal(ok(submit(e, 'buy', 'limit', 3, 102)), 'filled', 'a limit order that fills completely')
  t.equal(e.book(UNIT.symbol)!.openCount, 1)
  t.equal(ok(submit(e, 'sell', 'limit', 1, 104)), 'pending', 'below the cap again: rests')
  t.equal(ok(submit(e, 'sell', 'limit', 1, 105)), 'pending')
  t.equal(ok(submit(e, 'sell', 'limit', 1, 106)), 'TOO_MANY_OPEN_ORDERS')
  t.ok(e.cancel({ symbol: UNIT.symbol, orderId: '3' }).ok)
  t.equal(ok(submit(e, 'sell', 'limit', 1, 106)), 'pending', 'a cancel frees a place')
  t.same(engineProblems(e), [])
})

t.test('at the cap, a limit order that the trade cap would end is taken (it does not rest either)', async (t) => {
  const e = unitEngine({ maxOpenOrdersPerSymbol: 3, maxFillsPerOrder: 2 })
  for (const price of [101, 102, 103]) place(e, { side: 'sell', qty: 1, price })
  const result = submit(e, 'buy', 'limit', 10, 103)
  t.same(result.ok && [result.value.order.status, result.value.order.cancelReason], ['cancelled', 'MATCH_LIMIT'])
  t.same(engineProblems(e), [])
})

t.test('the cap is per symbol', async (t) => {
  const other = { ...UNIT, symbol: 'TWO-USD' }
  const e = new MatchingEngine({ symbols: [UNIT, other], maxOpenOrdersPerSymbol: 1 })
  t.ok(submit(e, 'buy', 'limit', 1, 90).ok)
  t.notOk(submit(e, 'buy', 'limit', 1, 91).ok)
  t.ok(e.submit({ symbol: 'TWO-USD', side: 'buy', orderType: 'limit', quantity: 1, price: 90 }).ok)
})

t.test('a symbol whose max quantity × open-order cap could overflow a level is refused when the engine is built', async (t) => {
  const big = { ...UNIT, symbol: 'BIG-USD', maxQuantity: '3002399751580331' }
  t.throws(() => new MatchingEngine({ symbols: [big], maxOpenOrdersPerSymbol: 3 }),
    /symbol BIG-USD: max quantity 3002399751580331 \(3002399751580331 lots of 1\) × 3 open orders could pass 2\^53 - 1 lots/)
  t.doesNotThrow(() => new MatchingEngine({ symbols: [{ ...big, maxQuantity: '3002399751580330' }], maxOpenOrdersPerSymbol: 3 }), 'exactly at the bound')
  const seedDefault = { symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001', maxQuantity: '1000000' }
  t.throws(() => new MatchingEngine({ symbols: [seedDefault] }), /could pass 2\^53 - 1 lots/, 'the old default max quantity with the default cap')
  t.doesNotThrow(() => new MatchingEngine(), 'the default symbols fit the default cap')
})

t.test('at the bound, the cap is reached before any level is full', async (t) => {
  const big = { ...UNIT, symbol: 'BIG-USD', maxQuantity: '3002399751580330' }
  const e = new MatchingEngine({ symbols: [big], maxOpenOrdersPerSymbol: 3 })
  const order = () => e.submit({ symbol: 'BIG-USD', side: 'sell', orderType: 'limit', quantity: '3002399751580330', price: 7 })
  for (let i = 0; i < 3; i++) t.ok(order().ok)
  t.equal(e.book('BIG-USD')!.asks.best()!.totalLots, 3 * 3002399751580330, 'exact, and below 2^53')
  const refused = order()
  t.equal(refused.ok ? 'ok' : refused.code, 'TOO_MANY_OPEN_ORDERS')
})

t.test('default limits: a level of maximum-size orders holds up to the cap (the seed refused the 91st for everyone)', async (t) => {
  const e = new MatchingEngine()
  const order = () => e.submit({ symbol: 'BTC-USDT', side: 'sell', orderType: 'limit', quantity: '900', price: '30000' })
  let accepted = 0
  while (accepted <= DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL && order().ok) accepted++
  t.equal(accepted, DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL)
  const refused = order()
  t.equal(refused.ok ? 'ok' : refused.code, 'TOO_MANY_OPEN_ORDERS')
  const level = e.book('BTC-USDT')!.asks.best()!
  t.ok(Number.isSafeInteger(level.totalLots) && level.totalLots === 900e8 * DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL)
})
