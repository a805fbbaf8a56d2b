/* global console */
// WebSocket order entry (issue 14), the k6 twin of the harness's --scenario ws-orders. CONNECTIONS VUs each
// hold one WebSocket on /ws (signed in with API_KEY/API_SECRET over the connection's nonce, or unsigned
// against AUTH=off) and send pipelined requests:
//   {"type":"order.place","id":N,"params":{...crossing order, "response_type":"ack"}}
// and, every CANCEL_EVERY-th request, an order.cancel of an order of theirs that rested. Two phases:
//   saturation: closed loop for SAT_DURATION, up to WINDOW requests in flight per connection;
//   open:       RATE requests/s over all connections for OPEN_DURATION, sent at their scheduled times
//               (socket.setInterval ticks of TICK_MS), latency from the scheduled time.
// Every answer is checked against an id -> send-time map: answered once (ws_answers_duplicate), in request
// order per connection (ws_answers_out_of_order; refusals before queueing, TOO_MANY_IN_FLIGHT and
// RATE_LIMIT, may overtake), and by code (ws_orders_refused{code}; a cancel of an order that filled
// meanwhile, ORDER_NOT_FOUND, is expected). ws_order_latency_ms{phase} is request-to-answer.
// Uses k6/ws (every k6 from 0.48 on): its socket timers, not the global ones.
//
//   k6 run -e API_KEY=... -e API_SECRET=... load/k6/ws-orders.js
//   k6 run -e CONNECTIONS=8 -e WINDOW=64 -e RATE=20000 load/k6/ws-orders.js     (AUTH=off service)
import http from 'k6/http'
import exec from 'k6/execution'
import ws from 'k6/ws'
import { Counter, Trend } from 'k6/metrics'
import { BASE_URL, WS_URL, env, envFloat, envInt, parseDuration, secs } from './lib/config.js'
import { MIN_DELIVERED, SUMMARY_TREND_STATS } from './lib/api.js'
import { wsSignIn } from './lib/auth.js'
import { crossingOrder, SYMBOL_NAMES } from './lib/orders.js'
import { summaryOutputs } from './lib/summary.js'

const CONNECTIONS = envInt('CONNECTIONS', 8)
const WINDOW = envInt('WINDOW', 64)
const SAT_MS = parseDuration(env('SAT_DURATION', '10s'))
const RATE = envInt('RATE', 20000)
const OPEN_MS = parseDuration(env('OPEN_DURATION', '10s'))
const TICK_MS = envInt('TICK_MS', 1)
const CANCEL_EVERY = envInt('CANCEL_EVERY', 10)
const P99_MS = envFloat('WS_P99_MS', 5)
const CONNECT_MS = 10000
const DRAIN_MS = 5000
const HOLD_MS = CONNECT_MS + SAT_MS + OPEN_MS + DRAIN_MS
const PER_CONNECTION_RATE = RATE / CONNECTIONS
const SCHEDULED_OPEN = Math.floor(OPEN_MS * PER_CONNECTION_RATE / 1000) * CONNECTIONS
const EXPECTED = ['ORDER_NOT_FOUND', 'ORDER_NOT_OPEN']
const IMMEDIATE = ['TOO_MANY_IN_FLIGHT', 'RATE_LIMIT']
const OPEN_STATUSES = ['pending', 'partially_filled']

const latency = new Trend('ws_order_latency_ms', true) // tagged phase
const sent = new Counter('ws_orders_sent') // tagged phase, type
const ok = new Counter('ws_orders_ok') // tagged phase
const refused = new Counter('ws_orders_refused') // tagged code
const expected = new Counter('ws_orders_expected_refusals') // tagged code
const duplicates = new Counter('ws_answers_duplicate')
const outOfOrder = new Counter('ws_answers_out_of_order')
const unanswered = new Counter('ws_orders_unanswered')
const wsErrors = new Counter('ws_errors')
const tradersFull = new Counter('ws_traders_full') // connections that lasted both phases

export const options = {
  scenarios: {
    traders: {
      executor: 'per-vu-iterations',
      vus: CONNECTIONS,
      iterations: 1,
      maxDuration: secs(HOLD_MS / 1000 + 30),
      gracefulStop: '5s'
    }
  },
  // Counters have count 0 when empty, so a run that measured nothing fails too.
  thresholds: {
    ws_answers_duplicate: ['count==0'],
    ws_answers_out_of_order: ['count==0'],
    ws_orders_unanswered: ['count==0'],
    ws_orders_refused: ['count==0'],
    ws_errors: ['count==0'],
    ws_traders_full: [`count>=${CONNECTIONS}`],
    'ws_orders_ok{phase:saturation}': ['count>0'],
    'ws_orders_ok{phase:open}': [`count>=${Math.max(1, Math.floor(SCHEDULED_OPEN * MIN_DELIVERED))}`],
    'ws_order_latency_ms{phase:open}': [`p(99)<${P99_MS}`],
    'ws_order_latency_ms{phase:saturation}': ['max>=0']
  },
  summaryTrendStats: SUMMARY_TREND_STATS
}

export function setup () {
  const res = http.get(`${BASE_URL}/health`, { tags: { name: 'GET /health' } })
  if (res.status !== 200) exec.test.abort(`GET /health answered ${res.status}: is the service running at ${BASE_URL}?`)
  return { runId: env('RUN_ID', Date.now().toString(36)), notes: [`${CONNECTIONS} connections, window ${WINDOW}, ${RATE} orders/s open model`] }
}

/** One trader's state: what is in flight (id -> {at, cancel}), in request order, and what rested. */
export function newTrader () {
  return { nextId: 1, pending: {}, inFlight: 0, order: [], head: 0, resting: [], phase: 'connect', symbolTurn: exec.vu.idInTest, scheduled: 0, openStart: 0, full: false, why: 'closed by the server' }
}

/** The next request's frame (an order.place, or every CANCEL_EVERY-th an order.cancel), registered as in flight. */
export function nextRequest (state, at) {
  const id = state.nextId++
  let frame
  const cancel = id % CANCEL_EVERY === 0 && state.resting.length > 0
  if (cancel) {
    const target = state.resting.shift()
    frame = { type: 'order.cancel', id, params: { symbol: target.symbol, order_id: target.orderId } }
  } else {
    const params = crossingOrder(SYMBOL_NAMES[state.symbolTurn++ % SYMBOL_NAMES.length])
    params.response_type = 'ack'
    frame = { type: 'order.place', id, params }
  }
  state.pending[id] = { at, cancel, phase: state.phase }
  state.inFlight++
  state.order.push(id)
  sent.add(1, { phase: state.phase, type: frame.type })
  return JSON.stringify(frame)
}

/** One frame from the server: an answer (checked and timed) or anything else (ignored). */
export function onAnswer (state, raw, now) {
  let m
  try {
    m = JSON.parse(raw)
  } catch (error) { // a binding: k6 before 0.53 cannot parse `catch {`
    refused.add(1, { code: 'UNPARSEABLE' })
    return
  }
  if (typeof m.id !== 'number') return // connected, authenticated, heartbeat, ...
  const p = state.pending[m.id]
  if (p === undefined) {
    duplicates.add(1)
    return
  }
  const code = m.type === 'error' ? String(m.code) : null
  if (code === null || IMMEDIATE.indexOf(code) < 0) {
    while (state.head < state.order.length && state.pending[state.order[state.head]] === undefined) state.head++
    if (state.order[state.head] !== m.id) outOfOrder.add(1)
  }
  delete state.pending[m.id]
  state.inFlight--
  latency.add(now - p.at, { phase: p.phase })
  if (code === null) {
    ok.add(1, { phase: p.phase })
    const r = m.result || {}
    if (!p.cancel && typeof r.order_id === 'string' && OPEN_STATUSES.indexOf(r.status) >= 0 && state.resting.length < 1000) state.resting.push({ symbol: r.symbol, orderId: r.order_id })
  } else if (p.cancel && EXPECTED.indexOf(code) >= 0) {
    expected.add(1, { code })
  } else {
    refused.add(1, { code })
  }
}

export default function () {
  const state = newTrader()
  let res = null
  try {
    res = ws.connect(WS_URL, { tags: { name: 'WS /ws' } }, function (socket) {
      const fill = function () {
        while (state.phase === 'saturation' && state.inFlight < WINDOW) socket.send(nextRequest(state, Date.now()))
      }
      const tick = function () {
        if (state.phase !== 'open') return
        const now = Date.now()
        const total = Math.floor(OPEN_MS * PER_CONNECTION_RATE / 1000)
        while (state.scheduled < total) {
          const at = state.openStart + state.scheduled * 1000 / PER_CONNECTION_RATE
          if (at > now) break
          state.scheduled++
          socket.send(nextRequest(state, at))
        }
      }
      const start = function () {
        state.phase = 'saturation'
        fill()
        socket.setTimeout(function () {
          state.phase = 'open'
          state.openStart = Date.now()
          socket.setInterval(tick, TICK_MS)
          socket.setTimeout(function () {
            state.phase = 'drain'
            socket.setTimeout(function () {
              state.full = true
              unanswered.add(state.inFlight)
              socket.close()
            }, DRAIN_MS)
          }, OPEN_MS)
        }, SAT_MS)
      }
      socket.on('message', function (raw) {
        if (state.phase === 'connect') {
          const m = JSON.parse(raw)
          if (m.type === 'connected') {
            const auth = wsSignIn(String(m.nonce))
            if (auth === null) start()
            else socket.send(JSON.stringify(auth))
          } else if (m.type === 'authenticated') {
            start()
          } else if (m.type === 'error') {
            state.why = `sign-in refused: ${m.code}`
            wsErrors.add(1)
            socket.close()
          }
          return
        }
        onAnswer(state, raw, Date.now())
        fill()
      })
      socket.on('error', function (e) {
        wsErrors.add(1)
        state.why = `error: ${e && typeof e.error === 'function' ? e.error() : JSON.stringify(e)}`
      })
    })
  } catch (error) {
    state.why = `connect failed: ${error}`
  }
  if (res === null || res === undefined || res.status !== 101) wsErrors.add(1)
  tradersFull.add(state.full ? 1 : 0)
  if (!state.full) console.warn(`VU ${exec.vu.idInTest}: connection ended early: ${state.why}`)
}

export function handleSummary (data) {
  return summaryOutputs(data, 'ws-orders')
}
