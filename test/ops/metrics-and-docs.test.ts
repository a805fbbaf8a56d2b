import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'

/** Parses Prometheus text exposition (prom-client prints NaN as "Nan"): `name{labels} value` lines, comments skipped. */
function parseMetrics (text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.eE+-]+|NaN|Nan|\+Inf|-Inf)$/.exec(line)
    if (match === null) throw new Error(`not Prometheus text: ${line}`)
    values.set(match[1], Number(match[2]))
  }
  return values
}

const TOKEN = 'metrics-token-0123456789'
const scrape = (app: Awaited<ReturnType<typeof buildTestApp>>) => app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })

t.test('/metrics parses as Prometheus text and its counters move with real orders', async (t) => {
  const app = await buildTestApp(t, { METRICS_TOKEN: TOKEN })
  const before = parseMetrics((await scrape(app)).body)
  t.ok(before.has('process_cpu_user_seconds_total'), 'process defaults')
  t.ok([...before.keys()].some((k) => k.startsWith('nodejs_eventloop_lag')), 'event-loop delay')
  t.equal(before.get('open_orders{symbol="BTC-USDT"}'), 0)
  const order = (body: object) => app.inject({ method: 'POST', url: '/order', payload: body })
  t.equal((await order({ symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '0.5', price: '30000' })).statusCode, 200)
  t.equal((await order({ symbol: 'BTC-USDT', side: 'buy', order_type: 'market', quantity: '0.2' })).statusCode, 200)
  t.equal((await order({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.2', price: '1.001' })).statusCode, 400)
  const res = await scrape(app)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  const after = parseMetrics(res.body)
  t.equal(after.get('orders_accepted_total{symbol="BTC-USDT",order_type="limit",status="pending"}'), 1)
  t.equal(after.get('orders_accepted_total{symbol="BTC-USDT",order_type="market",status="filled"}'), 1)
  t.equal(after.get('orders_rejected_total{order_type="limit",reason="VALIDATION_ERROR"}'), 1)
  t.equal(after.get('trades_total{symbol="BTC-USDT"}'), 1)
  t.equal(after.get('matching_latency_seconds_count'), 2)
  t.equal(after.get('open_orders{symbol="BTC-USDT"}'), 1)
  t.equal(after.get('price_levels{symbol="BTC-USDT",side="sell"}'), 1)
  t.equal(after.get('http_request_duration_seconds_count{method="POST",route="/order",status_code="200"}'), 2)
  t.equal(after.get('ws_connections'), 0)
})

t.test('/metrics is closed unless configured: METRICS_TOKEN (bearer, 401 otherwise) or METRICS_PUBLIC=true', async (t) => {
  const closed = await buildTestApp(t)
  const refused = await closed.inject('/metrics')
  t.equal(refused.statusCode, 403, 'no token and not public: closed')
  t.equal(refused.json().error_code, 'FORBIDDEN')
  t.match(refused.json().error, /METRICS_TOKEN.*METRICS_PUBLIC=true/)
  t.notMatch(refused.body, /process_cpu/, 'no figures leak')

  const guarded = await buildTestApp(t, { METRICS_TOKEN: TOKEN })
  for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer']) {
    const res = await guarded.inject({ url: '/metrics', headers: authorization === undefined ? {} : { authorization } })
    t.equal(res.statusCode, 401, `refused with ${authorization ?? 'no header'}`)
    t.equal(res.json().error_code, 'UNAUTHORIZED')
    t.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"')
  }
  t.equal((await scrape(guarded)).statusCode, 200, 'the right token opens it')
  t.equal((await guarded.inject({ url: '/metrics', headers: { authorization: `bearer  ${TOKEN}` } })).statusCode, 200, 'scheme case-insensitive')

  const open = await buildTestApp(t, { METRICS_PUBLIC: 'true' })
  t.equal((await open.inject('/metrics')).statusCode, 200, 'METRICS_PUBLIC=true: open')
})

t.test('/docs serves the OpenAPI document generated from the route schemas', async (t) => {
  const app = await buildTestApp(t)
  const ui = await app.inject('/docs/')
  t.equal(ui.statusCode, 200)
  t.match(ui.body, /swagger/i)
  t.notMatch(ui.body, /https?:\/\/(cdn|unpkg)/, 'no CDN assets')
  const doc = (await app.inject('/docs/json')).json()
  const routes: Array<[string, string]> = [
    ['/order', 'post'], ['/cancel', 'post'], ['/order/{order_id}', 'get'], ['/order', 'get'], ['/book/{symbol}', 'get'],
    ['/bbo/{symbol}', 'get'], ['/symbols', 'get'], ['/statistics', 'get'], ['/health', 'get'], ['/ready', 'get'],
    ['/orders', 'get'], ['/fills', 'get'], ['/cancel_all', 'post']
  ]
  for (const [path, method] of routes) {
    const operation = doc.paths[path]?.[method]
    t.ok(operation, `${method.toUpperCase()} ${path} is documented`)
    t.ok(operation?.responses?.['200'], `${method.toUpperCase()} ${path} has a 200 response schema`)
  }
  const body = doc.paths['/order'].post.requestBody.content['application/json'].schema
  t.same(Object.keys(body.properties).sort(), [
    'client_order_id', 'display_quantity', 'expire_time', 'include_bbo', 'order_type', 'post_only', 'price', 'quantity', 'quote_quantity', 'response_type',
    'side', 'stop_price', 'stp', 'symbol', 'time_in_force'
  ])
  t.equal(body.additionalProperties, false)
})

t.test('/ready is 200 when up and 503 once shutdown begins; new orders get SHUTTING_DOWN', async (t) => {
  const app = await buildTestApp(t)
  t.equal((await app.inject('/ready')).statusCode, 200)
  app.lifecycle.shuttingDown = true
  const ready = await app.inject('/ready')
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().error_code, 'SHUTTING_DOWN')
  const order = await app.inject({ method: 'POST', url: '/order', payload: { symbol: 'BTC-USDT', side: 'buy', order_type: 'market', quantity: '1' } })
  t.equal(order.statusCode, 503)
  t.equal(order.headers['retry-after'], '5')
  t.equal((await app.inject('/health')).statusCode, 200, 'liveness stays up while draining')
  app.lifecycle.shuttingDown = false
})

t.test('under pressure, new orders get 503 OVERLOADED with Retry-After; reads still answer', async (t) => {
  const app = await buildTestApp(t, { PRESSURE_MAX_HEAP_USED_BYTES: '1', PRESSURE_RETRY_AFTER_SECONDS: '2' })
  await app.ready()
  const payload = { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '100' }
  let res = await app.inject({ method: 'POST', url: '/order', payload })
  // the pressure probe samples memory on an interval; wait for its first sample.
  for (let i = 0; i < 40 && res.statusCode === 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    res = await app.inject({ method: 'POST', url: '/order', payload })
  }
  t.equal(res.statusCode, 503)
  t.equal(res.json().error_code, 'OVERLOADED')
  t.equal(res.headers['retry-after'], '2')
  t.equal((await app.inject('/book/BTC-USDT')).statusCode, 200)
})

t.test('a failed journal makes the service unready and unhealthy, and nothing is answered from its memory', async (t) => {
  const app = await buildTestApp(t)
  await app.ready()
  const placed = await app.inject({ method: 'POST', url: '/order', payload: { symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '100' } })
  t.equal(placed.statusCode, 200)
  // Stand-in for a write or fsync error (the writer's own failure path sets the same property;
  // test/journal has the real ones against the real process).
  const persistence = (app.exchange as unknown as { persistence: object }).persistence
  Object.defineProperty(persistence, 'failed', { get: () => new Error('EIO') })
  const order = await app.inject({ method: 'POST', url: '/order', payload: { symbol: 'BTC-USDT', side: 'buy', order_type: 'market', quantity: '1' } })
  t.equal(order.statusCode, 503)
  t.equal(order.json().error_code, 'JOURNAL_UNAVAILABLE')
  t.equal((await app.inject({ method: 'POST', url: '/cancel', payload: { symbol: 'BTC-USDT', order_id: '1' } })).statusCode, 503)
  t.equal((await app.inject('/ready')).statusCode, 503)
  for (const read of ['/book/BTC-USDT', '/bbo/BTC-USDT', '/symbols', '/statistics', '/statistics?symbol=BTC-USDT', `/order/${String(placed.json().order_id)}?symbol=BTC-USDT`]) {
    const res = await app.inject(read)
    t.equal(res.statusCode, 503, `${read} is refused: memory may hold commands the journal never took`)
    t.equal(res.json().error_code, 'JOURNAL_UNAVAILABLE')
  }
  const health = await app.inject('/health?probe=1')
  t.equal(health.statusCode, 503, 'liveness tells the orchestrator to replace the process')
  t.equal(health.json().status, 'unhealthy')
  t.match(health.json().reason, /journal failed \(EIO\)/)
})

t.test('405 also for wildcard routes', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject({ method: 'DELETE', url: '/docs/static/index.html' })
  t.equal(res.statusCode, 405)
  t.match(String(res.headers.allow), /GET/)
})
