// POST /cancel and GET /order: by order_id and client_order_id, partially
// filled and terminal orders, and every "not found" and "missing" answer.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { steppingClock } from '../helpers/clock.js'
import { SYMBOL, depth, get, limit, placeOk, post } from './support.js'

const T0 = 1_700_000_000

const CANCEL_KEYS = [
  'success', 'order_id', 'client_order_id', 'symbol', 'status', 'filled_quantity', 'remaining_quantity',
  'bbo', 'processing_time_ms'
].sort()
const STATUS_KEYS = [
  'order_id', 'client_order_id', 'account_id', 'symbol', 'side', 'order_type', 'stp', 'status', 'cancel_reason', 'price', 'quantity',
  'filled_quantity', 'remaining_quantity', 'timestamp',
  'time_in_force', 'post_only', 'stop_price', 'display_quantity', 'expire_time', 'quote_quantity', 'list_id'
].sort()

t.test('cancel by order_id takes the order off the book', async (t) => {
  const app = await buildTestApp(t)
  const bid = await placeOk(app, limit('buy', '30000', '0.1'))
  await placeOk(app, limit('buy', '29999', '0.2'))
  await placeOk(app, limit('sell', '30010', '0.3'))

  const reply = await post(app, '/cancel', { symbol: SYMBOL, order_id: bid.order_id })
  t.equal(reply.status, 200)
  t.same(Object.keys(reply.body).sort(), CANCEL_KEYS)
  t.match(reply.body, {
    success: true,
    order_id: bid.order_id,
    client_order_id: null,
    symbol: SYMBOL,
    status: 'cancelled',
    filled_quantity: '0',
    remaining_quantity: '0.1'
  })
  t.match(reply.body.bbo, { symbol: SYMBOL, best_bid: '29999', best_ask: '30010', spread: '11', mid_price: '30004.5' })
  t.type(reply.body.processing_time_ms, 'number')
  t.strictSame(await depth(app), { bids: [['29999', '0.2']], asks: [['30010', '0.3']] })
})

t.test('cancel by client_order_id, case-insensitive symbol', async (t) => {
  const app = await buildTestApp(t)
  const ask = await placeOk(app, limit('sell', '30000', '0.4', { client_order_id: 'my:order.1_A-b' }))
  const reply = await post(app, '/cancel', { symbol: 'btc-usdt', client_order_id: 'my:order.1_A-b' })
  t.equal(reply.status, 200)
  t.match(reply.body, {
    success: true,
    order_id: ask.order_id,
    client_order_id: 'my:order.1_A-b',
    status: 'cancelled',
    filled_quantity: '0',
    remaining_quantity: '0.4'
  })
  t.strictSame(reply.body.bbo.best_ask, null)
  t.strictSame(await depth(app), { bids: [], asks: [] })
})

t.test('cancelling a partially filled order keeps what was filled', async (t) => {
  const app = await buildTestApp(t)
  const maker = await placeOk(app, limit('sell', '30000', '0.5'))
  await placeOk(app, limit('buy', '30000', '0.2'))
  const partial = await get(app, `/order/${maker.order_id}?symbol=${SYMBOL}`)
  t.match(partial.body, { status: 'partially_filled', filled_quantity: '0.2', remaining_quantity: '0.3' })

  const reply = await post(app, '/cancel', { symbol: SYMBOL, order_id: maker.order_id })
  t.equal(reply.status, 200)
  t.match(reply.body, { status: 'cancelled', filled_quantity: '0.2', remaining_quantity: '0.3' })

  const after = await get(app, `/order/${maker.order_id}?symbol=${SYMBOL}`)
  t.match(after.body, { status: 'cancelled', quantity: '0.5', filled_quantity: '0.2', remaining_quantity: '0.3' })
  t.strictSame(await depth(app), { bids: [], asks: [] })
})

t.test('a second cancel, a filled order or an unknown id → 404 ORDER_NOT_FOUND', async (t) => {
  const app = await buildTestApp(t)
  const order = await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: 'c1' }))
  t.equal((await post(app, '/cancel', { symbol: SYMBOL, order_id: order.order_id })).status, 200)

  const again = await post(app, '/cancel', { symbol: SYMBOL, order_id: order.order_id })
  t.equal(again.status, 404)
  t.equal(again.body.error_code, 'ORDER_NOT_FOUND')
  const byClient = await post(app, '/cancel', { symbol: SYMBOL, client_order_id: 'c1' })
  t.equal(byClient.status, 404)
  t.equal(byClient.body.error_code, 'ORDER_NOT_FOUND')

  const maker = await placeOk(app, limit('sell', '30000', '0.1'))
  await placeOk(app, limit('buy', '30000', '0.1'))
  const filled = await post(app, '/cancel', { symbol: SYMBOL, order_id: maker.order_id })
  t.equal(filled.status, 404)
  t.equal(filled.body.error_code, 'ORDER_NOT_FOUND')

  const unknown = await post(app, '/cancel', { symbol: SYMBOL, order_id: '999999' })
  t.equal(unknown.status, 404)
  t.equal(unknown.body.error_code, 'ORDER_NOT_FOUND')
})

t.test('cancel of an open order under another symbol → 404 and the order stays', async (t) => {
  const app = await buildTestApp(t)
  const order = await placeOk(app, limit('buy', '30000', '0.1'))
  const reply = await post(app, '/cancel', { symbol: 'ETH-USDT', order_id: order.order_id })
  t.equal(reply.status, 404)
  t.equal(reply.body.error_code, 'ORDER_NOT_FOUND')
  t.strictSame(await depth(app), { bids: [['30000', '0.1']], asks: [] })
})

t.test('cancel with neither id → 400 MISSING_ORDER_ID; unknown symbol → 404 SYMBOL_NOT_FOUND', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('buy', '30000', '0.1'))
  for (const body of [{ symbol: SYMBOL }, { symbol: SYMBOL, order_id: null, client_order_id: null }]) {
    const reply = await post(app, '/cancel', body)
    t.equal(reply.status, 400, JSON.stringify(body))
    t.equal(reply.body.error_code, 'MISSING_ORDER_ID')
  }
  const unknown = await post(app, '/cancel', { symbol: 'XRP-USDT', order_id: '1' })
  t.equal(unknown.status, 404)
  t.equal(unknown.body.error_code, 'SYMBOL_NOT_FOUND')
  t.strictSame(await depth(app), { bids: [['30000', '0.1']], asks: [] })
})

t.test('GET /order/:id shows an open order with every field', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  const order = await placeOk(app, limit('sell', '30000.25', '0.125', { client_order_id: 'open-1' }))
  const reply = await get(app, `/order/${order.order_id}?symbol=${SYMBOL}`)
  t.equal(reply.status, 200)
  t.same(Object.keys(reply.body).sort(), STATUS_KEYS)
  t.strictSame(reply.body, {
    order_id: order.order_id,
    client_order_id: 'open-1',
    symbol: SYMBOL,
    side: 'sell',
    order_type: 'limit',
    status: 'pending',
    cancel_reason: null,
    account_id: 'anonymous',
    stp: 'none',
    price: '30000.25',
    quantity: '0.125',
    filled_quantity: '0',
    remaining_quantity: '0.125',
    timestamp: T0,
    time_in_force: 'gtc',
    post_only: false,
    stop_price: null,
    display_quantity: null,
    expire_time: null,
    quote_quantity: null,
    list_id: null
  })
  const lower = await get(app, `/order/${order.order_id}?symbol=btc-usdt`)
  t.strictSame(lower.body, reply.body, 'symbol query is case-insensitive')
})

t.test('GET /order/:id stays answerable for filled, cancelled and rejected orders', async (t) => {
  const app = await buildTestApp(t)
  const maker = await placeOk(app, limit('sell', '30000', '0.1'))
  const taker = await placeOk(app, limit('buy', '30000', '0.1'))
  const cancelled = await placeOk(app, limit('buy', '29000', '0.1'))
  await post(app, '/cancel', { symbol: SYMBOL, order_id: cancelled.order_id })
  const fok = await placeOk(app, limit('buy', '30000', '1', { order_type: 'fok' }))
  const market = await placeOk(app, { symbol: SYMBOL, side: 'sell', order_type: 'market', quantity: '0.1' })

  const expected: Array<[string, Record<string, unknown>]> = [
    [maker.order_id, { status: 'filled', filled_quantity: '0.1', remaining_quantity: '0' }],
    [taker.order_id, { status: 'filled', side: 'buy' }],
    [cancelled.order_id, { status: 'cancelled', filled_quantity: '0', remaining_quantity: '0.1' }],
    [fok.order_id, { status: 'rejected', order_type: 'fok', filled_quantity: '0', remaining_quantity: '1' }],
    [market.order_id, { status: 'cancelled', order_type: 'market', price: null, remaining_quantity: '0.1' }]
  ]
  for (const [id, fields] of expected) {
    const reply = await get(app, `/order/${id}?symbol=${SYMBOL}`)
    t.equal(reply.status, 200, `order ${id}`)
    t.match(reply.body, { order_id: id, ...fields }, `order ${id}`)
  }
})

t.test('GET /order?symbol=S&client_order_id=C, open and terminal', async (t) => {
  const app = await buildTestApp(t)
  const open = await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: 'cid-open' }))
  const done = await placeOk(app, limit('buy', '29000', '0.1', { client_order_id: 'cid-done' }))
  await post(app, '/cancel', { symbol: SYMBOL, order_id: done.order_id })

  const a = await get(app, `/order?symbol=${SYMBOL}&client_order_id=cid-open`)
  t.equal(a.status, 200)
  t.match(a.body, { order_id: open.order_id, client_order_id: 'cid-open', status: 'pending' })
  const b = await get(app, `/order?symbol=${SYMBOL}&client_order_id=cid-done`)
  t.equal(b.status, 200)
  t.match(b.body, { order_id: done.order_id, client_order_id: 'cid-done', status: 'cancelled' })

  const elsewhere = await get(app, '/order?symbol=ETH-USDT&client_order_id=cid-open')
  t.equal(elsewhere.status, 404)
  t.equal(elsewhere.body.error_code, 'ORDER_NOT_FOUND')
  const unknown = await get(app, `/order?symbol=${SYMBOL}&client_order_id=nobody`)
  t.equal(unknown.status, 404)
  t.equal(unknown.body.error_code, 'ORDER_NOT_FOUND')
})

t.test('status lookups: missing symbol → 400, unknown id or symbol → 404', async (t) => {
  const app = await buildTestApp(t)
  const order = await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: 'k1' }))
  const cases: Array<[string, number, string]> = [
    [`/order/${order.order_id}`, 400, 'MISSING_SYMBOL'],
    [`/order/${order.order_id}?symbol=`, 400, 'MISSING_SYMBOL'],
    ['/order?client_order_id=k1', 400, 'MISSING_SYMBOL'],
    [`/order?symbol=${SYMBOL}`, 400, 'MISSING_ORDER_ID'],
    [`/order/424242?symbol=${SYMBOL}`, 404, 'ORDER_NOT_FOUND'],
    [`/order/${order.order_id}?symbol=ETH-USDT`, 404, 'ORDER_NOT_FOUND'],
    [`/order/${order.order_id}?symbol=XRP-USDT`, 404, 'SYMBOL_NOT_FOUND'],
    ['/order?symbol=XRP-USDT&client_order_id=k1', 404, 'SYMBOL_NOT_FOUND']
  ]
  for (const [url, status, code] of cases) {
    const reply = await get(app, url)
    t.equal(reply.status, status, url)
    t.equal(reply.body.error_code, code, url)
    t.type(reply.body.error, 'string', url)
  }
})

t.test('terminal orders stay queryable up to HISTORY_LIMIT, oldest evicted first', async (t) => {
  const app = await buildTestApp(t, { HISTORY_LIMIT: '2' })
  const resting = await placeOk(app, limit('buy', '29000', '0.1'))
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    const o = await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: `h${i}` }))
    await post(app, '/cancel', { symbol: SYMBOL, order_id: o.order_id })
    ids.push(o.order_id)
  }
  const oldest = await get(app, `/order/${ids[0]}?symbol=${SYMBOL}`)
  t.equal(oldest.status, 404)
  t.equal(oldest.body.error_code, 'ORDER_NOT_FOUND')
  t.equal((await get(app, `/order?symbol=${SYMBOL}&client_order_id=h0`)).status, 404)
  for (const id of ids.slice(1)) t.match((await get(app, `/order/${id}?symbol=${SYMBOL}`)).body, { order_id: id, status: 'cancelled' })
  t.match((await get(app, `/order?symbol=${SYMBOL}&client_order_id=h2`)).body, { order_id: ids[2] })
  t.match((await get(app, `/order/${resting.order_id}?symbol=${SYMBOL}`)).body, { status: 'pending' }, 'open orders never age out')
})
