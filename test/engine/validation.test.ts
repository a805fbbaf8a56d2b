import t from 'tap'
import { MatchingEngine, type NewOrderInput } from '../../src/engine/index.js'
import { steppingClock } from '../helpers/clock.js'

const engine = () => new MatchingEngine({ clock: steppingClock() })
const order = (over: Partial<NewOrderInput>): NewOrderInput =>
  ({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', quantity: '0.001', price: '30000.00', ...over })

t.test('symbol, side and type are case-insensitive and normalised', async (t) => {
  const r = engine().submit(order({ symbol: 'btc-usdt', side: 'BUY', orderType: 'Limit' }))
  t.ok(r.ok)
  if (!r.ok) return
  t.equal(r.value.order.symbol, 'BTC-USDT')
  t.equal(r.value.order.side, 'buy')
  t.equal(r.value.order.type, 'limit')
})

t.test('decimals are exact, from strings or numbers', async (t) => {
  const e = engine()
  const r = e.submit(order({ quantity: 0.1, price: 30000.1 }))
  t.ok(r.ok)
  if (!r.ok) return
  t.equal(r.value.order.quantityLots, 10_000_000)
  t.equal(r.value.order.priceTicks, 3_000_010)
  const s = e.submit(order({ quantity: '0.00001', price: '1000000000.00' }))
  t.ok(s.ok, 'the minimum quantity at a high price')
})

const rejected: Array<[string, Partial<NewOrderInput>, RegExp]> = [
  ['price off the tick', { price: '30000.001' }, /PRICE_FILTER/],
  ['quantity off the lot', { quantity: '0.000000001' }, /LOT_SIZE/],
  ['quantity under min', { quantity: '0.000001' }, /MIN_QUANTITY/],
  ['quantity over max', { quantity: '1000000.00000001' }, /MAX_QUANTITY/],
  ['notional under min', { quantity: '0.0001', price: '100' }, /MIN_NOTIONAL/],
  ['zero quantity', { quantity: '0' }, /greater than zero/],
  ['negative quantity', { quantity: '-1' }, /positive/],
  ['negative number price', { price: -5 }, /positive/],
  ['NaN', { quantity: 'NaN' }, /plain decimal/],
  ['Infinity number', { quantity: Infinity }, /finite/],
  ['exponent overflow', { quantity: '1e400' }, /more than 18|LOT_SIZE|MAX/],
  ['too many digits', { quantity: '1.0000000000000000001' }, /significant digits/],
  ['huge price past safe ticks', { price: '99999999999999999' }, /price is out of range/],
  ['huge quantity', { quantity: '1e10' }, /MAX_QUANTITY/],
  ['hex', { price: '0x10' }, /plain decimal/],
  ['spaces', { price: ' 1' }, /plain decimal/],
  ['bad side', { side: 'hold' }, /side/],
  ['bad type', { orderType: 'stop' }, /order_type/],
  ['limit without price', { price: undefined }, /price is required/],
  ['fok without price', { orderType: 'fok', price: null }, /price is required/],
  ['market with price', { orderType: 'market', price: '1' }, /must not be given/],
  ['bad client id', { clientOrderId: 'has space' }, /client_order_id/],
  ['long client id', { clientOrderId: 'x'.repeat(65) }, /client_order_id/]
]

for (const [name, over, message] of rejected) {
  t.test(`rejects ${name} and changes nothing`, async (t) => {
    const e = engine()
    const r = e.submit(order(over))
    t.notOk(r.ok)
    if (r.ok) return
    t.equal(r.code, 'VALIDATION_ERROR')
    t.match(r.message, message)
    t.equal(e.book('BTC-USDT')!.openCount, 0)
    t.equal(e.sequence, 0, 'no command was accepted')
  })
}

t.test('with a tick that is not a power of ten, a tiny price is off the tick, not rounded to zero', async (t) => {
  const e = new MatchingEngine({ clock: steppingClock(), symbols: [{ symbol: 'NICKEL-USD', tickSize: '0.05', lotSize: '1', minQuantity: '1', minNotional: '0' }] })
  const r = e.submit({ symbol: 'NICKEL-USD', side: 'buy', orderType: 'limit', quantity: 1, price: '1e-50' })
  t.same(r.ok ? 'ok' : [r.code, /PRICE_FILTER/.test(r.message)], ['VALIDATION_ERROR', true])
  t.ok(e.submit({ symbol: 'NICKEL-USD', side: 'buy', orderType: 'limit', quantity: 1, price: '0.15' }).ok)
})

t.test('configuration errors are thrown at construction', async (t) => {
  t.throws(() => new MatchingEngine({ symbols: [{ symbol: 'A-B', tickSize: '0', minQuantity: '1' }] }), /invalid step/)
  t.throws(() => new MatchingEngine({ symbols: [{ symbol: 'A-B', tickSize: '1', minQuantity: '0.5', lotSize: '1' }] }), /min quantity/)
  t.throws(() => new MatchingEngine({ symbols: [{ symbol: 'bad', tickSize: '1', minQuantity: '1' }] }), /BASE-QUOTE/)
  t.throws(() => new MatchingEngine({ symbols: [{ symbol: 'A-B', tickSize: '1', minQuantity: '1' }, { symbol: 'a-b', tickSize: '1', minQuantity: '1' }] }), /twice/)
  t.throws(() => new MatchingEngine({ makerFeeRate: '1.5' }), /maker fee/)
  t.throws(() => new MatchingEngine({ historyLimit: 0 }), /history limit/)
})

t.test('a quantity that is neither a string nor a number is refused with a reason, not thrown', async (t) => {
  const e = new MatchingEngine({ symbols: [{ symbol: 'A-B', tickSize: '1', lotSize: '1', minQuantity: '1', minNotional: '0' }], clock: steppingClock() })
  // null is an absent quantity since issue 12 ("quantity is required": test/engine/validate-order-types.test.ts).
  for (const quantity of [true, {}, ['1']]) {
    const result = e.submit({ symbol: 'A-B', side: 'buy', orderType: 'limit', quantity: quantity as unknown as string, price: '1' })
    t.match(result, { ok: false, code: 'VALIDATION_ERROR', message: /must be a decimal string or a number/ }, JSON.stringify(quantity))
  }
  t.equal(e.sequence, 0, 'nothing ran')
})

t.test('symbol filters: max quantity and min notional are checked when the engine is built', async (t) => {
  const base = { symbol: 'A-B', tickSize: '1', lotSize: '1', minQuantity: '2' }
  t.throws(() => new MatchingEngine({ symbols: [{ ...base, maxQuantity: '1' }] }), /max quantity must be a multiple of the lot size and at least the min quantity/)
  t.throws(() => new MatchingEngine({ symbols: [{ ...base, maxQuantity: '2.5' }] }), /max quantity must be a multiple/)
  t.throws(() => new MatchingEngine({ symbols: [{ ...base, minNotional: '-1' }] }), /min notional must be zero or positive/)
  t.throws(() => new MatchingEngine({ symbols: [{ ...base, minNotional: 'NaN' }] }), /min notional must be zero or positive/)
  t.ok(new MatchingEngine({ symbols: [{ ...base, maxQuantity: '2', minNotional: '0' }] }), 'max = min and a zero notional are fine')
})

t.test('place() (the pre-validated fast path) refuses a symbol that is not traded', async (t) => {
  const e = new MatchingEngine({ symbols: [{ symbol: 'A-B', tickSize: '1', lotSize: '1', minQuantity: '1', minNotional: '0' }], clock: steppingClock() })
  t.match(e.place({ symbol: 'C-D', side: 'buy', orderType: 'limit', priceTicks: 1, quantityLots: 1, clientOrderId: null, accountId: 'anonymous', stp: 'none' }), { ok: false, code: 'SYMBOL_NOT_FOUND' })
  t.equal(e.sequence, 0)
})
