/**
 * validateOrder on issue 12's inputs, one rule at a time (contract:
 * "Time in force"): each combination the contract refuses gets its code,
 * each accepted one its fields (the new ones only when not default), and
 * the seed's four types come out exactly as before.
 */
import t, { type Test } from 'tap'
import { SymbolSpec } from '../../src/engine/symbols.js'
import { validateOrder, type NewOrderInput } from '../../src/engine/validate.js'
import { referenceValidateOrder } from '../helpers/validate-reference.js'

// tick 0.01, lot 1e-8, min quantity 0.00001, max quantity 900, min notional 10
const btc = new SymbolSpec({ symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001' })
// Not powers of ten: the bignumber.js path. A quote unit is 0.05 × 0.5 = 0.025.
const nickel = new SymbolSpec({ symbol: 'NICKEL-USD', tickSize: '0.05', lotSize: '0.5', minQuantity: '1', maxQuantity: '1000', minNotional: '1' })

const limit = (over: Partial<NewOrderInput> = {}): NewOrderInput =>
  ({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', quantity: '0.5', price: '30000', ...over })
const base = { symbol: 'BTC-USDT', side: 'buy', priceTicks: 3_000_000, quantityLots: 50_000_000, clientOrderId: null, accountId: 'anonymous', stp: 'none' }

const TYPES = ['limit', 'ioc', 'fok', 'market', 'stop_limit', 'stop_market'] as const
const TIFS = ['gtc', 'ioc', 'fok', 'gtd'] as const
/** A valid order of each type, to which each test adds the field it tests. */
const ofType = (orderType: string, over: Partial<NewOrderInput> = {}): NewOrderInput => limit({
  orderType,
  price: orderType === 'market' || orderType === 'stop_market' ? undefined : '30000',
  stopPrice: orderType.startsWith('stop') ? '29000' : undefined,
  ...over
})

function refused (t: Test, input: NewOrderInput, code: string, message: RegExp, spec = btc) {
  const result = validateOrder(input, spec)
  t.match(result, { ok: false, code, message }, JSON.stringify(input))
}

function fields (t: Test, input: NewOrderInput, spec = btc) {
  const result = validateOrder(input, spec)
  t.ok(result.ok, JSON.stringify(result))
  return result.ok ? result.value as unknown as Record<string, unknown> : {}
}

t.test('the seed four types without new fields give exactly the reference OrderFields (same keys, same order)', async (t) => {
  const plain: NewOrderInput[] = [
    limit(), limit({ orderType: 'ioc' }), limit({ orderType: 'fok' }), limit({ orderType: 'market', price: undefined }),
    limit({ orderType: 'LIMIT', side: 'SELL', clientOrderId: 'c-1', accountId: 'alice', stp: 'cancel_both', quantity: 0.25, price: 30000.5 }),
    { symbol: 'NICKEL-USD', side: 'sell', orderType: 'limit', quantity: '1.5', price: '1.05' },
    { symbol: 'NICKEL-USD', side: 'buy', orderType: 'market', quantity: '2' }
  ]
  for (const input of plain) {
    const spec = input.symbol === 'NICKEL-USD' ? nickel : btc
    const expected = referenceValidateOrder(input, spec)
    const actual = validateOrder(input, spec)
    t.strictSame(actual, expected, JSON.stringify(input))
    t.same(Object.keys(actual.ok ? actual.value : {}), ['symbol', 'side', 'orderType', 'priceTicks', 'quantityLots', 'clientOrderId', 'accountId', 'stp'])
  }
})

t.test('giving only defaults (or nulls) gives the seed fields, with no new key', async (t) => {
  const defaults: Array<[string, Partial<NewOrderInput>]> = [
    ['limit', { timeInForce: 'gtc' }], ['ioc', { timeInForce: 'ioc' }], ['fok', { timeInForce: 'fok' }], ['market', { timeInForce: 'ioc' }],
    ['limit', { postOnly: false }], ['market', { postOnly: false }],
    ['limit', { timeInForce: null, postOnly: null, stopPrice: null, displayQuantity: null, expireTime: null, quoteQuantity: null }]
  ]
  for (const [orderType, over] of defaults) {
    const plain = ofType(orderType)
    const expected = validateOrder(plain, btc)
    const actual = validateOrder({ ...plain, ...over }, btc)
    t.strictSame(actual, expected, `${orderType} ${JSON.stringify(over)}`)
    t.same(Object.keys(actual.ok ? actual.value : {}), Object.keys(expected.ok ? expected.value : { x: 1 }))
  }
})

t.test('plain orders never reach the issue 12 path; any new field or a stop type does', async (t) => {
  const actual = await import('../../src/engine/validate-order-types.js')
  let calls = 0
  const mocked = await t.mockImport<typeof import('../../src/engine/validate.js')>('../../src/engine/validate.js', {
    '../../src/engine/validate-order-types.js': {
      ...actual,
      validateOrderTypes: (...args: Parameters<typeof actual.validateOrderTypes>) => { calls++; return actual.validateOrderTypes(...args) }
    }
  })
  for (const orderType of ['limit', 'ioc', 'fok', 'market']) t.ok(mocked.validateOrder(ofType(orderType), btc).ok)
  t.ok(mocked.validateOrder({ symbol: 'NICKEL-USD', side: 'buy', orderType: 'limit', quantity: '1.5', price: '1.00' }, nickel).ok)
  t.equal(calls, 0, 'the seed fast path')
  const news: Array<Partial<NewOrderInput>> = [
    { timeInForce: 'gtc' }, { postOnly: false }, { stopPrice: null }, { displayQuantity: '0.1' }, { expireTime: null }, { quoteQuantity: null },
    { orderType: 'stop_limit', stopPrice: '1' }, { orderType: 'stop_market', price: undefined, stopPrice: '1' }
  ]
  for (const over of news) mocked.validateOrder(limit(over), btc)
  t.equal(calls, news.length)
})

t.test('time in force: each order type takes exactly its values', async (t) => {
  const takes: Record<string, readonly string[]> = {
    limit: ['gtc', 'ioc', 'fok', 'gtd'], ioc: ['ioc'], fok: ['fok'], market: ['ioc'], stop_limit: ['gtc', 'gtd', 'ioc', 'fok'], stop_market: ['gtc', 'gtd']
  }
  const defaults: Record<string, string> = { limit: 'gtc', ioc: 'ioc', fok: 'fok', market: 'ioc', stop_limit: 'gtc', stop_market: 'gtc' }
  for (const orderType of TYPES) {
    for (const timeInForce of TIFS) {
      const input = ofType(orderType, { timeInForce, expireTime: timeInForce === 'gtd' ? 1_700_000_000_000 : undefined })
      if (!takes[orderType]?.includes(timeInForce)) {
        refused(t, input, 'INVALID_TIME_IN_FORCE', new RegExp(`time_in_force ${timeInForce} is not allowed for a ${orderType} order: it takes ${takes[orderType]?.join(', ')}`))
        continue
      }
      const value = fields(t, input)
      t.equal(value.timeInForce, timeInForce === defaults[orderType] ? undefined : timeInForce, `${orderType} ${timeInForce}`)
      t.equal('timeInForce' in value, timeInForce !== defaults[orderType])
    }
  }
  t.equal(fields(t, limit({ timeInForce: 'ioc' })).orderType, 'limit', 'limit + ioc keeps its type; the engine runs it as an ioc')
  for (const unknown of ['GTC', 'Ioc', 'day', 'gtx', '', ' gtc', 5, true, {}]) {
    refused(t, limit({ timeInForce: unknown as string }), 'INVALID_TIME_IN_FORCE', /is not one of gtc, ioc, fok, gtd/)
  }
})

t.test('expire_time: required with gtd, refused without it, a positive safe integer', async (t) => {
  refused(t, limit({ timeInForce: 'gtd' }), 'INVALID_EXPIRE_TIME', /expire_time is required with time_in_force gtd/)
  refused(t, limit({ timeInForce: 'gtd', expireTime: null }), 'INVALID_EXPIRE_TIME', /required/)
  for (const [orderType, timeInForce] of [['limit', undefined], ['limit', 'gtc'], ['limit', 'ioc'], ['market', undefined], ['stop_market', 'gtc']]) {
    refused(t, ofType(orderType as string, { timeInForce, expireTime: 1_700_000_000_000 }), 'INVALID_EXPIRE_TIME', /expire_time is only allowed with time_in_force gtd/)
  }
  for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 53, '1700000000000', true]) {
    refused(t, limit({ timeInForce: 'gtd', expireTime: bad as number }), 'INVALID_EXPIRE_TIME', /expire_time must be a positive integer of epoch milliseconds/)
  }
  for (const good of [1, 1_700_000_000_123, Number.MAX_SAFE_INTEGER]) {
    const value = fields(t, limit({ timeInForce: 'gtd', expireTime: good }))
    t.equal(value.expireAt, good)
    t.equal(value.timeInForce, 'gtd')
  }
  t.match(fields(t, ofType('stop_limit', { timeInForce: 'gtd', expireTime: 5 })), { timeInForce: 'gtd', expireAt: 5, stopPriceTicks: 2_900_000 })
  t.match(fields(t, ofType('stop_market', { timeInForce: 'gtd', expireTime: 5 })), { timeInForce: 'gtd', expireAt: 5, priceTicks: null })
})

t.test('post_only: only limit and stop_limit orders that may rest (gtc, gtd)', async (t) => {
  for (const orderType of TYPES) {
    for (const timeInForce of [undefined, ...TIFS]) {
      const input = ofType(orderType, { postOnly: true, timeInForce, expireTime: timeInForce === 'gtd' ? 9 : undefined })
      const result = validateOrder(input, btc)
      if (result.ok === false && result.code === 'INVALID_TIME_IN_FORCE') continue
      const allowed = (orderType === 'limit' || orderType === 'stop_limit') && (timeInForce === undefined || timeInForce === 'gtc' || timeInForce === 'gtd')
      if (allowed) {
        t.match(result, { ok: true, value: { postOnly: true } }, `${orderType} ${String(timeInForce)}`)
      } else {
        t.match(result, { ok: false, code: 'POST_ONLY_NOT_ALLOWED', message: /post_only is only allowed on limit and stop_limit orders with time_in_force gtc or gtd/ },
          `${orderType} ${String(timeInForce)}`)
      }
    }
  }
  t.notOk('postOnly' in fields(t, limit({ postOnly: false })), 'false is the default: no key')
  for (const bad of ['true', 1, 0, {}]) refused(t, limit({ postOnly: bad as boolean }), 'VALIDATION_ERROR', /post_only must be a boolean/)
})

t.test('stop_price: required on the stop types, refused on the others, positive and on the tick', async (t) => {
  refused(t, ofType('stop_limit', { stopPrice: undefined }), 'INVALID_STOP_PRICE', /stop_price is required for a stop_limit order/)
  refused(t, ofType('stop_market', { stopPrice: null }), 'INVALID_STOP_PRICE', /stop_price is required for a stop_market order/)
  for (const orderType of ['limit', 'ioc', 'fok', 'market']) {
    refused(t, ofType(orderType, { stopPrice: '29000' }), 'INVALID_STOP_PRICE', /stop_price is only allowed on stop_limit and stop_market orders/)
  }
  refused(t, ofType('stop_limit', { stopPrice: '29000.001' }), 'INVALID_STOP_PRICE', /stop_price 29000.001 fails the PRICE_FILTER: it must be a multiple of the tick size 0.01/)
  refused(t, ofType('stop_market', { stopPrice: '29000.001' }), 'INVALID_STOP_PRICE', /tick size 0.01/)
  refused(t, ofType('stop_limit', { stopPrice: '0' }), 'INVALID_STOP_PRICE', /stop_price must be greater than zero/)
  refused(t, ofType('stop_limit', { stopPrice: '-5' }), 'INVALID_STOP_PRICE', /stop_price must be positive/)
  refused(t, ofType('stop_limit', { stopPrice: 'x' }), 'INVALID_STOP_PRICE', /stop_price is not a plain decimal/)
  refused(t, ofType('stop_limit', { stopPrice: '1e20' }), 'INVALID_STOP_PRICE', /stop_price is out of range/)
  const nickelStop = (stopPrice: string) => ({ symbol: 'NICKEL-USD', side: 'buy', orderType: 'stop_limit', quantity: '2', price: '1.05', stopPrice })
  refused(t, nickelStop('1.02'), 'INVALID_STOP_PRICE', /stop_price 1.02 fails the PRICE_FILTER: it must be a multiple of the tick size 0.05/, nickel)
  refused(t, nickelStop('1e20'), 'INVALID_STOP_PRICE', /stop_price is out of range/, nickel)
  refused(t, nickelStop('0'), 'INVALID_STOP_PRICE', /stop_price must be greater than zero/, nickel)
  refused(t, ofType('stop_limit', { price: undefined }), 'VALIDATION_ERROR', /price is required for a stop_limit order/)
  refused(t, ofType('stop_market', { price: '30000' }), 'VALIDATION_ERROR', /price must not be given for a stop_market order/)
  refused(t, ofType('stop_limit', { price: '30000.001' }), 'VALIDATION_ERROR', /PRICE_FILTER/)
  refused(t, ofType('stop_limit', { quantity: '0.0001', price: '1' }), 'VALIDATION_ERROR', /MIN_NOTIONAL/)
  t.strictSame(fields(t, ofType('stop_limit', { stopPrice: 29000.5 })), { ...base, orderType: 'stop_limit', stopPriceTicks: 2_900_050 })
  t.strictSame(fields(t, ofType('stop_market', { side: 'sell' })), { ...base, side: 'sell', orderType: 'stop_market', priceTicks: null, stopPriceTicks: 2_900_000 })
  t.match(fields(t, { symbol: 'NICKEL-USD', side: 'buy', orderType: 'stop_limit', quantity: '2', price: '1.05', stopPrice: '1.10' }, nickel),
    { orderType: 'stop_limit', priceTicks: 21, stopPriceTicks: 22, quantityLots: 4 })
  t.match(fields(t, { symbol: 'NICKEL-USD', side: 'buy', orderType: 'STOP_MARKET', quantity: '2', stopPrice: '1.10' }, nickel),
    { orderType: 'stop_market', priceTicks: null, stopPriceTicks: 22 })
})

t.test('display_quantity: only on limit and stop_limit orders that may rest; on the lot, at least the min, at most the quantity', async (t) => {
  for (const orderType of TYPES) {
    for (const timeInForce of [undefined, ...TIFS]) {
      const input = ofType(orderType, { displayQuantity: '0.1', timeInForce, expireTime: timeInForce === 'gtd' ? 9 : undefined })
      const result = validateOrder(input, btc)
      if (result.ok === false && result.code === 'INVALID_TIME_IN_FORCE') continue
      const allowed = (orderType === 'limit' || orderType === 'stop_limit') && (timeInForce === undefined || timeInForce === 'gtc' || timeInForce === 'gtd')
      if (allowed) {
        t.match(result, { ok: true, value: { displayLots: 10_000_000 } }, `${orderType} ${String(timeInForce)}`)
      } else {
        t.match(result, { ok: false, code: 'INVALID_DISPLAY_QUANTITY', message: /display_quantity is only allowed on limit and stop_limit orders with time_in_force gtc or gtd/ })
      }
    }
  }
  refused(t, limit({ displayQuantity: '0.000000001' }), 'INVALID_DISPLAY_QUANTITY', /display_quantity 0.000000001 fails the LOT_SIZE filter: it must be a multiple of 0.00000001/)
  refused(t, limit({ displayQuantity: '0.000001' }), 'INVALID_DISPLAY_QUANTITY', /display_quantity fails the MIN_QUANTITY filter: it must be at least 0.00001/)
  refused(t, limit({ displayQuantity: '0.50000001' }), 'INVALID_DISPLAY_QUANTITY', /display_quantity must be at most the quantity/)
  refused(t, limit({ displayQuantity: '901' }), 'INVALID_DISPLAY_QUANTITY', /display_quantity fails the MAX_QUANTITY filter/)
  refused(t, limit({ displayQuantity: '0' }), 'INVALID_DISPLAY_QUANTITY', /display_quantity must be greater than zero/)
  refused(t, limit({ displayQuantity: true as unknown as string }), 'INVALID_DISPLAY_QUANTITY', /display_quantity must be a decimal string or a number/)
  refused(t, limit({ quantity: '0.5', displayQuantity: '0.75' }), 'INVALID_DISPLAY_QUANTITY', /at most the quantity/)
  t.equal(fields(t, limit({ displayQuantity: '0.5' })).displayLots, 50_000_000, 'the whole quantity is allowed')
  t.equal(fields(t, limit({ displayQuantity: 0.00001 })).displayLots, 1000, 'the min quantity is allowed')
  t.match(fields(t, ofType('stop_limit', { displayQuantity: '0.2', postOnly: true, timeInForce: 'gtd', expireTime: 7 })),
    { orderType: 'stop_limit', displayLots: 20_000_000, postOnly: true, timeInForce: 'gtd', expireAt: 7, stopPriceTicks: 2_900_000 })
  const nickelLimit = { symbol: 'NICKEL-USD', side: 'buy', orderType: 'limit', quantity: '10', price: '1' }
  t.equal(fields(t, { ...nickelLimit, displayQuantity: '1.5' }, nickel).displayLots, 3)
  refused(t, { ...nickelLimit, displayQuantity: '1.2' }, 'INVALID_DISPLAY_QUANTITY', /display_quantity 1.2 fails the LOT_SIZE filter: it must be a multiple of 0.5/, nickel)
  refused(t, { ...nickelLimit, displayQuantity: '0.5' }, 'INVALID_DISPLAY_QUANTITY', /MIN_QUANTITY/, nickel)
  refused(t, { ...nickelLimit, displayQuantity: '10.5' }, 'INVALID_DISPLAY_QUANTITY', /at most the quantity/, nickel)
  refused(t, { ...nickelLimit, displayQuantity: '1000.5' }, 'INVALID_DISPLAY_QUANTITY', /MAX_QUANTITY/, nickel)
  refused(t, { ...nickelLimit, displayQuantity: 'x' }, 'INVALID_DISPLAY_QUANTITY', /not a plain decimal/, nickel)
})

t.test('quote_quantity: market orders only, instead of quantity, whole (tick × lot) units, at most 2^53 − 1 of them, at least the min notional', async (t) => {
  const market = (over: Partial<NewOrderInput>) => ofType('market', { quantity: undefined, ...over })
  for (const orderType of ['limit', 'ioc', 'fok', 'stop_limit', 'stop_market']) {
    refused(t, ofType(orderType, { quantity: undefined, quoteQuantity: '100' }), 'INVALID_QUOTE_QUANTITY', /quote_quantity is only allowed on market orders/)
  }
  refused(t, market({ quantity: '0.5', quoteQuantity: '100' }), 'INVALID_QUOTE_QUANTITY', /quote_quantity and quantity must not both be given/)
  refused(t, market({}), 'VALIDATION_ERROR', /^quantity is required$/)
  refused(t, limit({ quantity: undefined }), 'VALIDATION_ERROR', /^quantity is required$/)
  refused(t, limit({ quantity: null, timeInForce: 'gtc' }), 'VALIDATION_ERROR', /^quantity is required$/)
  refused(t, limit({ quantity: null }), 'VALIDATION_ERROR', /^quantity is required$/, nickel)
  // BTC-USDT: a unit is 0.01 × 0.00000001 = 1e-10.
  t.strictSame(fields(t, market({ quoteQuantity: '100.0000000001' })),
    { ...base, orderType: 'market', priceTicks: null, quantityLots: btc.maxLots, quoteUnits: 1_000_000_000_001 })
  refused(t, market({ quoteQuantity: '100.00000000001' }), 'INVALID_QUOTE_QUANTITY',
    /quote_quantity 100.00000000001 must be a multiple of 0.0000000001 \(the tick size 0.01 × the lot size 0.00000001\)/)
  t.equal(fields(t, market({ quoteQuantity: '900719.9254740991' })).quoteUnits, Number.MAX_SAFE_INTEGER, '2^53 − 1 units')
  refused(t, market({ quoteQuantity: '900719.9254740992' }), 'INVALID_QUOTE_QUANTITY', /quote_quantity is out of range: it must be at most 2\^53 − 1 units of 0.0000000001/)
  refused(t, market({ quoteQuantity: '900719.92547409915' }), 'INVALID_QUOTE_QUANTITY', /out of range/)
  refused(t, market({ quoteQuantity: '1e30' }), 'INVALID_QUOTE_QUANTITY', /out of range/)
  refused(t, market({ quoteQuantity: '9.9999999999' }), 'VALIDATION_ERROR', /quote_quantity fails the MIN_NOTIONAL filter: it must be at least 10/)
  t.equal(fields(t, market({ quoteQuantity: 10 })).quoteUnits, 100_000_000_000, 'the min notional itself')
  for (const [bad, reason] of [['0', /greater than zero/], ['-5', /must be positive/], ['abc', /not a plain decimal/], [{}, /decimal string or a number/]] as const) {
    refused(t, market({ quoteQuantity: bad as string }), 'INVALID_QUOTE_QUANTITY', new RegExp(`^quote_quantity .*${reason.source}`))
  }
  refused(t, market({ quoteQuantity: '100', price: '1' }), 'VALIDATION_ERROR', /price must not be given for a market order/)
  // NICKEL-USD: a unit is 0.05 × 0.5 = 0.025, on bignumber.js.
  const nickelMarket = (quoteQuantity: string) => ({ symbol: 'NICKEL-USD', side: 'sell', orderType: 'market', quoteQuantity })
  t.match(fields(t, nickelMarket('1.025'), nickel), { quoteUnits: 41, quantityLots: nickel.maxLots, priceTicks: null })
  refused(t, nickelMarket('1.01'), 'INVALID_QUOTE_QUANTITY', /quote_quantity 1.01 must be a multiple of 0.025 \(the tick size 0.05 × the lot size 0.5\)/, nickel)
  refused(t, nickelMarket('0.975'), 'VALIDATION_ERROR', /quote_quantity fails the MIN_NOTIONAL filter: it must be at least 1/, nickel)
  t.equal(fields(t, nickelMarket('225179981368524.775'), nickel).quoteUnits, Number.MAX_SAFE_INTEGER)
  refused(t, nickelMarket('225179981368524.8'), 'INVALID_QUOTE_QUANTITY', /out of range/, nickel)
  refused(t, nickelMarket('x'), 'INVALID_QUOTE_QUANTITY', /quote_quantity is not a plain decimal/, nickel)
})

t.test('a min notional past 2^53 − 1 units refuses every quote amount', async (t) => {
  const huge = new SymbolSpec({ symbol: 'HUGE-NOTIONAL', tickSize: '0.01', minQuantity: '0.001', maxQuantity: '1000000', minNotional: '100000000000' })
  refused(t, { symbol: 'HUGE-NOTIONAL', side: 'buy', orderType: 'market', quoteQuantity: '900719.9254740991' }, 'VALIDATION_ERROR', /MIN_NOTIONAL/, huge)
})

t.test('the checks run in the contract order: the first rule broken answers', async (t) => {
  // time in force before expire time, post-only, stop price, display and quote quantity
  refused(t, ofType('market', { timeInForce: 'gtc', expireTime: 5, postOnly: true, stopPrice: '1', displayQuantity: '1', quoteQuantity: '1' }), 'INVALID_TIME_IN_FORCE', /market/)
  refused(t, ofType('market', { expireTime: 5, postOnly: true, stopPrice: '1', displayQuantity: '1', quoteQuantity: '1' }), 'INVALID_EXPIRE_TIME', /gtd/)
  refused(t, ofType('market', { postOnly: true, stopPrice: '1', displayQuantity: '1', quoteQuantity: '1' }), 'POST_ONLY_NOT_ALLOWED', /post_only/)
  refused(t, ofType('market', { stopPrice: '1', displayQuantity: '1', quoteQuantity: '1' }), 'INVALID_STOP_PRICE', /stop_price/)
  refused(t, ofType('market', { displayQuantity: '1', quoteQuantity: '1' }), 'INVALID_DISPLAY_QUANTITY', /display_quantity/)
  // the combinations before the values: a bad quantity, then a bad price, then the stop price's value, then the display's
  refused(t, ofType('stop_limit', { quantity: '0.000000001', price: '1.001', stopPrice: '1.001', displayQuantity: '9' }), 'VALIDATION_ERROR', /LOT_SIZE/)
  refused(t, ofType('stop_limit', { price: '1.001', stopPrice: '1.001', displayQuantity: '9' }), 'VALIDATION_ERROR', /PRICE_FILTER/)
  refused(t, ofType('stop_limit', { stopPrice: '1.001', displayQuantity: '9' }), 'INVALID_STOP_PRICE', /PRICE_FILTER/)
  refused(t, ofType('stop_limit', { displayQuantity: '9' }), 'INVALID_DISPLAY_QUANTITY', /at most the quantity/)
  // the seed checks first
  refused(t, ofType('stop_limit', { side: 'hold', timeInForce: 'x' }), 'VALIDATION_ERROR', /side/)
  refused(t, ofType('stop_limit', { stp: 'x', timeInForce: 'x' }), 'VALIDATION_ERROR', /stp/)
  refused(t, ofType('stop_limit', { clientOrderId: 'a b', timeInForce: 'x' }), 'VALIDATION_ERROR', /client_order_id/)
})

t.test('every new field together', async (t) => {
  t.strictSame(fields(t, ofType('stop_limit', {
    side: 'sell', clientOrderId: 'x-1', accountId: 'bob', stp: 'cancel_maker', timeInForce: 'gtd', expireTime: 1_800_000_000_000, postOnly: true, displayQuantity: '0.1'
  })), {
    ...base,
    side: 'sell',
    orderType: 'stop_limit',
    clientOrderId: 'x-1',
    accountId: 'bob',
    stp: 'cancel_maker',
    timeInForce: 'gtd',
    postOnly: true,
    stopPriceTicks: 2_900_000,
    displayLots: 10_000_000,
    expireAt: 1_800_000_000_000
  })
})
