// Every error code with its HTTP status and the one error body shape
// {error, error_code[, details][, retry_after]}.
import t from 'tap'
import type { Test } from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { ERROR_KEYS, SYMBOL, type Reply, depth, get, limit, placeOk, post, postRaw, statistics } from './support.js'
import { engineOf } from '../helpers/exchange-internals.js'

/** Status, code and shape of an error reply. */
function isError (t: Test, reply: Reply, status: number, code: string, label = code): void {
  t.equal(reply.status, status, `${label}: status`)
  t.equal(reply.body.error_code, code, `${label}: error_code`)
  t.type(reply.body.error, 'string', `${label}: error is a message`)
  t.ok(reply.body.error.length > 0, `${label}: message not empty`)
  t.same(Object.keys(reply.body).filter((k) => !ERROR_KEYS.includes(k)), [], `${label}: no other keys`)
  t.match(reply.headers['content-type'], /^application\/json/, `${label}: JSON body`)
}

t.test('VALIDATION_ERROR from the schema names the offending field', async (t) => {
  const app = await buildTestApp(t)
  const cases: Array<[string, unknown]> = [
    ['quantity', limit('buy', '30000', true as unknown as string)],
    ['side', { symbol: SYMBOL, order_type: 'limit', quantity: '0.1', price: '30000' }],
    ['extra', { ...limit('buy', '30000', '0.1'), extra: 1 }],
    ['symbol', { ...limit('buy', '30000', '0.1'), symbol: 5 }],
    ['client_order_id', limit('buy', '30000', '0.1', { client_order_id: 'has space' })]
  ]
  for (const [field, body] of cases) {
    const reply = await post(app, '/order', body)
    isError(t, reply, 400, 'VALIDATION_ERROR', field)
    t.match(reply.body.error, field, `${field}: named in the message`)
    t.equal(reply.body.details[0].field, field, `${field}: named in details`)
  }
  const cancel = await post(app, '/cancel', { symbol: SYMBOL, order_id: 7 })
  isError(t, cancel, 400, 'VALIDATION_ERROR', 'cancel order_id')
  t.equal(cancel.body.details[0].field, 'order_id')
})

t.test('VALIDATION_ERROR from the engine names the filter or field', async (t) => {
  const app = await buildTestApp(t)
  const cases: Array<[RegExp, unknown]> = [
    [/PRICE_FILTER/, limit('buy', '30000.001', '0.1')],
    [/LOT_SIZE/, limit('buy', '30000', '0.000000001')],
    [/MIN_QUANTITY/, limit('buy', '30000', '0.000009')],
    [/MAX_QUANTITY/, limit('buy', '30000', '1000000.00000001')],
    [/MIN_NOTIONAL/, limit('buy', '30000', '0.0003')],
    [/price/, { symbol: SYMBOL, side: 'buy', order_type: 'limit', quantity: '0.1' }],
    [/price/, { symbol: SYMBOL, side: 'buy', order_type: 'market', quantity: '0.1', price: '30000' }],
    [/side/, limit('buy', '30000', '0.1', { side: 'hold' })],
    [/order_type/, limit('buy', '30000', '0.1', { order_type: 'stop' })],
    [/quantity/, limit('buy', '30000', '0')],
    [/significant digits/, limit('buy', '30000', '0.1000000000000000001')]
  ]
  for (const [pattern, body] of cases) {
    const reply = await post(app, '/order', body)
    isError(t, reply, 400, 'VALIDATION_ERROR', String(pattern))
    t.match(reply.body.error, pattern, `${String(pattern)} in message`)
  }
  t.strictSame(await depth(app), { bids: [], asks: [] })
})

t.test('INVALID_JSON: malformed or empty JSON', async (t) => {
  const app = await buildTestApp(t)
  isError(t, await postRaw(app, '/order', '{"symbol":"BTC-USDT",'), 400, 'INVALID_JSON', 'truncated')
  isError(t, await postRaw(app, '/order', "{'symbol':'BTC-USDT'}"), 400, 'INVALID_JSON', 'single quotes')
  isError(t, await postRaw(app, '/order', ''), 400, 'INVALID_JSON', 'empty')
  isError(t, await postRaw(app, '/cancel', '{"symbol":}'), 400, 'INVALID_JSON', 'cancel')
})

t.test('415 INVALID_CONTENT_TYPE: a body that is not application/json', async (t) => {
  const app = await buildTestApp(t)
  const json = JSON.stringify(limit('buy', '30000', '0.1'))
  isError(t, await postRaw(app, '/order', json, 'application/x-www-form-urlencoded'), 415, 'INVALID_CONTENT_TYPE', 'form')
  isError(t, await postRaw(app, '/order', json, null), 415, 'INVALID_CONTENT_TYPE', 'no content type')
  isError(t, await postRaw(app, '/order', 'symbol=BTC-USDT', 'text/plain'), 415, 'INVALID_CONTENT_TYPE', 'text/plain')
  isError(t, await postRaw(app, '/order', json, 'text/plain'), 415, 'INVALID_CONTENT_TYPE', 'JSON text sent as text/plain')
  t.strictSame(await depth(app), { bids: [], asks: [] })
})

t.test('413 PAYLOAD_TOO_LARGE: a body over BODY_LIMIT', async (t) => {
  const app = await buildTestApp(t, { BODY_LIMIT: '1024' })
  const order = limit('buy', '30000', '0.1')
  const under = JSON.stringify(order) + ' '.repeat(900)
  t.ok(under.length < 1024)
  t.equal((await postRaw(app, '/order', under)).status, 200, 'just under the limit is accepted')
  const over = JSON.stringify({ ...order, padding: 'x'.repeat(2048) })
  isError(t, await postRaw(app, '/order', over), 413, 'PAYLOAD_TOO_LARGE')
  t.strictSame(await depth(app), { bids: [['30000', '0.1']], asks: [] })
})

t.test('404 NOT_FOUND for unknown routes', async (t) => {
  const app = await buildTestApp(t)
  isError(t, await get(app, '/nope'), 404, 'NOT_FOUND', 'GET /nope')
  isError(t, await get(app, '/book'), 404, 'NOT_FOUND', 'GET /book')
  isError(t, await get(app, '/book/BTC-USDT/extra'), 404, 'NOT_FOUND', 'GET /book/BTC-USDT/extra')
  isError(t, await post(app, '/orderz', limit('buy', '30000', '0.1')), 404, 'NOT_FOUND', 'POST /orderz')
})

t.test('405 METHOD_NOT_ALLOWED with an Allow header where the path exists', async (t) => {
  const app = await buildTestApp(t)
  const cases: Array<['GET' | 'DELETE' | 'PUT' | 'POST', string, string[]]> = [
    ['GET', '/cancel', ['POST']],
    ['DELETE', '/book/BTC-USDT', ['GET']],
    ['PUT', '/order', ['GET', 'POST']],
    ['DELETE', '/order/1', ['GET']],
    ['POST', '/health', ['GET']]
  ]
  for (const [method, url, allowed] of cases) {
    const res = await app.inject({ method, url })
    const reply: Reply = { status: res.statusCode, body: res.json(), headers: res.headers }
    isError(t, reply, 405, 'METHOD_NOT_ALLOWED', `${method} ${url}`)
    const allow = String(res.headers.allow ?? '').split(/\s*,\s*/)
    for (const m of allowed) t.ok(allow.includes(m), `${method} ${url}: Allow lists ${m} (${res.headers.allow})`)
    t.notOk(allow.includes(method), `${method} ${url}: Allow does not list ${method}`)
  }
})

t.test('429 RATE_LIMIT with retry_after and Retry-After, order entry and cancel only', async (t) => {
  const app = await buildTestApp(t, { RATE_LIMIT_MAX: '3' })
  for (let i = 0; i < 3; i++) await placeOk(app, limit('buy', String(30000 + i), '0.1'))
  const book = await depth(app)

  const limited = await post(app, '/order', limit('sell', '29000', '1'))
  isError(t, limited, 429, 'RATE_LIMIT')
  t.type(limited.body.retry_after, 'number')
  t.ok(Number.isInteger(limited.body.retry_after) && limited.body.retry_after >= 1 && limited.body.retry_after <= 60,
    'retry_after: whole seconds within the 60 s window')
  t.equal(limited.headers['retry-after'], String(limited.body.retry_after), 'Retry-After header agrees with the body')
  t.strictSame(await depth(app), book, 'the refused order changed nothing')

  t.equal((await get(app, `/bbo/${SYMBOL}`)).status, 200, 'market data is not limited')
  t.equal((await statistics(app)).error_counts.RATE_LIMIT, 1)
})

t.test('429 also guards /cancel, and RATE_LIMIT_ENABLED=false switches it off', async (t) => {
  const limitedApp = await buildTestApp(t, { RATE_LIMIT_MAX: '3' })
  for (let i = 0; i < 3; i++) await post(limitedApp, '/cancel', { symbol: SYMBOL, order_id: String(i + 1) })
  isError(t, await post(limitedApp, '/cancel', { symbol: SYMBOL, order_id: '1' }), 429, 'RATE_LIMIT', 'cancel')

  const open = await buildTestApp(t, { RATE_LIMIT_MAX: '3', RATE_LIMIT_ENABLED: 'false' })
  for (let i = 0; i < 6; i++) {
    t.equal((await post(open, '/order', limit('buy', String(30000 + i), '0.1'))).status, 200, `order ${i + 1}`)
  }
})

t.test('the other API codes: status and shape', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: 'dup' }))
  isError(t, await post(app, '/order', limit('buy', '1', '20', { symbol: 'DOGE-USDT' })), 404, 'SYMBOL_NOT_FOUND')
  isError(t, await post(app, '/cancel', { symbol: SYMBOL, order_id: '12345' }), 404, 'ORDER_NOT_FOUND')
  isError(t, await post(app, '/cancel', { symbol: SYMBOL }), 400, 'MISSING_ORDER_ID')
  isError(t, await get(app, '/order/1'), 400, 'MISSING_SYMBOL')
  isError(t, await get(app, `/book/${SYMBOL}?levels=0`), 400, 'INVALID_PARAMETER')
  isError(t, await post(app, '/order', limit('buy', '30000', '0.1', { client_order_id: 'dup' })), 409, 'DUPLICATE_CLIENT_ORDER_ID')
})

t.test('500 INTERNAL_ERROR carries no internals', async (t) => {
  const app = await buildTestApp(t)
  // Stand-in for an engine bug: the route's call into the engine throws.
  engineOf(app).submit = () => { throw new TypeError('secret detail at /srv/engine.ts:42') }
  const reply = await post(app, '/order', limit('buy', '30000', '0.1'))
  isError(t, reply, 500, 'INTERNAL_ERROR')
  t.strictSame(reply.body, { error: 'internal server error', error_code: 'INTERNAL_ERROR' })
  const text = JSON.stringify(reply.body)
  for (const leak of ['secret', '/srv/', 'TypeError', 'stack', '.ts']) t.notOk(text.includes(leak), `no "${leak}" in the body`)
  t.equal((await statistics(app)).error_counts.INTERNAL_ERROR, 1)
})
