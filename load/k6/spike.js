// Spike test: baseline -> sudden spike -> back to baseline, the seed's
// `run_spike_test(peak_rate, spike_duration, baseline_rate, total_duration)`
// as a ramping-arrival-rate scenario.
//
// Each request is tagged phase=baseline|spike|recovery (from the time since
// the scenario started) so the thresholds can say what a spike test is for:
// latency during the spike may degrade (SPIKE_P99_MS), but once the spike is
// over the engine must be back within the normal budget (P95_MS / P99_MS).
//
//   k6 run load/k6/spike.js
//   k6 run -e BASE_RATE=200 -e SPIKE_RATE=3000 -e SPIKE_DURATION=1m load/k6/spike.js
import exec from 'k6/execution'
import { env, envFloat, envInt, parseDuration } from './lib/config.js'
import {
  deliveryThreshold, latencyThresholds, orderIteration, scheduledOrders, setupRun,
  MAX_DROPPED, MAX_FAILED_RATE, MIN_CHECKS_RATE, SUMMARY_TREND_STATS
} from './lib/api.js'
import { summaryOutputs } from './lib/summary.js'

const BASE_RATE = envInt('BASE_RATE', 100)
const SPIKE_RATE = envInt('SPIKE_RATE', 1000)
const BASELINE = env('BASELINE_DURATION', '30s') // before the spike
const RAMP = env('RAMP_DURATION', '5s') // baseline <-> spike transition, each way
const SPIKE = env('SPIKE_DURATION', '30s') // time held at SPIKE_RATE
const RECOVERY = env('RECOVERY_DURATION', '60s') // back at baseline, watched closely
const SPIKE_P99_MS = envFloat('SPIKE_P99_MS', 500)

// Phase boundaries in ms since scenario start. The ramps count as 'spike':
// they are part of the disturbance, not of normal operation.
const SPIKE_START_MS = parseDuration(BASELINE)
const RECOVERY_START_MS = SPIKE_START_MS + 2 * parseDuration(RAMP) + parseDuration(SPIKE)

const STAGES = [
  { target: BASE_RATE, duration: BASELINE },
  { target: SPIKE_RATE, duration: RAMP },
  { target: SPIKE_RATE, duration: SPIKE },
  { target: BASE_RATE, duration: RAMP },
  { target: BASE_RATE, duration: RECOVERY }
]
// Orders each phase schedules: every phase must deliver its share, not only the run as a whole.
const SCHEDULED = {
  baseline: scheduledOrders(BASE_RATE, STAGES.slice(0, 1)),
  spike: scheduledOrders(BASE_RATE, STAGES.slice(1, 4)),
  recovery: scheduledOrders(BASE_RATE, STAGES.slice(4))
}

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: BASE_RATE,
      timeUnit: '1s',
      stages: STAGES,
      preAllocatedVUs: envInt('PRE_ALLOCATED_VUS', Math.max(20, Math.ceil(SPIKE_RATE / 10))),
      maxVUs: envInt('MAX_VUS', Math.max(100, SPIKE_RATE)),
      gracefulStop: '10s'
    }
  },
  thresholds: Object.assign({
    http_req_failed: [`rate<${MAX_FAILED_RATE}`],
    checks: [`rate>${MIN_CHECKS_RATE}`],
    dropped_iterations: [`count<=${MAX_DROPPED}`],
    'http_req_duration{phase:baseline}': latencyThresholds(),
    'http_req_duration{phase:spike}': [`p(99)<${SPIKE_P99_MS}`],
    'http_req_duration{phase:recovery}': latencyThresholds(),
    'http_req_failed{phase:recovery}': [`rate<${MAX_FAILED_RATE}`]
  },
  deliveryThreshold(SCHEDULED.baseline, '{phase:baseline}'),
  deliveryThreshold(SCHEDULED.spike, '{phase:spike}'),
  deliveryThreshold(SCHEDULED.recovery, '{phase:recovery}')),
  summaryTrendStats: SUMMARY_TREND_STATS
}

function currentPhase () {
  const elapsed = Date.now() - exec.scenario.startTime
  if (elapsed < SPIKE_START_MS) return 'baseline'
  if (elapsed < RECOVERY_START_MS) return 'spike'
  return 'recovery'
}

export function setup () {
  return setupRun(SCHEDULED.baseline + SCHEDULED.spike + SCHEDULED.recovery, SPIKE_RATE)
}

export default function (data) {
  orderIteration(data.runId, { phase: currentPhase() })
}

export function handleSummary (data) {
  return summaryOutputs(data, 'spike')
}
