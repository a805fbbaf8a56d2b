// Issue 12 on the wire, the parts that are the wire's alone: the new body
// fields' schema refusals, expire_time read from epoch seconds exactly, the
// new routes' schemas and limits, the OpenAPI document, the price band in
// the SYMBOLS configuration and GET /symbols.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { secondsToMs } from '../../src/wire/time.js'
import { loadConfig } from '../../src/config.js'
import { authEnv } from '../helpers/signing.js'
import { SYMBOL, get, limit, post, stateOf } from './support.js'

t.test('expire_time: epoch seconds with up to 3 decimals become exact integer milliseconds', async (t) => {
  t.equal(secondsToMs(1_700_000_000.123), 1_700_000_000_123, 'never 1700000000122.9998')
  t.equal(secondsToMs(1_700_000_000.1), 1_700_000_000_100)
  t.equal(secondsToMs(1_700_000_000), 1_700_000_000_000)
  t.equal(secondsToMs(0.001), 1)
  t.equal(secondsToMs(4102444800.999), 4102444800999)
  for (const bad of [1_700_000_000.1234, 0.0001, 1e-7, 0, -1, -0.5, Infinity, -Infinity, NaN, 1e21, 9_007_199_254_741]) {
    t.equal(secondsToMs(bad), null, `${bad} is refused`)
  }
})

t.test('POST /order refuses an expire_time that is not epoch seconds with at most 3 decimals: 400 INVALID_EXPIRE_TIME, nothing changes', async (t) => {
  const app = await buildTestApp(t)
  const before = await stateOf(app)
  for (const expire of [1_700_000_000.1234, 0, -5, 1e21]) {
    const reply = await post(app, '/order', limit('buy', '30000', '0.1', { time_in_force: 'gtd', expire_time: expire } as object))
    t.equal(reply.status, 400, String(expire))
    t.equal(reply.body.error_code, 'INVALID_EXPIRE_TIME', String(expire))
  }
  const oco = await post(app, '/oco', { symbol: SYMBOL, side: 'sell', quantity: '0.1', price: '31000', stop_price: '29000', time_in_force: 'gtd', expire_time: 1.0001 })
  t.equal(oco.status, 400)
  t.equal(oco.body.error_code, 'INVALID_EXPIRE_TIME')
  t.strictSame(await stateOf(app), before)
})

t.test('the new fields are typed by the schema: wrong types and unknown fields are 400 VALIDATION_ERROR naming the field', async (t) => {
  const app = await buildTestApp(t)
  const before = await stateOf(app)
  const cases: Array<[string, object, string]> = [
    ['/order', limit('buy', '30000', '0.1', { post_only: 'yes' } as object), 'post_only'],
    ['/order', limit('buy', '30000', '0.1', { expire_time: '1700000000' } as object), 'expire_time'],
    ['/order', limit('buy', '30000', '0.1', { stop_price: true } as object), 'stop_price'],
    ['/order', limit('buy', '30000', '0.1', { display_quantity: {} } as object), 'display_quantity'],
    ['/order', limit('buy', '30000', '0.1', { time_in_force: 'x'.repeat(17) } as object), 'time_in_force'],
    ['/order', { symbol: SYMBOL, side: 'buy', order_type: 'market', quote_quantity: [] }, 'quote_quantity'],
    ['/order', limit('buy', '30000', '0.1', { trigger: '1' } as object), 'trigger'],
    ['/amend', { symbol: SYMBOL, order_id: '1', new_quantity: '0.1', price: '1' }, 'price'],
    ['/amend', { symbol: SYMBOL, order_id: '1', new_price: false }, 'new_price'],
    ['/amend', { order_id: '1', new_price: '1' }, 'symbol'],
    ['/oco', { symbol: SYMBOL, side: 'sell', quantity: '0.1', price: '31000' }, 'stop_price'],
    ['/oco', { symbol: SYMBOL, side: 'sell', quantity: '0.1', price: '31000', stop_price: '29000', order_type: 'limit' }, 'order_type'],
    ['/oco', { symbol: SYMBOL, side: 'sell', quantity: '0.1', price: null, stop_price: '29000' }, 'price']
  ]
  for (const [url, body, field] of cases) {
    const reply = await post(app, url, body)
    t.equal(reply.status, 400, `${url} ${field}`)
    t.equal(reply.body.error_code, 'VALIDATION_ERROR', `${url} ${field}`)
    t.match(reply.body.error, field, `${url}: the message names ${field}`)
  }
  t.strictSame(await stateOf(app), before)
})

t.test('/amend and /oco share the order rate limit of /order (429 RATE_LIMIT past RATE_LIMIT_MAX)', async (t) => {
  const app = await buildTestApp(t, { RATE_LIMIT_MAX: '2' })
  for (const url of ['/amend', '/oco']) {
    // Unknown fields: refused by the schema, after the limit has counted them.
    for (let i = 0; i < 2; i++) t.equal((await post(app, url, { nothing: true })).status, 400)
    const third = await post(app, url, { nothing: true })
    t.equal(third.status, 429, url)
    t.equal(third.body.error_code, 'RATE_LIMIT')
  }
})

t.test('/docs shows the new fields, routes, statuses and cancel reasons', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  const doc = (await get(app, '/docs/json')).body
  const order = doc.paths['/order'].post
  const body = order.requestBody.content['application/json'].schema
  for (const field of ['time_in_force', 'post_only', 'stop_price', 'display_quantity', 'expire_time', 'quote_quantity']) t.ok(body.properties[field], `POST /order body has ${field}`)
  t.notOk(body.required.includes('quantity'), 'quantity is optional (quote_quantity instead)')
  t.match(body.properties.order_type.description, /stop_limit \| stop_market/)
  // One shape per response_type: full (the default) first, then result and ack.
  const shapes = order.responses['200'].content['application/json'].schema.anyOf
  t.equal(shapes.length, 3, 'POST /order documents the full, result and ack answers')
  t.ok(shapes[0].properties.trades && shapes[1].properties.average_price && !shapes[2].properties.trades)
  const answer = shapes[0]
  for (const field of ['time_in_force', 'post_only', 'stop_price', 'display_quantity', 'expire_time', 'quote_quantity', 'list_id']) t.ok(answer.properties[field], `the order view has ${field}`)
  t.match(answer.properties.status.description, /untriggered/)
  t.match(answer.properties.status.description, /expired/)
  for (const reason of ['POST_ONLY_WOULD_TAKE', 'OCO', 'PRICE_BAND']) t.match(answer.properties.cancel_reason.description, reason)

  const amend = doc.paths['/amend'].post
  t.same(Object.keys(amend.requestBody.content['application/json'].schema.properties).sort(),
    ['client_order_id', 'include_bbo', 'new_price', 'new_quantity', 'new_stop_price', 'order_id', 'response_type', 'symbol'])
  t.same(amend.responses['200'].content['application/json'].schema, order.responses['200'].content['application/json'].schema, 'answered like POST /order')
  const oco = doc.paths['/oco'].post
  t.same(Object.keys(oco.requestBody.content['application/json'].schema.properties).sort(),
    ['expire_time', 'limit_client_order_id', 'price', 'quantity', 'side', 'stop_client_order_id', 'stop_limit_price', 'stop_price', 'stp', 'symbol', 'time_in_force'])
  t.same(Object.keys(oco.responses['200'].content['application/json'].schema.properties).sort(),
    ['bbo', 'list_id', 'orders', 'processing_time_ms', 'total_maker_fees', 'total_taker_fees', 'trade_count', 'trades'])

  const status = doc.paths['/admin/symbols/{symbol}/trading_status'].post
  t.same(status.requestBody.content['application/json'].schema.properties.status.anyOf.map((s: { const?: string, enum?: string[] }) => s.const ?? s.enum?.[0]),
    ['trading', 'halted', 'cancel_only'])
  t.same(Object.keys(status.responses['200'].content['application/json'].schema.properties).sort(), ['symbol', 'trading_status'])
  const info = doc.paths['/symbols'].get.responses['200'].content['application/json'].schema.properties.symbol_info.additionalProperties
  t.ok(info.properties.trading_status && info.properties.price_band, '/symbols shows trading_status and price_band')
})

t.test('SYMBOLS priceBand: a fraction strictly between 0 and 1, shown by GET /symbols (null when absent)', async (t) => {
  const symbols = JSON.stringify([
    { symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001', priceBand: '0.1' },
    { symbol: 'ETH-USDT', tickSize: '0.01', minQuantity: '0.0001' }
  ])
  const app = await buildTestApp(t, { SYMBOLS: symbols })
  const reply = await get(app, '/symbols')
  t.equal(reply.status, 200)
  t.match(reply.body.symbol_info['BTC-USDT'], { price_band: '0.1', trading_status: 'trading' })
  t.match(reply.body.symbol_info['ETH-USDT'], { price_band: null, trading_status: 'trading' })

  for (const band of ['0', '1', '1.5', '-0.1', '0.0', 'abc', '', '10%', '1e-1']) {
    t.throws(() => loadConfig({ SYMBOLS: JSON.stringify([{ symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001', priceBand: band }]) }),
      { message: /SYMBOLS\[0\]\.priceBand must be a decimal fraction strictly between 0 and 1|SYMBOLS\[0\]\.priceBand must be a decimal string/ }, `priceBand ${JSON.stringify(band)}`)
  }
  t.throws(() => loadConfig({ SYMBOLS: JSON.stringify([{ symbol: 'BTC-USDT', tickSize: '0.01', minQuantity: '0.00001', priceBand: 0.1 }]) }), /priceBand must be a decimal string/)
})
