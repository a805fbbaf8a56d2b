// node --import ./register.mjs drive.mjs SCRIPT ACTION: imports a k6 script under the stand-ins and prints
// one JSON line with what ACTION observed (see test/load/k6-scripts.test.ts).
const [script, action] = process.argv.slice(2)
const k6 = globalThis.__k6
const limit = process.env.STUB_RATE_LIMIT
// STUB_AUTH: unset = an AUTH=off service; 'required' = unsigned requests answer 401; 'refuse' = every
// request answers 401 INVALID_SIGNATURE; 'read-only' = signed order entry answers 403 FORBIDDEN.
const auth = process.env.STUB_AUTH
const json = (status, body, headers = {}) => ({ status, headers, body: JSON.stringify(body) })
k6.http = (method, url, body, params) => {
  const signed = params !== undefined && params.headers !== undefined && params.headers['X-SIGNATURE'] !== undefined
  const path = url.replace(/^[a-z]+:\/\/[^/]*/, '')
  if (!path.endsWith('/health') && !path.startsWith('/bbo/')) {
    if (auth === 'refuse' || (auth === 'required' && !signed)) return json(401, { error: 'x', error_code: signed ? 'INVALID_SIGNATURE' : 'INVALID_API_KEY' })
    if (auth === 'read-only' && method === 'POST') return json(403, { error: 'x', error_code: 'FORBIDDEN' })
  }
  // Issue 12's routes. STUB_REFUSE: the code every /order, /oco and /amend answers 409 with (an expected
  // refusal such as STOP_WOULD_TRIGGER, or any other).
  const refuse = process.env.STUB_REFUSE
  if (method === 'POST' && refuse !== undefined && body !== '{}' && /\/(order|oco|amend)$/.test(path)) return json(409, { error: 'x', error_code: refuse })
  if (method === 'POST' && path.endsWith('/order')) {
    if (body !== '{}') {
      const sent = JSON.parse(body)
      const status = sent.stop_price === undefined ? 'pending' : 'untriggered'
      return json(200, { order_id: '7', symbol: sent.symbol, order_type: sent.order_type, status, price: sent.price ?? null, quantity: sent.quantity ?? '0', trades: [], processing_time_ms: 0.1 })
    }
    return limit === undefined
      ? json(400, { error: 'x', error_code: 'VALIDATION_ERROR' })
      : { status: 400, headers: { 'X-Ratelimit-Limit': limit, 'X-Ratelimit-Reset': '60' }, body: '{}' }
  }
  if (method === 'POST' && path.endsWith('/cancel')) return json(200, { order_id: '7', status: 'cancelled' })
  if (method === 'POST' && path.endsWith('/oco')) {
    const leg = (id, type) => ({ order_id: id, symbol: 'BTC-USDT', order_type: type, status: type === 'limit' ? 'pending' : 'untriggered', price: '29000.00', quantity: '0.1' })
    return json(200, { list_id: '8', orders: [leg('8', 'limit'), leg('9', 'stop_limit')], trades: [], processing_time_ms: 0.1 })
  }
  if (method === 'POST' && path.endsWith('/amend')) return json(200, { order_id: '7', symbol: 'BTC-USDT', status: 'pending', price: '29001.00', quantity: '0.1', trades: [], processing_time_ms: 0.1 })
  if (method === 'GET' && /\/order\/7\?/.test(path)) return json(200, { order_id: '7', status: 'pending' })
  return { status: 200, body: '{"status":"ok"}' }
}
// The server side of one consumer: open, the snapshot, one delta, one trade, then either the script's own
// timers run (the consumer lasts) or the server closes the socket first (it is cut off).
k6.ws = ({ socket, handlers, timers }) => {
  handlers.open()
  const msg = (m) => handlers.message(JSON.stringify(m))
  msg({ type: 'connected' })
  msg({ type: 'subscribed' })
  msg({ type: 'subscribed' })
  msg({ type: 'l2_update', kind: 'snapshot', symbol: 'BTC-USDT', seq: 1 })
  msg({ type: 'l2_update', kind: 'delta', symbol: 'BTC-USDT', seq: 2 })
  msg({ type: 'trade', data: [{ timestamp: Date.now() / 1000 }] })
  if (action === 'consume-cut') socket.close()
  else for (const t of timers.timeouts) t.cb()
  return { status: 101 }
}

const out = {}
try {
  const mod = await import(script)
  if (action === 'options') out.options = mod.options
  if (action === 'setup') out.setup = mod.setup()
  if (action === 'consume-full' || action === 'consume-cut') mod.consume()
  if (action === 'iterate') {
    if (script.endsWith('marketdata.js')) mod.trade({ runId: 'run42' })
    else for (let i = 0; i < Number(process.env.STUB_ITERATIONS ?? 1); i++) mod.default({ runId: 'run42' })
  }
  if (action === 'summary') out.summary = mod.handleSummary({ metrics: {}, setup_data: { runId: 'run42' } })
} catch (error) {
  out.error = String(error.message)
}
out.aborted = k6.aborted
out.metrics = k6.metrics
out.requests = k6.requests
out.hmacs = k6.hmacs
process.stdout.write(JSON.stringify(out) + '\n')
