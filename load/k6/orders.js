// Steady order entry at a fixed arrival rate: the seed's
// `advanced_load_test.py --test-type constant --rate N --duration S`.
//
// constant-arrival-rate is an open model: k6 starts RATE iterations per second
// whatever the latency, so a slow engine shows up as growing latency and
// `dropped_iterations` (not enough VUs), never as a silently lower request
// rate (the seed's spike test awaited each order before sleeping 1/rate, so
// there a slow engine quietly received less load).
//
//   k6 run load/k6/orders.js
//   k6 run -e RATE=500 -e DURATION=2m -e P95_MS=80 load/k6/orders.js
import { env, envInt, parseDuration } from './lib/config.js'
import { defaultThresholds, deliveryThreshold, orderIteration, setupRun, SUMMARY_TREND_STATS } from './lib/api.js'
import { summaryOutputs } from './lib/summary.js'

const RATE = envInt('RATE', 100)
const DURATION = env('DURATION', '30s')
const SCHEDULED = Math.round(RATE * parseDuration(DURATION) / 1000)

export const options = {
  scenarios: {
    orders: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      // ~10 ms per order -> RATE/100 busy VUs; start with headroom and let k6
      // add VUs up to MAX_VUS if the engine slows down.
      preAllocatedVUs: envInt('PRE_ALLOCATED_VUS', Math.max(10, Math.ceil(RATE / 10))),
      maxVUs: envInt('MAX_VUS', Math.max(50, RATE)),
      gracefulStop: '10s'
    }
  },
  // http_req_failed < 1%, http_req_duration p95 < P95_MS (50) and
  // p99 < P99_MS (100), checks > 99%, no dropped arrivals, and at least
  // MIN_DELIVERED (95%) of the RATE x DURATION orders answered 200: see
  // lib/api.js for the env overrides.
  thresholds: Object.assign(defaultThresholds(), deliveryThreshold(SCHEDULED)),
  summaryTrendStats: SUMMARY_TREND_STATS
}

// Runs once before the load; aborts the run if /health is not 200 so a
// missing service shows as one clear error, not 100% failed requests, or if
// the service's rate limit would refuse part of the run. Makes the run id.
export function setup () {
  return setupRun(SCHEDULED, RATE)
}

export default function (data) {
  orderIteration(data.runId)
}

export function handleSummary (data) {
  return summaryOutputs(data, 'orders')
}
