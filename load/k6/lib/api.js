/* global console */
// k6 side of the shared code: HTTP calls against the matching engine, the
// checks and custom metrics every order-entry script reports, and the
// default thresholds. Scripts only decide *how much* load and *when*.
import http from 'k6/http'
import { check } from 'k6'
import exec from 'k6/execution'
import { Counter, Trend } from 'k6/metrics'
import { BASE_URL, env, envFloat } from './config.js'
import { parseMix, randomOrder } from './orders.js'

const JSON_PARAMS = { 'Content-Type': 'application/json' }
export const ORDER_STATUSES = ['pending', 'partially_filled', 'filled', 'cancelled', 'rejected']

// Custom metrics (init context: k6 requires metrics to be created here).
export const tradesExecuted = new Counter('trades_executed') // sum of trades.length
const ordersByStatus = {}
for (const s of ORDER_STATUSES) ordersByStatus[s] = new Counter(`orders_${s}`)
// Engine-reported time (body.processing_time_ms): separates matching cost
// from HTTP/network/event-loop overhead seen in http_req_duration.
export const orderProcessing = new Trend('order_processing_ms', true)
export const rateLimited = new Counter('orders_rate_limited') // 429 RATE_LIMIT
export const cancelsSent = new Counter('cancels_sent')

// Percentiles shown in the summary and stored in the JSON; k6's default set
// stops at p(95), but the thresholds below are also on p(99).
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count']

// Latency/error budget, overridable per run (P95_MS=80 k6 run ...).
export const P95_MS = envFloat('P95_MS', 50)
export const P99_MS = envFloat('P99_MS', 100)
export const MAX_FAILED_RATE = envFloat('MAX_FAILED_RATE', 0.01)
export const MIN_CHECKS_RATE = envFloat('MIN_CHECKS_RATE', 0.99)

export function latencyThresholds (p95 = P95_MS, p99 = P99_MS) {
  return [`p(95)<${p95}`, `p(99)<${p99}`]
}

export function defaultThresholds () {
  return {
    http_req_failed: [`rate<${MAX_FAILED_RATE}`],
    http_req_duration: latencyThresholds(),
    checks: [`rate>${MIN_CHECKS_RATE}`]
  }
}

// Parsed once per VU at init, not per iteration.
const MIX = parseMix(env('ORDER_MIX', undefined))
const CANCEL_RATIO = envFloat('CANCEL_RATIO', 0)
// With the VU id and its iteration number: unique per run, so client_order_id never repeats across runs even if
// the engine keeps state; short enough for any reasonable length limit.
const RUN_ID = env('RUN_ID', Date.now().toString(36))

function parseBody (res) {
  try {
    return res.json()
  } catch {
    return null // non-JSON (proxy error page, empty body): the checks fail
  }
}

export function clientOrderId () {
  return `k6-${RUN_ID}-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`
}

/** POST /order with checks and metrics; returns the parsed body (or null). */
export function submitOrder (order, tags = {}) {
  const res = http.post(`${BASE_URL}/order`, JSON.stringify(order), {
    headers: JSON_PARAMS,
    tags: Object.assign({ name: 'POST /order' }, tags)
  })
  const body = parseBody(res)
  const ok = res.status === 200 && body !== null
  check(res, {
    'order: status is 200': (r) => r.status === 200,
    'order: body has order_id': () => ok && body.order_id !== undefined && body.order_id !== null && body.order_id !== '',
    'order: valid status': () => ok && ORDER_STATUSES.includes(body.status)
  }, tags)

  if (res.status === 429) {
    rateLimited.add(1, tags)
    return null
  }
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
  const res = http.post(`${BASE_URL}/cancel`, JSON.stringify({ symbol, order_id: orderId }), {
    headers: JSON_PARAMS,
    tags: Object.assign({ name: 'POST /cancel' }, tags),
    responseCallback: http.expectedStatuses(200, 404)
  })
  check(res, { 'cancel: status is 200 or 404': (r) => r.status === 200 || r.status === 404 }, tags)
}

/**
 * One iteration of the seed's order flow: a random order; with CANCEL_RATIO
 * (default 0, i.e. the seed's behaviour) cancel it again if it rested, which
 * keeps the books from growing without bound during long runs.
 */
export function orderIteration (tags = {}) {
  const order = randomOrder({ mix: MIX, clientOrderId: clientOrderId() })
  const body = submitOrder(order, tags)
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
  return { baseUrl: BASE_URL, health: parseBody(res) }
}
