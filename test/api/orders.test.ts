// POST /order through app.inject: resting, crossing, fees, the four order
// types, input normalisation and client_order_id uniqueness.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { steppingClock } from '../helpers/clock.js'
import { SYMBOL, depth, limit, market, placeOk, post, statistics } from './support.js'

const T0 = 1_700_000_000 // steppingClock's first reading, in seconds

const ORDER_KEYS = [
  'order_id', 'client_order_id', 'account_id', 'symbol', 'side', 'order_type', 'stp', 'status', 'cancel_reason', 'price', 'quantity',
  'filled_quantity', 'remaining_quantity', 'timestamp', 'trades', 'trade_count', 'total_maker_fees', 'total_taker_fees',
  'bbo', 'processing_time_ms', 'time_in_force', 'post_only', 'stop_price', 'display_quantity', 'expire_time', 'quote_quantity', 'list_id'
].sort()
const TRADE_KEYS = [
  'trade_id', 'symbol', 'price', 'quantity', 'aggressor_side', 'maker_order_id', 'taker_order_id',
  'timestamp', 'trade_value', 'maker_fee', 'taker_fee'
].sort()

t.test('a limit order that does not cross rests, with canonical decimal strings', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  const reply = await post(app, '/order', limit('buy', '30000.50', '0.50000'))
  t.equal(reply.status, 200)
  const o = reply.body
  t.same(Object.keys(o).sort(), ORDER_KEYS)
  t.match(o, {
    order_id: '1',
    client_order_id: null,
    symbol: SYMBOL,
    side: 'buy',
    order_type: 'limit',
    status: 'pending',
    price: '30000.5',
    quantity: '0.5',
    filled_quantity: '0',
    remaining_quantity: '0.5',
    timestamp: T0,
    trades: [],
    total_maker_fees: '0',
    total_taker_fees: '0'
  })
  t.strictSame(o.bbo, { symbol: SYMBOL, best_bid: '30000.5', best_ask: null, spread: null, mid_price: null, timestamp: T0 })
  t.equal(typeof o.processing_time_ms, 'number')
  t.ok(o.processing_time_ms >= 0)
  t.strictSame(await depth(app), { bids: [['30000.5', '0.5']], asks: [] })
})

t.test('a crossing order trades at the maker price with exact value and fees', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  const maker = await placeOk(app, limit('sell', '30100', '0.2'))
  const taker = await placeOk(app, limit('buy', '30200', '0.3'))
  t.equal(taker.status, 'partially_filled')
  t.equal(taker.filled_quantity, '0.2')
  t.equal(taker.remaining_quantity, '0.1')
  t.equal(taker.trades.length, 1)
  const trade = taker.trades[0]
  t.same(Object.keys(trade).sort(), TRADE_KEYS)
  t.strictSame(trade, {
    trade_id: 'BTC-USDT-1',
    symbol: SYMBOL,
    price: '30100',
    quantity: '0.2',
    aggressor_side: 'buy',
    maker_order_id: maker.order_id,
    taker_order_id: taker.order_id,
    timestamp: T0 + 0.001,
    trade_value: '6020',
    maker_fee: '6.02',
    taker_fee: '6.02'
  })
  t.equal(taker.total_maker_fees, '6.02')
  t.equal(taker.total_taker_fees, '6.02')
  t.match(taker.bbo, { best_bid: '30200', best_ask: null })
  t.strictSame(await depth(app), { bids: [['30200', '0.1']], asks: [] })
})

t.test('a sweep across levels sums fees exactly and numbers trades in order', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('sell', '30000.01', '0.2'))
  await placeOk(app, limit('sell', '30000', '0.1'))
  const taker = await placeOk(app, limit('buy', '30001', '0.25'))
  t.equal(taker.status, 'filled')
  t.same(taker.trades.map((x: { price: string, quantity: string }) => [x.price, x.quantity]),
    [['30000', '0.1'], ['30000.01', '0.15']])
  t.same(taker.trades.map((x: { trade_id: string }) => x.trade_id), ['BTC-USDT-1', 'BTC-USDT-2'])
  t.same(taker.trades.map((x: { trade_value: string }) => x.trade_value), ['3000', '4500.0015'])
  t.same(taker.trades.map((x: { maker_fee: string }) => x.maker_fee), ['3', '4.5000015'])
  t.equal(taker.total_maker_fees, '7.5000015')
  t.equal(taker.total_taker_fees, '7.5000015')
  t.strictSame(await depth(app), { bids: [], asks: [['30000.01', '0.05']] })
})

t.test('maker and taker fee rates come from config', async (t) => {
  const app = await buildTestApp(t, { MAKER_FEE_RATE: '0.0002', TAKER_FEE_RATE: '0.0007' })
  await placeOk(app, limit('buy', '30100', '0.2'))
  const taker = await placeOk(app, limit('sell', '30000', '0.2'))
  t.match(taker.trades[0], { price: '30100', aggressor_side: 'sell', trade_value: '6020', maker_fee: '1.204', taker_fee: '4.214' })
  t.equal(taker.total_maker_fees, '1.204')
  t.equal(taker.total_taker_fees, '4.214')
})

t.test('a sell sweeps bids highest first', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('buy', '29900', '0.1'))
  await placeOk(app, limit('buy', '30000', '0.1'))
  await placeOk(app, limit('buy', '29950', '0.1'))
  const taker = await placeOk(app, limit('sell', '29000', '0.25'))
  t.same(taker.trades.map((x: { price: string, quantity: string }) => [x.price, x.quantity]),
    [['30000', '0.1'], ['29950', '0.1'], ['29900', '0.05']])
  t.strictSame(await depth(app), { bids: [['29900', '0.05']], asks: [] })
})

t.test('market: sweeps what is there, the unfilled rest is cancelled, no price', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('sell', '30000', '0.1'))
  await placeOk(app, limit('sell', '30100', '0.1'))
  const reply = await post(app, '/order', market('buy', '0.3'))
  t.equal(reply.status, 200)
  t.match(reply.body, { order_type: 'market', status: 'cancelled', price: null, filled_quantity: '0.2', remaining_quantity: '0.1' })
  t.same(reply.body.trades.map((x: { price: string }) => x.price), ['30000', '30100'])
  t.strictSame(await depth(app), { bids: [], asks: [] })

  const empty = await placeOk(app, market('sell', '0.1'))
  t.match(empty, { status: 'cancelled', filled_quantity: '0', remaining_quantity: '0.1', trades: [] })
})

t.test('ioc: trades what crosses at or better than its price, never rests', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('sell', '30000', '0.1'))
  await placeOk(app, limit('sell', '30200', '0.1'))
  const ioc = await placeOk(app, limit('buy', '30100', '0.3', { order_type: 'ioc' }))
  t.match(ioc, { order_type: 'ioc', status: 'cancelled', filled_quantity: '0.1', remaining_quantity: '0.2' })
  t.same(ioc.trades.map((x: { price: string }) => x.price), ['30000'])
  t.strictSame(await depth(app), { bids: [], asks: [['30200', '0.1']] })
})

t.test('fok: unfillable answers 200 rejected and leaves the book untouched; fillable fills', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('sell', '30000', '0.1'))
  await placeOk(app, limit('sell', '30200', '0.1'))
  const before = await depth(app)

  const rejected = await post(app, '/order', limit('buy', '30100', '0.2', { order_type: 'fok' }))
  t.equal(rejected.status, 200)
  t.match(rejected.body, { order_type: 'fok', status: 'rejected', filled_quantity: '0', remaining_quantity: '0.2', trades: [] })
  t.equal(rejected.body.total_maker_fees, '0')
  t.strictSame(await depth(app), before)
  t.equal((await statistics(app)).trades_executed, 0)

  const filled = await placeOk(app, limit('buy', '30200', '0.2', { order_type: 'fok' }))
  t.match(filled, { status: 'filled', filled_quantity: '0.2', remaining_quantity: '0' })
  t.same(filled.trades.map((x: { price: string }) => x.price), ['30000', '30200'])
  t.strictSame(await depth(app), { bids: [], asks: [] })
})

t.test('symbol, side and order_type are case-insensitive and normalised in the reply', async (t) => {
  const app = await buildTestApp(t)
  const rest = await placeOk(app, { symbol: 'btc-usdt', side: 'SELL', order_type: 'LiMiT', quantity: '0.1', price: '30000' })
  t.match(rest, { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', status: 'pending' })
  const cases: Array<[string, string]> = [['IOC', 'ioc'], ['Fok', 'fok']]
  for (const [given, expected] of cases) {
    const o = await placeOk(app, { symbol: 'Btc-Usdt', side: 'Buy', order_type: given, quantity: '0.01', price: '30000' })
    t.match(o, { symbol: 'BTC-USDT', side: 'buy', order_type: expected, status: 'filled' }, given)
  }
  const m = await placeOk(app, { symbol: 'btc-USDT', side: 'bUy', order_type: 'MARKET', quantity: '0.01' })
  t.match(m, { symbol: 'BTC-USDT', side: 'buy', order_type: 'market', status: 'filled' })
  t.strictSame(await depth(app), { bids: [], asks: [['30000', '0.07']] })
})

t.test('quantity and price as JSON numbers are read exactly', async (t) => {
  const app = await buildTestApp(t)
  const maker = await placeOk(app, limit('sell', 30000.1, 0.1))
  t.match(maker, { price: '30000.1', quantity: '0.1' })
  const taker = await placeOk(app, limit('buy', 30000.1, 0.1))
  t.equal(taker.trades[0].quantity, '0.1')
  t.equal(taker.trades[0].trade_value, '3000.01')
  t.equal(taker.trades[0].taker_fee, '3.00001')
  const tiny = await placeOk(app, limit('buy', 1000000, 0.00001))
  t.match(tiny, { price: '1000000', quantity: '0.00001', status: 'pending' })
})

t.test('a duplicate client_order_id among open orders gets 409 and changes nothing', async (t) => {
  const app = await buildTestApp(t)
  const first = await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: 'abc-1' }))
  t.equal(first.client_order_id, 'abc-1')
  await placeOk(app, limit('sell', '30100', '0.1'))
  const book = await depth(app)
  const stats = await statistics(app)

  // Would cross the resting ask if it were accepted.
  const dup = await post(app, '/order', limit('buy', '30100', '0.1', { client_order_id: 'abc-1' }))
  t.equal(dup.status, 409)
  t.equal(dup.body.error_code, 'DUPLICATE_CLIENT_ORDER_ID')
  t.type(dup.body.error, 'string')
  t.strictSame(await depth(app), book)
  const after = await statistics(app)
  t.equal(after.orders_processed, stats.orders_processed)
  t.equal(after.trades_executed, 0)

  const other = await post(app, '/order', limit('buy', '2000', '0.1', { symbol: 'ETH-USDT', client_order_id: 'abc-1' }))
  t.equal(other.status, 200, 'the same id is free on another symbol')

  const cancel = await post(app, '/cancel', { symbol: SYMBOL, client_order_id: 'abc-1' })
  t.equal(cancel.status, 200)
  const reuse = await post(app, '/order', limit('buy', '29000', '0.1', { client_order_id: 'abc-1' }))
  t.equal(reuse.status, 200, 'free again once the first order is no longer open')
})

t.test('an answer lists at most MAX_TRADES_IN_ANSWER trades; trade_count and the totals cover them all', async (t) => {
  const app = await buildTestApp(t, { MAX_TRADES_IN_ANSWER: '3' }, { clock: steppingClock() })
  for (let i = 0; i < 5; i++) await placeOk(app, limit('sell', String(30000 + i), '0.001'))
  const reply = await post(app, '/order', market('buy', '0.005'))
  t.equal(reply.status, 200)
  t.equal(reply.body.status, 'filled')
  t.equal(reply.body.trade_count, 5)
  t.same(reply.body.trades.map((trade: { price: string }) => trade.price), ['30000', '30001', '30002'], 'the first trades, in order')
  t.equal(reply.body.filled_quantity, '0.005')
  // Σ value = 0.001 × (30000 + … + 30004) = 150.01; fees at 0.001 of it.
  t.equal(reply.body.total_taker_fees, '0.15001')
  t.equal(reply.body.total_maker_fees, '0.15001')
})
