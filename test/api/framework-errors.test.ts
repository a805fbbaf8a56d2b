// Item 18 of issue 9: errors that Fastify, its plugins or Node's HTTP parser
// produce answer in the one {error, error_code} shape, and validation
// messages say what to do. Inject for the logic, a real socket (undici, raw
// net) for what only a socket shows: 431 and bytes that are not HTTP.
import t from 'tap'
import type { Test } from 'tap'
import { connect } from 'node:net'
import { request } from 'undici'
import { buildTestApp } from '../helpers/build-app.js'
import { startServer } from '../helpers/server.js'
import { ERROR_KEYS, SYMBOL, get, limit, post, postRaw, type Reply } from './support.js'

/** Writes `bytes` (if any) on a raw socket and resolves with everything the server sends until it closes it. */
async function rawExchange (url: string, bytes?: string): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1')
    let text = ''
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('not closed in 5 s')) }, 5000)
    socket.on('data', (chunk) => { text += chunk.toString() })
    socket.on('close', () => { clearTimeout(timer); resolve(text) })
    socket.on('error', reject)
    if (bytes !== undefined) socket.write(bytes)
  })
}

function isError (t: Test, reply: Reply, status: number, code: string, message: RegExp): void {
  t.equal(reply.status, status, `${code}: status`)
  t.equal(reply.body.error_code, code, `${code}: error_code`)
  t.match(reply.body.error, message, `${code}: message`)
  t.same(Object.keys(reply.body).filter((k) => !ERROR_KEYS.includes(k)), [], `${code}: no other keys (${Object.keys(reply.body).join(', ')})`)
}

t.test('router errors: bad percent-encoding is 400 INVALID_URL, an over-long path parameter 414 URI_TOO_LONG', async (t) => {
  const app = await buildTestApp(t)
  isError(t, await get(app, '/book/%E0%A4%A'), 400, 'INVALID_URL', /not valid percent-encoding/)
  isError(t, await get(app, '/%'), 400, 'INVALID_URL', /not valid percent-encoding/)
  isError(t, await get(app, `/order/${'9'.repeat(101)}?symbol=${SYMBOL}`), 414, 'URI_TOO_LONG', /longer than 100 characters/)
  isError(t, await get(app, `/book/${'B'.repeat(500)}`), 414, 'URI_TOO_LONG', /longer than 100 characters/)
  const counts = (await get(app, '/statistics')).body.error_counts
  t.equal(counts.INVALID_URL, 2)
  t.equal(counts.URI_TOO_LONG, 2)
})

t.test('static files: a forbidden path is 403 FORBIDDEN, a missing one 404 (never 405)', async (t) => {
  const app = await buildTestApp(t)
  isError(t, await get(app, '/docs/static/..%5cpackage.json'), 403, 'FORBIDDEN', /may not be served/)
  isError(t, await get(app, '/docs/static/no-such-file.js'), 404, 'NOT_FOUND', /not found/)
  isError(t, await get(app, '/docs/static/a%00b'), 400, 'BAD_REQUEST', /malformed/)
  const range = await app.inject({ url: '/app.js', headers: { range: 'bytes=99999999-' } })
  isError(t, { status: range.statusCode, body: range.json(), headers: range.headers }, 416, 'RANGE_NOT_SATISFIABLE', /outside the file/)
})

t.test('validation messages name the field and say what is expected, once', async (t) => {
  const app = await buildTestApp(t)
  const missing = await post(app, '/order', { symbol: SYMBOL, side: 'buy', quantity: '1' })
  isError(t, missing, 400, 'VALIDATION_ERROR', /^body field 'order_type' is required$/)
  t.strictSame(missing.body.details, [{ field: 'order_type', message: 'is required' }])

  for (const bad of ['a b', '', 'x'.repeat(65), 'é']) {
    const reply = await post(app, '/order', limit('buy', '30000', '0.1', { client_order_id: bad }))
    isError(t, reply, 400, 'VALIDATION_ERROR', /^body field 'client_order_id' must be 1 to 64 characters, each a letter, a digit or one of \. _ : -$/)
    t.equal(reply.body.details.length, 1, `one detail for ${JSON.stringify(bad).slice(0, 10)}`)
  }
  const wrongType = await post(app, '/order', limit('buy', '30000', '0.1', { client_order_id: 5 as unknown as string }))
  isError(t, wrongType, 400, 'VALIDATION_ERROR', /^body field 'client_order_id' must be a string or null$/)
  t.equal(wrongType.body.details.length, 1)

  const quantity = await post(app, '/order', limit('buy', '30000', true as unknown as string))
  isError(t, quantity, 400, 'VALIDATION_ERROR', /^body field 'quantity' must be a string or a number or null$/)
  t.equal(quantity.body.details.length, 1)
  isError(t, await post(app, '/order', limit('buy', [1] as unknown as string, '1')), 400, 'VALIDATION_ERROR', /^body field 'price' must be a string or a number or null$/)
  isError(t, await post(app, '/order', { ...limit('buy', '30000', '0.1'), stop: '1' }), 400, 'VALIDATION_ERROR', /^body field 'stop' is not a known field$/)
  isError(t, await post(app, '/order', limit('buy', '30000', '0.1', { side: 'b'.repeat(9) })), 400, 'VALIDATION_ERROR', /^body field 'side' must be 1 to 8 characters long$/)
})

t.test('415 says JSON is expected; an unknown symbol lists the traded ones', async (t) => {
  const app = await buildTestApp(t)
  const json = JSON.stringify(limit('buy', '30000', '0.1'))
  isError(t, await postRaw(app, '/order', json, 'text/plain'), 415, 'INVALID_CONTENT_TYPE', /must be JSON: send it with Content-Type: application\/json \(got 'text\/plain'\)/)
  isError(t, await postRaw(app, '/order', json, null), 415, 'INVALID_CONTENT_TYPE', /\(got no Content-Type\)/)
  const traded = /traded symbols: BTC-USDT, ETH-USDT, BNB-USDT, SOL-USDT$/
  isError(t, await post(app, '/order', limit('buy', '1', '1', { symbol: 'DOGE-USDT' })), 404, 'SYMBOL_NOT_FOUND', traded)
  isError(t, await post(app, '/cancel', { symbol: 'DOGE-USDT', order_id: '1' }), 404, 'SYMBOL_NOT_FOUND', traded)
  isError(t, await get(app, '/order/1?symbol=DOGE-USDT'), 404, 'SYMBOL_NOT_FOUND', traded)
  isError(t, await get(app, '/book/DOGE-USDT'), 404, 'SYMBOL_NOT_FOUND', traded)
})

t.test('processing_time_ms is rounded to microseconds', async (t) => {
  const app = await buildTestApp(t)
  const decimals = (n: number) => (String(n).split('.')[1] ?? '').length
  for (let i = 0; i < 20; i++) {
    const order = await post(app, '/order', limit(i % 2 === 0 ? 'buy' : 'sell', String(30000 + (i % 2 === 0 ? -i : i)), '0.1'))
    t.ok(decimals(order.body.processing_time_ms) <= 3, `order ${order.body.processing_time_ms}`)
    const cancel = await post(app, '/cancel', { symbol: SYMBOL, order_id: order.body.order_id })
    t.ok(decimals(cancel.body.processing_time_ms) <= 3, `cancel ${cancel.body.processing_time_ms}`)
  }
})

t.test('over a real socket: 431 for oversized headers, 400 for bytes that are not HTTP, in our shape', async (t) => {
  const server = await startServer()
  t.teardown(() => server.close())

  const big = await request(`${server.url}/health`, { headers: { 'x-filler': 'x'.repeat(20 * 1024) } })
  t.equal(big.statusCode, 431)
  t.equal(big.headers['content-type'], 'application/json; charset=utf-8')
  t.strictSame(await big.body.json(), {
    error: 'the request headers are larger than the server accepts (16 KiB in all by default)', error_code: 'HEADERS_TOO_LARGE'
  })

  const bad = await request(`${server.url}/book/%E0%A4%A`)
  t.equal(bad.statusCode, 400)
  t.match(await bad.body.json(), { error_code: 'INVALID_URL' })

  const raw = await rawExchange(server.url, 'NOT HTTP AT ALL\r\n\r\n')
  t.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.match(raw, /\r\n\r\n\{"error":"the request is not valid HTTP\/1\.1","error_code":"BAD_REQUEST"\}$/)
  t.equal(server.app.errorCounts.get('HEADERS_TOO_LARGE'), 1)
  t.equal(server.app.errorCounts.get('BAD_REQUEST'), 1)

  // Node's requestTimeout (30 s) reports through the same clientError path; raised here by hand.
  server.app.server.once('connection', (serverSide) => {
    const error = Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' })
    setImmediate(() => server.app.server.emit('clientError', error, serverSide))
  })
  const timedOut = await rawExchange(server.url)
  t.match(timedOut, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  t.match(timedOut, /"error_code":"REQUEST_TIMEOUT"\}$/)

  // A reset peer gets nothing; a socket that can no longer be written to is closed without an answer.
  server.app.server.once('connection', (serverSide) => {
    setImmediate(() => {
      server.app.server.emit('clientError', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), serverSide)
      serverSide.end()
      server.app.server.emit('clientError', Object.assign(new Error('bad'), { code: 'HPE_INVALID_METHOD' }), serverSide)
    })
  })
  const unanswered = await rawExchange(server.url)
  t.equal(unanswered, '', 'closed without an answer')
})

t.test('a body shorter or longer than its Content-Length is 400 BAD_REQUEST', async (t) => {
  const app = await buildTestApp(t)
  for (const length of ['100', '2']) {
    const res = await app.inject({ method: 'POST', url: '/order', headers: { 'content-type': 'application/json', 'content-length': length }, payload: JSON.stringify(limit('buy', '100', '1')) })
    isError(t, { status: res.statusCode, headers: res.headers, body: res.json() }, 400, 'BAD_REQUEST', /length does not match its Content-Length/)
  }
})

t.test('the handler words any schema: nested fields, other keywords, open-ended lengths, any other 4xx', async (t) => {
  const app = await buildTestApp(t)
  // Routes of this test only, with schemas the service's own routes do not have (yet): the wording must not depend on them.
  app.post('/test/nested', { schema: { body: { type: 'object', required: ['outer'], properties: { outer: { type: 'object', required: ['inner'], properties: { inner: { type: 'string' } } } } } } }, async () => ({}))
  app.post('/test/bounded', { schema: { body: { type: 'object', properties: { n: { type: 'integer', minimum: 1 }, code: { type: 'string', minLength: 3 } } } } }, async () => ({}))
  app.get('/test/teapot', async () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }) })

  const nested = await post(app, '/test/nested', { outer: {} })
  isError(t, nested, 400, 'VALIDATION_ERROR', /^body field 'outer\.inner' is required$/)
  t.strictSame(nested.body.details, [{ field: 'outer.inner', message: 'is required' }])
  isError(t, await post(app, '/test/bounded', { n: 0 }), 400, 'VALIDATION_ERROR', /^body field 'n' must be >= 1$/)
  isError(t, await post(app, '/test/bounded', { code: 'ab' }), 400, 'VALIDATION_ERROR', /^body field 'code' must be 3 to any number of characters long$/)
  // A real route: the statistics filter has a maximum length and no minimum.
  isError(t, await get(app, `/statistics?symbol=${'X'.repeat(42)}`), 400, 'VALIDATION_ERROR', /^querystring field 'symbol' must be 0 to 41 characters long$/)
  // A 4xx status the handler has no entry for is answered as a plain 400 in our shape.
  isError(t, await get(app, '/test/teapot'), 400, 'BAD_REQUEST', /^the request is malformed$/)
})

t.test('over a real socket: bytes that are not HTTP pipelined behind a request still in flight get their 400', async (t) => {
  const server = await startServer()
  t.teardown(() => server.close())
  // One write: Node parses both at once, so the first request's response is attached to the socket, not yet sent.
  const raw = await rawExchange(server.url, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nNOT HTTP AT ALL\r\n\r\n')
  t.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.match(raw, /\r\n\r\n\{"error":"the request is not valid HTTP\/1\.1","error_code":"BAD_REQUEST"\}/)
})
