// node --import ./register.mjs drive.mjs SCRIPT ACTION: imports a k6 script under the stand-ins and prints
// one JSON line with what ACTION observed (see test/load/k6-scripts.test.ts).
const [script, action] = process.argv.slice(2)
const k6 = globalThis.__k6
const limit = process.env.STUB_RATE_LIMIT
k6.http = (method, url) => {
  if (method === 'POST' && url.endsWith('/order')) {
    return limit === undefined
      ? { status: 400, body: '{"error":"x","error_code":"VALIDATION_ERROR"}' }
      : { status: 400, headers: { 'X-Ratelimit-Limit': limit, 'X-Ratelimit-Reset': '60' }, body: '{}' }
  }
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
  if (action === 'summary') out.summary = mod.handleSummary({ metrics: {}, setup_data: { runId: 'run42' } })
} catch (error) {
  out.error = String(error.message)
}
out.aborted = k6.aborted
out.metrics = k6.metrics
process.stdout.write(JSON.stringify(out) + '\n')
