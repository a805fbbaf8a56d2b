/**
 * validateOco and validateAmend: the symbol-filter checks of an OCO list
 * and of an amend's new values, each refusal with its code and a message
 * naming the field and the filter.
 */
import t, { type Test } from 'tap'
import { SymbolSpec } from '../../src/engine/symbols.js'
import { validateAmend, validateOco, type AmendInput, type OcoInput } from '../../src/engine/validate.js'

// tick 0.01, lot 1e-8, min quantity 0.00001, max quantity 900, min notional 10
const btc = new SymbolSpec({ symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001' })
const nickel = new SymbolSpec({ symbol: 'NICKEL-USD', tickSize: '0.05', lotSize: '0.5', minQuantity: '1', maxQuantity: '1000', minNotional: '1' })

const oco = (over: Partial<OcoInput> = {}): OcoInput =>
  ({ symbol: 'BTC-USDT', side: 'sell', quantity: '0.5', price: '31000', stopPrice: '29000', ...over })

function ocoRefused (t: Test, input: OcoInput, code: string, message: RegExp, spec = btc) {
  t.match(validateOco(input, spec), { ok: false, code, message }, JSON.stringify(input))
}

t.test('an OCO list: both legs in integer units, defaults filled in', async (t) => {
  t.strictSame(validateOco(oco(), btc), {
    ok: true,
    value: {
      symbol: 'BTC-USDT',
      side: 'sell',
      quantityLots: 50_000_000,
      priceTicks: 3_100_000,
      stopPriceTicks: 2_900_000,
      stopLimitPriceTicks: null,
      limitClientOrderId: null,
      stopClientOrderId: null,
      timeInForce: 'gtc',
      expireAt: null,
      accountId: 'anonymous',
      stp: 'none'
    }
  })
  t.match(validateOco(oco({
    side: 'BUY', stopLimitPrice: '29000.5', limitClientOrderId: 'l-1', stopClientOrderId: 's-1', timeInForce: 'gtd', expireTime: 1_800_000_000_000, accountId: 'alice', stp: 'cancel_both'
  }), btc), {
    ok: true,
    value: {
      side: 'buy',
      stopLimitPriceTicks: 2_900_050,
      limitClientOrderId: 'l-1',
      stopClientOrderId: 's-1',
      timeInForce: 'gtd',
      expireAt: 1_800_000_000_000,
      accountId: 'alice',
      stp: 'cancel_both'
    }
  })
  t.match(validateOco(oco({ timeInForce: 'gtc', stopLimitPrice: null, limitClientOrderId: null }), btc), { ok: true, value: { timeInForce: 'gtc', stopLimitPriceTicks: null } })
  t.match(validateOco({ symbol: 'NICKEL-USD', side: 'buy', quantity: '2', price: '1.05', stopPrice: '1.10', stopLimitPrice: '1.15' }, nickel),
    { ok: true, value: { quantityLots: 4, priceTicks: 21, stopPriceTicks: 22, stopLimitPriceTicks: 23 } })
})

t.test('OCO refusals', async (t) => {
  ocoRefused(t, oco({ side: 'hold' }), 'VALIDATION_ERROR', /side must be one of buy, sell/)
  ocoRefused(t, oco({ limitClientOrderId: 'a b' }), 'VALIDATION_ERROR', /limit_client_order_id must be 1 to 64 characters/)
  ocoRefused(t, oco({ stopClientOrderId: 'x'.repeat(65) }), 'VALIDATION_ERROR', /stop_client_order_id must be 1 to 64 characters/)
  ocoRefused(t, oco({ limitClientOrderId: 'same', stopClientOrderId: 'same' }), 'DUPLICATE_CLIENT_ORDER_ID', /limit_client_order_id and stop_client_order_id must differ/)
  t.ok(validateOco(oco({ limitClientOrderId: 'same' }), btc).ok, 'one id alone')
  t.ok(validateOco(oco({ stopClientOrderId: 'same' }), btc).ok, 'the other id alone')
  ocoRefused(t, oco({ stp: 'always' }), 'VALIDATION_ERROR', /stp must be one of/)
  for (const timeInForce of ['ioc', 'fok']) {
    ocoRefused(t, oco({ timeInForce }), 'INVALID_TIME_IN_FORCE', new RegExp(`time_in_force ${timeInForce} is not allowed for an OCO list: it takes gtc, gtd`))
  }
  ocoRefused(t, oco({ timeInForce: 'GTD' }), 'INVALID_TIME_IN_FORCE', /time_in_force GTD is not one of gtc, ioc, fok, gtd/)
  ocoRefused(t, oco({ timeInForce: 'gtd' }), 'INVALID_EXPIRE_TIME', /expire_time is required with time_in_force gtd/)
  ocoRefused(t, oco({ expireTime: 5 }), 'INVALID_EXPIRE_TIME', /expire_time is only allowed with time_in_force gtd/)
  ocoRefused(t, oco({ timeInForce: 'gtd', expireTime: 1.5 }), 'INVALID_EXPIRE_TIME', /positive integer/)
  ocoRefused(t, oco({ quantity: undefined as unknown as string }), 'VALIDATION_ERROR', /^quantity is required$/)
  ocoRefused(t, oco({ quantity: '0.000000001' }), 'VALIDATION_ERROR', /quantity 0.000000001 fails the LOT_SIZE filter/)
  ocoRefused(t, oco({ quantity: '0.000001' }), 'VALIDATION_ERROR', /quantity fails the MIN_QUANTITY filter/)
  ocoRefused(t, oco({ quantity: '901' }), 'VALIDATION_ERROR', /quantity fails the MAX_QUANTITY filter/)
  ocoRefused(t, oco({ price: null as unknown as string }), 'VALIDATION_ERROR', /price is required for an OCO list/)
  ocoRefused(t, oco({ price: '31000.001' }), 'VALIDATION_ERROR', /price 31000.001 fails the PRICE_FILTER: it must be a multiple of the tick size 0.01/)
  ocoRefused(t, oco({ quantity: '0.0001', price: '1' }), 'VALIDATION_ERROR', /price × quantity fails the MIN_NOTIONAL filter: it must be at least 10/)
  t.ok(validateOco(oco({ quantity: '0.0001', price: '100000', stopPrice: '0.01', stopLimitPrice: '0.01' }), btc).ok, 'MIN_NOTIONAL is the limit leg\'s only')
  ocoRefused(t, oco({ stopPrice: undefined as unknown as string }), 'INVALID_STOP_PRICE', /stop_price is required for an OCO list/)
  ocoRefused(t, oco({ stopPrice: '29000.001' }), 'INVALID_STOP_PRICE', /stop_price 29000.001 fails the PRICE_FILTER: it must be a multiple of the tick size 0.01/)
  ocoRefused(t, oco({ stopPrice: '0' }), 'INVALID_STOP_PRICE', /stop_price must be greater than zero/)
  ocoRefused(t, oco({ stopLimitPrice: '29000.001' }), 'VALIDATION_ERROR', /stop_limit_price 29000.001 fails the PRICE_FILTER/)
  ocoRefused(t, oco({ stopLimitPrice: '1e20' }), 'VALIDATION_ERROR', /stop_limit_price is out of range/)
  ocoRefused(t, { symbol: 'NICKEL-USD', side: 'buy', quantity: '2', price: '1.05', stopPrice: '1.12' }, 'INVALID_STOP_PRICE', /tick size 0.05/, nickel)
})

t.test('an amend: each new value in integer units, null when absent', async (t) => {
  const amend = (over: Partial<AmendInput>): AmendInput => ({ symbol: 'BTC-USDT', orderId: '7', ...over })
  t.strictSame(validateAmend(amend({ newQuantity: '0.25' }), btc), { ok: true, value: { quantityLots: 25_000_000, priceTicks: null, stopPriceTicks: null } })
  t.strictSame(validateAmend(amend({ newPrice: 30000.5 }), btc), { ok: true, value: { quantityLots: null, priceTicks: 3_000_050, stopPriceTicks: null } })
  t.strictSame(validateAmend(amend({ newStopPrice: '29000', newQuantity: null }), btc), { ok: true, value: { quantityLots: null, priceTicks: null, stopPriceTicks: 2_900_000 } })
  t.strictSame(validateAmend(amend({ newQuantity: '1', newPrice: '2', newStopPrice: '3' }), btc),
    { ok: true, value: { quantityLots: 100_000_000, priceTicks: 200, stopPriceTicks: 300 } })
  t.strictSame(validateAmend({ symbol: 'NICKEL-USD', clientOrderId: 'c', newQuantity: '2.5', newPrice: '1.05', newStopPrice: '1.1' }, nickel),
    { ok: true, value: { quantityLots: 5, priceTicks: 21, stopPriceTicks: 22 } })
})

t.test('amend refusals', async (t) => {
  const refused = (over: Partial<AmendInput>, code: string, message: RegExp, spec = btc) =>
    t.match(validateAmend({ symbol: spec.symbol, orderId: '7', ...over }, spec), { ok: false, code, message }, JSON.stringify(over))
  refused({}, 'INVALID_AMEND', /an amend needs at least one of new_quantity, new_price, new_stop_price/)
  refused({ newQuantity: null, newPrice: null, newStopPrice: null }, 'INVALID_AMEND', /at least one/)
  refused({ newQuantity: '0.000000001' }, 'VALIDATION_ERROR', /new_quantity 0.000000001 fails the LOT_SIZE filter: it must be a multiple of 0.00000001/)
  refused({ newQuantity: '0.000001' }, 'VALIDATION_ERROR', /new_quantity fails the MIN_QUANTITY filter: it must be at least 0.00001/)
  refused({ newQuantity: '900.00000001' }, 'VALIDATION_ERROR', /new_quantity fails the MAX_QUANTITY filter: it must be at most 900/)
  refused({ newQuantity: '0' }, 'VALIDATION_ERROR', /new_quantity must be greater than zero/)
  refused({ newPrice: '1.001' }, 'VALIDATION_ERROR', /new_price 1.001 fails the PRICE_FILTER: it must be a multiple of the tick size 0.01/)
  refused({ newPrice: '-1' }, 'VALIDATION_ERROR', /new_price must be positive/)
  refused({ newPrice: '1e20' }, 'VALIDATION_ERROR', /new_price is out of range/)
  refused({ newStopPrice: '1.001' }, 'INVALID_STOP_PRICE', /new_stop_price 1.001 fails the PRICE_FILTER: it must be a multiple of the tick size 0.01/)
  refused({ newStopPrice: 'x' }, 'INVALID_STOP_PRICE', /new_stop_price is not a plain decimal/)
  // the first value that fails answers: quantity, then price, then stop price
  refused({ newQuantity: '0', newPrice: '1.001', newStopPrice: 'x' }, 'VALIDATION_ERROR', /new_quantity/)
  refused({ newPrice: '1.001', newStopPrice: 'x' }, 'VALIDATION_ERROR', /new_price/)
  refused({ newQuantity: '1.2' }, 'VALIDATION_ERROR', /new_quantity 1.2 fails the LOT_SIZE filter: it must be a multiple of 0.5/, nickel)
  refused({ newPrice: '1.01' }, 'VALIDATION_ERROR', /new_price 1.01 fails the PRICE_FILTER: it must be a multiple of the tick size 0.05/, nickel)
  refused({ newStopPrice: '1.01' }, 'INVALID_STOP_PRICE', /new_stop_price 1.01 fails the PRICE_FILTER/, nickel)
})
