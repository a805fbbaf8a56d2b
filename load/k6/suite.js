// The seed's comprehensive suite (tests/monitoring_suite.py,
// LoadTestOrchestrator.run_comprehensive_test_suite) as one k6 run: five
// scenarios one after another via startTime, with the seed's 30 s cool-down
// between them. Base timeline (SCALE=1), ~13.5 min in total:
//
//   phase    executor                rate (orders/s)            duration  starts at
//   warmup   constant-arrival-rate   10                          30s       0s
//   low      constant-arrival-rate   100                         60s       60s
//   medium   constant-arrival-rate   500                         120s      150s
//   high     constant-arrival-rate   1000                        180s      300s
//   spike    ramping-arrival-rate    100 -> 2000 (60s) -> 100    300s      510s
//     (spike: 115s at 100, 5s ramp, 60s at 2000, 5s ramp, 115s at 100; the
//      seed spikes abruptly for 60s in the middle of 300s at baseline 100)
//
// SCALE multiplies every duration and cool-down (SCALE=0.1 gives a ~1.5 min
// smoke run); RATE_SCALE multiplies every rate (RATE_SCALE=0.1 for a laptop).
// Every scenario carries the tag phase=<name>, so each phase has its own
// thresholds and its own lines in the summary (http_req_duration{phase:high}).
import { envFloat, envInt, secs } from './lib/config.js'
import {
  deliveryThreshold, latencyThresholds, orderIteration, scheduledOrders, setupRun,
  MAX_DROPPED, MAX_FAILED_RATE, MIN_CHECKS_RATE, SUMMARY_TREND_STATS
} from './lib/api.js'
import { summaryOutputs } from './lib/summary.js'

const SCALE = envFloat('SCALE', 1)
const RATE_SCALE = envFloat('RATE_SCALE', 1)
const COOLDOWN_S = 30
const SPIKE_P99_MS = envFloat('SPIKE_P99_MS', 500)

const rate = (r) => Math.max(1, Math.round(r * RATE_SCALE))

// `slo: false` for warm-up: JIT, connection pools and allocation are still
// settling, so only errors are judged there, not latency.
const PHASES = [
  { name: 'warmup', rate: 10, seconds: 30, slo: false },
  { name: 'low', rate: 100, seconds: 60 },
  { name: 'medium', rate: 500, seconds: 120 },
  { name: 'high', rate: 1000, seconds: 180 },
  { name: 'spike', base: 100, peak: 2000, seconds: 300, spikeSeconds: 60, rampSeconds: 5 }
]

function vus (peak) {
  return {
    preAllocatedVUs: envInt('PRE_ALLOCATED_VUS', Math.max(10, Math.ceil(peak / 10))),
    maxVUs: envInt('MAX_VUS', Math.max(50, peak))
  }
}

function scenarioFor (p, startSeconds) {
  const common = { startTime: `${Math.round(startSeconds)}s`, gracefulStop: '5s', tags: { phase: p.name } }
  if (p.peak === undefined) {
    return Object.assign({
      executor: 'constant-arrival-rate',
      rate: rate(p.rate),
      timeUnit: '1s',
      duration: secs(p.seconds * SCALE)
    }, vus(rate(p.rate)), common)
  }
  const around = (p.seconds - p.spikeSeconds) / 2 - p.rampSeconds // baseline before/after
  return Object.assign({
    executor: 'ramping-arrival-rate',
    startRate: rate(p.base),
    timeUnit: '1s',
    stages: [
      { target: rate(p.base), duration: secs(around * SCALE) },
      { target: rate(p.peak), duration: secs(p.rampSeconds * SCALE) },
      { target: rate(p.peak), duration: secs(p.spikeSeconds * SCALE) },
      { target: rate(p.base), duration: secs(p.rampSeconds * SCALE) },
      { target: rate(p.base), duration: secs(around * SCALE) }
    ]
  }, vus(rate(p.peak)), common)
}

function build () {
  const scenarios = {}
  const thresholds = { checks: [`rate>${MIN_CHECKS_RATE}`], dropped_iterations: [`count<=${MAX_DROPPED}`] }
  let start = 0
  let planned = 0
  let peak = 0
  for (const p of PHASES) {
    const sc = scenarioFor(p, start)
    scenarios[p.name] = sc
    // Each phase must deliver its own share of orders: an empty or cut-short phase fails the run.
    const scheduled = sc.stages === undefined ? sc.rate * Number.parseInt(sc.duration, 10) : scheduledOrders(sc.startRate, sc.stages)
    Object.assign(thresholds, deliveryThreshold(scheduled, `{phase:${p.name}}`))
    planned += scheduled
    peak = Math.max(peak, sc.stages === undefined ? sc.rate : Math.max.apply(null, sc.stages.map((x) => x.target)))
    // Same rounding as the scenario itself so phases never overlap.
    const span = p.peak === undefined
      ? Math.max(1, Math.round(p.seconds * SCALE))
      : sc.stages.reduce((sum, s) => sum + Number.parseInt(s.duration, 10), 0)
    start += span + COOLDOWN_S * SCALE
    thresholds[`http_req_failed{phase:${p.name}}`] = [`rate<${MAX_FAILED_RATE}`]
    if (p.slo === false) continue
    thresholds[`http_req_duration{phase:${p.name}}`] = p.peak === undefined
      ? latencyThresholds()
      : [`p(99)<${SPIKE_P99_MS}`] // the spike judges its tail only, as in spike.js
  }
  return { scenarios, thresholds, planned, peak }
}

const plan = build()

export const options = {
  scenarios: plan.scenarios,
  thresholds: plan.thresholds,
  summaryTrendStats: SUMMARY_TREND_STATS
}

export function setup () {
  return setupRun(plan.planned, plan.peak)
}

// All scenarios run the same iteration; the scenario's `phase` tag is added by
// k6 to every metric sample, custom metrics included.
export default function (data) {
  orderIteration(data.runId)
}

export function handleSummary (data) {
  return summaryOutputs(data, 'suite')
}
