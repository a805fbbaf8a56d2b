/* global console */
// k6 side of the shared code: HTTP calls against the matching engine, the
// checks and custom metrics every order-entry script reports, and the
// default thresholds. Scripts only decide *how much* load and *when*.
import http from 'k6/http'
import { check } from 'k6'
import exec from 'k6/execution'
import { Counter, Trend } from 'k6/metrics'
import { BASE_URL, env, envFloat, envInt, parseDuration } from './config.js'
import { API_KEY, authHeaders, signing } from './auth.js'
import { amendRequest, lifecycleRequest, parseLifecycleMix, parseMix, pickKind, randomOrder } from './orders.js'

const JSON_PARAMS = { 'Content-Type': 'application/json' }
// untriggered (a stop waiting) and expired (GTD) since issue 12.
export const ORDER_STATUSES = ['pending', 'partially_filled', 'filled', 'cancelled', 'rejected', 'untriggered', 'expired']

// Custom metrics (init context: k6 requires metrics to be created here).
export const tradesExecuted = new Counter('trades_executed') // sum of trades.length
const ordersByStatus = {}
for (const s of ORDER_STATUSES) ordersByStatus[s] = new Counter(`orders_${s}`)
// Engine-reported time (body.processing_time_ms): separates matching cost
// from HTTP/network/event-loop overhead seen in http_req_duration.
export const orderProcessing = new Trend('order_processing_ms', true)
export const rateLimited = new Counter('orders_rate_limited') // 429 (RATE_LIMIT, OPEN_ORDER_LIMIT), tagged code
export const cancelsSent = new Counter('cancels_sent')
export const statusReads = new Counter('status_reads')
// 200 answers with a valid order body: what a run delivered. Its `count>=` threshold makes a run that
// measured nothing, or fell short of its arrival rate, fail (an empty trend passes its p(95) threshold).
export const ordersOk = new Counter('orders_ok')

// Percentiles shown in the summary and stored in the JSON; k6's default set
// stops at p(95), but the thresholds below are also on p(99).
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count']

// Latency/error budget, overridable per run (P95_MS=80 k6 run ...).
export const P95_MS = envFloat('P95_MS', 50)
export const P99_MS = envFloat('P99_MS', 100)
export const MAX_FAILED_RATE = envFloat('MAX_FAILED_RATE', 0.01)
export const MIN_CHECKS_RATE = envFloat('MIN_CHECKS_RATE', 0.99)
// Share of the scheduled orders that must come back 200 (per scenario or phase), and the arrivals k6 may
// drop for want of a free VU (dropped_iterations): a run that did not deliver its rate is a failed run.
export const MIN_DELIVERED = envFloat('MIN_DELIVERED', 0.95)
export const MAX_DROPPED = envInt('MAX_DROPPED', 0)

export function latencyThresholds (p95 = P95_MS, p99 = P99_MS) {
  return [`p(95)<${p95}`, `p(99)<${p99}`]
}

export function defaultThresholds () {
  return {
    http_req_failed: [`rate<${MAX_FAILED_RATE}`],
    http_req_duration: latencyThresholds(),
    checks: [`rate>${MIN_CHECKS_RATE}`],
    dropped_iterations: [`count<=${MAX_DROPPED}`]
  }
}

/**
 * `orders_ok{selector}` must reach MIN_DELIVERED of the `scheduled` orders (at least 1): a counter with
 * no samples has count 0, so unlike a latency threshold this one fails when nothing was measured.
 */
export function deliveryThreshold (scheduled, selector = '') {
  const min = Math.max(1, Math.floor(scheduled * MIN_DELIVERED))
  const out = {}
  out[`orders_ok${selector}`] = [`count>=${min}`]
  return out
}

/** Orders a ramping-arrival-rate scenario schedules: the area under its rate (stages ramp linearly). */
export function scheduledOrders (startRate, stages) {
  let from = startRate
  let total = 0
  for (const s of stages) {
    total += (from + s.target) / 2 * parseDuration(s.duration) / 1000
    from = s.target
  }
  return Math.round(total)
}

// Parsed once per VU at init, not per iteration.
const MIX = parseMix(env('ORDER_MIX', undefined))
const CANCEL_RATIO = envFloat('CANCEL_RATIO', 0)
const STATUS_RATIO = envFloat('STATUS_RATIO', 0)

function parseBody (res) {
  try {
    return res.json()
  } catch (error) { // a binding: k6 before 0.53 cannot parse `catch {`
    return null // non-JSON (proxy error page, empty body): the checks fail
  }
}

/**
 * With the run id (made once in setup(), handed to every VU as setup data), the VU id and its iteration:
 * unique per run, so client_order_id never repeats across runs even if the engine keeps state.
 */
export function clientOrderId (runId) {
  return `k6-${runId}-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`
}

/**
 * One request to `path` (route path with its query), signed when a key was given (lib/auth.js): the body
 * is serialized once, and exactly that text is both signed and sent.
 */
export function send (method, path, body, params) {
  const text = body === null || body === undefined ? null : JSON.stringify(body)
  const headers = authHeaders(method, path, text, text === null ? {} : JSON_PARAMS)
  const all = Object.assign({}, params, { headers })
  return method === 'GET' ? http.get(`${BASE_URL}${path}`, all) : http.request(method, `${BASE_URL}${path}`, text, all)
}

/** POST /order with checks and metrics; returns the parsed body (or null). */
export function submitOrder (order, tags = {}) {
  const res = send('POST', '/order', order, { tags: Object.assign({ name: 'POST /order' }, tags) })
  const body = parseBody(res)
  const ok = res.status === 200 && body !== null
  check(res, {
    'order: status is 200': (r) => r.status === 200,
    'order: body has order_id': () => ok && body.order_id !== undefined && body.order_id !== null && body.order_id !== '',
    'order: valid status': () => ok && ORDER_STATUSES.includes(body.status)
  }, tags)

  if (res.status === 429) {
    rateLimited.add(1, Object.assign({ code: body && body.error_code ? String(body.error_code) : 'unknown' }, tags))
    return null
  }
  ordersOk.add(ok ? 1 : 0, tags)
  if (!ok) {
    if (res.status >= 400 && res.status < 500 && body) {
      // A 400 here means the generator produced something the engine rejects:
      // worth one line in the log rather than a silent failed check.
      console.warn(`order rejected ${res.status} ${body.error_code}: ${body.error} for ${JSON.stringify(order)}`)
    }
    return null
  }
  const trades = Array.isArray(body.trades) ? body.trades.length : 0
  tradesExecuted.add(trades, tags)
  if (ordersByStatus[body.status]) ordersByStatus[body.status].add(1, tags)
  if (typeof body.processing_time_ms === 'number') orderProcessing.add(body.processing_time_ms, tags)
  return body
}

/**
 * POST /cancel. 404 is an expected answer (the order filled between the two
 * requests), so it must not count in http_req_failed.
 */
export function cancelOrder (symbol, orderId, tags = {}) {
  cancelsSent.add(1, tags)
  const res = send('POST', '/cancel', { symbol, order_id: orderId }, {
    tags: Object.assign({ name: 'POST /cancel' }, tags),
    responseCallback: http.expectedStatuses(200, 404)
  })
  check(res, { 'cancel: status is 200 or 404': (r) => r.status === 200 || r.status === 404 }, tags)
}

/** GET /order/:order_id?symbol=: the status of an order this key placed (a private, signed read). */
export function orderStatus (symbol, orderId, tags = {}) {
  statusReads.add(1, tags)
  const res = send('GET', `/order/${encodeURIComponent(orderId)}?symbol=${encodeURIComponent(symbol)}`, null, {
    tags: Object.assign({ name: 'GET /order/:order_id' }, tags)
  })
  const body = parseBody(res)
  check(res, {
    'status: 200 with the same order': (r) => r.status === 200 && body !== null && String(body.order_id) === String(orderId)
  }, tags)
}

/**
 * One iteration of the seed's order flow: a random order; with STATUS_RATIO (default 0) read its status
 * back; with CANCEL_RATIO (default 0, i.e. the seed's behaviour) cancel it again if it rested, which keeps
 * the books (and the account's open orders, capped by MAX_OPEN_ORDERS_PER_ACCOUNT) from growing without
 * bound during long runs.
 */
export function orderIteration (runId, tags = {}) {
  const order = randomOrder({ mix: MIX, clientOrderId: clientOrderId(runId) })
  const body = submitOrder(order, tags)
  if (body && STATUS_RATIO > 0 && Math.random() < STATUS_RATIO) orderStatus(order.symbol, body.order_id, tags)
  if (body && CANCEL_RATIO > 0 && Math.random() < CANCEL_RATIO &&
      (body.status === 'pending' || body.status === 'partially_filled')) {
    cancelOrder(order.symbol, body.order_id, tags)
  }
  return body
}

/** For setup(): abort the whole run early if the service is not up. */
export function checkHealth () {
  const res = http.get(`${BASE_URL}/health`, { tags: { name: 'GET /health' } })
  if (res.status !== 200) {
    exec.test.abort(`GET ${BASE_URL}/health answered ${res.status}; is the service running?`)
  }
  return parseBody(res)
}

function header (res, name) {
  const key = Object.keys(res.headers || {}).find((k) => k.toLowerCase() === name)
  return key === undefined ? null : Number(res.headers[key])
}

/**
 * For setup(): one order body the service refuses (400, nothing is placed), signed like every order of the
 * run. A 401 or 403 stops the run at once, saying why: a key is needed (AUTH=required, the service's
 * default), or the one given is refused or may not trade. Otherwise the answer carries the per-address
 * order-entry limit in its X-RateLimit-* headers (all of a run's requests come from one address): if the
 * orders this run sends within one window exceed it, stop now, naming the limit, rather than fail later on
 * 429s. `planned` is the run's total orders, `peakRate` its highest orders/s.
 */
export function checkRateLimit (planned, peakRate) {
  const res = send('POST', '/order', {}, {
    tags: { name: 'POST /order (probe)' },
    responseCallback: http.expectedStatuses({ min: 400, max: 499 })
  })
  const body = parseBody(res)
  const code = body && body.error_code ? body.error_code : `HTTP ${res.status}`
  if (res.status === 401 && !signing()) {
    exec.test.abort(`the service requires signed requests (${code}): pass -e API_KEY=<key id> -e API_SECRET=<secret> ` +
      '(npm run admin -- quickstart prints a key), or start the service with AUTH=off')
  }
  if (res.status === 401 || res.status === 403) {
    exec.test.abort(`the service refused API_KEY ${API_KEY}: ${res.status} ${code}` +
      (res.status === 403 ? ' (the key needs the trade and read permissions)' : ' (unknown or revoked key, wrong secret, or this machine\'s clock is off)'))
  }
  if (env('IGNORE_RATE_LIMIT', '') === 'true') return null
  const limit = header(res, 'x-ratelimit-limit')
  if (limit === null || !Number.isFinite(limit)) return null // not rate-limited
  const windowS = Math.max(1, header(res, 'x-ratelimit-reset') || 60)
  const inWindow = Math.min(planned, Math.ceil(peakRate * windowS))
  if (inWindow > limit) {
    exec.test.abort(`the service allows ${limit} orders per ${windowS} s from one address and this run sends up to ` +
      `${inWindow} in that time: start it with RATE_LIMIT_ENABLED=false (or RATE_LIMIT_MAX above ${inWindow}), ` +
      'or pass -e IGNORE_RATE_LIMIT=true to run into the limit on purpose')
  }
  return { limit, windowS }
}

// The service's default AUTH_KEY_ORDERS_PER_SECOND. The per-key limit is not in any header, so the script
// cannot read the one in force: above this rate with one key it warns (and 429 RATE_LIMIT answers show it).
export const DEFAULT_KEY_ORDERS_PER_SECOND = 50

/** Warnings for setup(): what may refuse part of this run without the probe being able to tell. */
export function runNotes (peakRate) {
  const notes = []
  if (signing() && peakRate > DEFAULT_KEY_ORDERS_PER_SECOND) {
    notes.push(`this run sends up to ${peakRate} orders/s with one key, and the service allows each key ` +
      `AUTH_KEY_ORDERS_PER_SECOND (default ${DEFAULT_KEY_ORDERS_PER_SECOND}): start it with AUTH_KEY_ORDERS_PER_SECOND=${peakRate} or more, ` +
      'or the excess is refused (429 RATE_LIMIT, counted in orders_rate_limited)')
  }
  if (signing()) {
    notes.push('each account may hold MAX_OPEN_ORDERS_PER_ACCOUNT open orders (default 1000; 429 OPEN_ORDER_LIMIT past it) and most ' +
      'limit orders of this flow rest: for long runs start the service with a higher cap or pass -e CANCEL_RATIO=0.9')
  }
  return notes
}

/**
 * The whole of setup() for the order scripts: service up, rate limit checked, and the run id, made here
 * once so every VU and the summary share it (init code runs once per VU, so an id made there differs).
 */
export function setupRun (planned, peakRate) {
  const health = checkHealth()
  const rateLimit = checkRateLimit(planned, peakRate)
  const notes = runNotes(peakRate)
  for (const note of notes) console.warn(note)
  const runId = env('RUN_ID', '') || `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`
  // The key id is public (it names the account in the summary); the secret never leaves the VUs.
  return { runId, baseUrl: BASE_URL, startedAt: new Date().toISOString(), health, rateLimit, notes, apiKey: signing() ? API_KEY : null }
}

// ---- issue 12's order lifecycle (lifecycle.js) ----

// Refusals the lifecycle flow runs into by design, by path: a stop (or an OCO's stop leg, or an amended
// stop price) the last trade already passed (409 STOP_WOULD_TRIGGER), an amend of an order that filled,
// expired or was cancelled in the meantime (404 ORDER_NOT_FOUND), an amend that would make a post-only
// order take (409 POST_ONLY_WOULD_TAKE). They are counted, not failed.
export const EXPECTED_REFUSALS = {
  '/order': ['STOP_WOULD_TRIGGER'],
  '/oco': ['STOP_WOULD_TRIGGER'],
  '/amend': ['ORDER_NOT_FOUND', 'STOP_WOULD_TRIGGER', 'POST_ONLY_WOULD_TAKE']
}
export const lifecycleAnswered = new Counter('lifecycle_answered') // 200s plus expected refusals, tagged kind
export const lifecycleRefused = new Counter('lifecycle_refused') // expected refusals, tagged kind and code
export const amendsOk = new Counter('amends_ok')
export const ocoOk = new Counter('oco_ok')

const LIFECYCLE_MIX_PARSED = parseLifecycleMix(env('LIFECYCLE_MIX', undefined))
const RESTING = ['pending', 'partially_filled', 'untriggered']
const REMEMBER = 64
// Per VU: orders it placed that rested, the targets of its amends (oldest dropped first).
const resting = []

function remember (order) {
  if (RESTING.indexOf(order.status) < 0) return
  resting.push({ symbol: order.symbol, order_id: order.order_id, price: order.price, quantity: order.quantity, order_type: order.order_type })
  if (resting.length > REMEMBER) resting.shift()
}

/**
 * POST `path` (/order, /oco or /amend) with checks and metrics; the expected refusals (EXPECTED_REFUSALS)
 * are answers, not failures. Returns the parsed 200 body, or null.
 */
export function lifecycleSend (path, body, kind, tags) {
  const t = Object.assign({ kind }, tags || {})
  const res = send('POST', path, body, {
    tags: Object.assign({ name: `POST ${path}` }, t),
    responseCallback: http.expectedStatuses(200, 404, 409)
  })
  const parsed = parseBody(res)
  const code = parsed && parsed.error_code ? String(parsed.error_code) : null
  const refused = res.status !== 200 && code !== null && EXPECTED_REFUSALS[path].indexOf(code) >= 0
  const ok = res.status === 200 && parsed !== null
  const orders = !ok ? [] : path === '/oco' ? (Array.isArray(parsed.orders) ? parsed.orders : []) : [parsed]
  check(res, {
    'lifecycle: 200 or an expected refusal': () => ok || refused,
    'lifecycle: valid order status': () => !ok || (orders.length > 0 && orders.every((o) => ORDER_STATUSES.indexOf(o.status) >= 0))
  }, t)
  if (res.status === 429) {
    rateLimited.add(1, Object.assign({ code: code || 'unknown' }, t))
    return null
  }
  if (refused) {
    lifecycleRefused.add(1, Object.assign({ code }, t))
    lifecycleAnswered.add(1, t)
    return null
  }
  if (!ok) {
    if (parsed) console.warn(`${path} refused ${res.status} ${parsed.error_code}: ${parsed.error} for ${JSON.stringify(body)}`)
    return null
  }
  lifecycleAnswered.add(1, t)
  ordersOk.add(1, t)
  if (path === '/amend') amendsOk.add(1, t)
  if (path === '/oco') ocoOk.add(1, t)
  tradesExecuted.add(Array.isArray(parsed.trades) ? parsed.trades.length : 0, t)
  for (const o of orders) if (ordersByStatus[o.status]) ordersByStatus[o.status].add(1, t)
  if (typeof parsed.processing_time_ms === 'number') orderProcessing.add(parsed.processing_time_ms, t)
  return parsed
}

/**
 * One iteration of the lifecycle flow: a kind from LIFECYCLE_MIX; an amend targets an order this VU placed
 * that rested (a limit order when it has none yet); what rests is remembered for later amends, and with
 * CANCEL_RATIO cancelled again as in orderIteration.
 */
export function lifecycleIteration (runId, tags) {
  let kind = pickKind(LIFECYCLE_MIX_PARSED)
  if (kind === 'amend' && resting.length === 0) kind = 'limit'
  if (kind === 'amend') {
    const target = resting[Math.floor(Math.random() * resting.length)]
    const answer = lifecycleSend('/amend', amendRequest(target), kind, tags)
    if (answer !== null) {
      target.price = answer.price
      target.quantity = answer.quantity
      if (RESTING.indexOf(answer.status) < 0) resting.splice(resting.indexOf(target), 1)
    }
    return answer
  }
  const request = lifecycleRequest(kind, { clientOrderId: clientOrderId(runId) })
  const answer = lifecycleSend(request.path, request.body, kind, tags)
  if (answer === null) return null
  const placed = request.path === '/oco' ? answer.orders : [answer]
  for (const order of placed) {
    if (kind !== 'oco') remember(order) // an OCO leg cannot be amended (INVALID_AMEND)
    if (CANCEL_RATIO > 0 && Math.random() < CANCEL_RATIO && RESTING.indexOf(order.status) >= 0) cancelOrder(order.symbol, order.order_id, tags)
  }
  return answer
}
