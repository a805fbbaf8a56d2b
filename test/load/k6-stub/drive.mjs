// node --import ./register.mjs drive.mjs SCRIPT ACTION: imports a k6 script under the stand-ins and prints
// one JSON line with what ACTION observed (see test/load/k6-scripts.test.ts).
import { crc32 } from 'node:zlib'
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
// The server side of one consumer: open, the snapshot, deltas, an l2 resync, a trade, a heartbeat, then
// either the script's own timers run (the consumer lasts) or the server closes the socket first (it is cut
// off). Checksums are computed here with zlib.crc32 (issue 13's contract), independently of the script's
// lib/checksum.js. consume-corrupt: one delta carries a wrong checksum and a later one skips a seq;
// consume-legacy: a server before issue 13 (consecutive seqs, no prev_seq, no checksum).
const sum = (bids, asks) => crc32(`${bids.slice(0, 10).map((l) => l.join(':')).join(',')}|${asks.slice(0, 10).map((l) => l.join(':')).join(',')}`) >>> 0
k6.ws = ({ socket, handlers, timers, sent }) => {
  handlers.open()
  out.sent = sent
  const msg = (m) => handlers.message(JSON.stringify(m))
  const ts = Date.now() / 1000
  msg({ type: 'connected' })
  msg({ type: 'subscribed' })
  msg({ type: 'subscribed' })
  if (action === 'consume-legacy') {
    msg({ type: 'l2_update', kind: 'snapshot', symbol: 'BTC-USDT', seq: 1, bids: [['100', '1']], asks: [] })
    msg({ type: 'l2_update', kind: 'delta', symbol: 'BTC-USDT', seq: 2, bids: [['100', '2']], asks: [], timestamp: ts })
  } else {
    const corrupt = action === 'consume-corrupt'
    msg({ type: 'l2_update', kind: 'snapshot', symbol: 'BTC-USDT', seq: 40, depth: 10, bids: [['100', '1'], ['99.5', '2']], asks: [['101', '3']], checksum: sum([['100', '1'], ['99.5', '2']], [['101', '3']]), timestamp: ts })
    // bids 100.25:4, 100:1, 99.5 removed; asks 101:3
    msg({ type: 'l2_update', kind: 'delta', symbol: 'BTC-USDT', seq: 47, prev_seq: 40, bids: [['100.25', '4'], ['99.5', '0']], asks: [], checksum: corrupt ? 12345 : sum([['100.25', '4'], ['100', '1']], [['101', '3']]), timestamp: ts })
    // After a mismatch the book is known wrong: this delta is not judged.
    if (corrupt) msg({ type: 'l2_update', kind: 'delta', symbol: 'BTC-USDT', seq: 50, prev_seq: 47, bids: [['100', '0']], asks: [], checksum: sum([['100.25', '4']], [['101', '3']]), timestamp: ts })
    // A resync replaces the book whatever it held.
    msg({ type: 'resync', channel: 'l2_updates', symbol: 'BTC-USDT', reason: 'dropped', seq: 60, depth: 10, bids: [['99', '1']], asks: [['102', '0.5']], checksum: sum([['99', '1']], [['102', '0.5']]), timestamp: ts })
    msg({ type: 'l2_update', kind: 'delta', symbol: 'BTC-USDT', seq: 75, prev_seq: corrupt ? 61 : 60, bids: [], asks: [['101.5', '2']], checksum: sum([['99', '1']], [['101.5', '2'], ['102', '0.5']]), timestamp: ts })
    msg({ type: 'resync', channel: 'trades', symbol: 'BTC-USDT', reason: 'dropped', dropped: 3, trades: [], timestamp: ts })
    msg({ type: 'heartbeat', count: 1, timestamp: ts })
  }
  msg({ type: 'trade', data: [{ timestamp: Date.now() / 1000 }] })
  if (action === 'consume-cut') socket.close()
  else for (const t of timers.timeouts) t.cb()
  return { status: 101 }
}

// ws-orders.js: the server of one trading connection on a fake clock. It answers every order.place (every
// 3rd filled, the rest resting) and order.cancel (every other one finds its order gone: ORDER_NOT_FOUND) as
// the frames arrive, runs the closed loop until 200 answers, ends the saturation phase (its timeout), ticks
// the open phase's interval over 100 ms of fake time, then runs the drain and close timeouts. ws-orders-<how>
// misbehaves: swap (every 20th answer held back one), duplicate (answer 5 sent twice), refuse (order 7
// refused INVALID_QUANTITY), drop (answer 9 never sent), signin-refused (the auth message refused).
if (script.endsWith('ws-orders.js')) {
  const how = action.replace(/^ws-orders-?/, '')
  let clock = Date.now()
  Date.now = () => clock
  k6.ws = ({ handlers, timers, sent, isClosed }) => {
    out.sent = sent
    const msg = (m) => { if (!isClosed()) handlers.message(JSON.stringify(m)) }
    let answeredUpTo = 0
    let seq = 0
    let cancels = 0
    let held = null
    const answerNew = (limit) => {
      let n = 0
      while (answeredUpTo < sent.length && n < limit && !isClosed()) {
        const m = sent[answeredUpTo++]
        if (m.type === 'auth') {
          msg(how === 'signin-refused' ? { type: 'error', id: 'signin', code: 'INVALID_SIGNATURE', message: 'x' } : { type: 'authenticated', account_id: 'a', permissions: ['trade'], id: 'signin', timestamp: clock / 1000 })
          continue
        }
        n++
        let answer
        if (m.type === 'order.place') {
          seq++
          answer = how === 'refuse' && m.id === 7
            ? { type: 'error', id: m.id, code: 'INVALID_QUANTITY', message: 'x' }
            : { type: 'order.place', id: m.id, result: { order_id: String(seq), client_order_id: null, symbol: m.params.symbol, status: seq % 3 === 0 ? 'filled' : 'pending', timestamp: clock / 1000, processing_time_ms: 0.01 } }
        } else {
          cancels++
          answer = cancels % 2 === 0 ? { type: 'order.cancel', id: m.id, result: { order_id: m.params.order_id, status: 'cancelled' } } : { type: 'error', id: m.id, code: 'ORDER_NOT_FOUND', message: 'x' }
        }
        if (how === 'drop' && m.id === 9) continue
        if (how === 'swap' && m.id % 20 === 1) { held = answer; continue }
        msg(answer)
        if (held !== null) { msg(held); held = null }
        if (how === 'duplicate' && m.id === 5) msg(answer)
      }
    }
    msg({ type: 'connected', session_id: 's', nonce: 'ab'.repeat(16), auth: process.env.API_KEY ? 'required' : 'off', timestamp: clock / 1000 })
    answerNew(1) // the auth message, if any
    answerNew(200) // the closed loop refills as answers come
    let fired = 0
    const fireNextTimeout = () => { const t = timers.timeouts[fired++]; if (t) t.cb() }
    fireNextTimeout() // end of saturation: the open phase starts
    for (let i = 0; i < 100 && !isClosed(); i++) {
      clock += 1
      for (const t of timers.intervals) t.cb()
      answerNew(Infinity)
    }
    clock += 100000 // past the open phase
    fireNextTimeout() // open phase ends: drain
    answerNew(Infinity)
    fireNextTimeout() // drain ends: unanswered counted, socket closed
    return { status: 101 }
  }
}

const out = {}
try {
  const mod = await import(script)
  if (action === 'options') out.options = mod.options
  if (action === 'setup') out.setup = mod.setup()
  if (action.startsWith('consume-')) mod.consume()
  if (action.startsWith('ws-orders')) mod.default()
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
