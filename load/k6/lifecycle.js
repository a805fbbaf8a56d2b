// Issue 12's order lifecycle at a fixed arrival rate: the seed's flow plus
// stops, icebergs, post-only and GTD limits, quote-sized market orders, OCO
// lists (POST /oco) and amends (POST /amend) of the orders that rested. The
// mix is LIFECYCLE_MIX (lib/orders.js); refusals the flow meets by design
// (a stop the market already passed, an amend of an order that filled
// meanwhile) are counted in lifecycle_refused, not failed.
//
//   k6 run load/k6/lifecycle.js
//   k6 run -e RATE=200 -e DURATION=1m -e LIFECYCLE_MIX='limit:50,stop_limit:25,amend:25' load/k6/lifecycle.js
import { env, envInt, parseDuration } from './lib/config.js'
import { defaultThresholds, lifecycleIteration, MIN_DELIVERED, setupRun, SUMMARY_TREND_STATS } from './lib/api.js'
import { parseLifecycleMix } from './lib/orders.js'
import { summaryOutputs } from './lib/summary.js'

const RATE = envInt('RATE', 100)
const DURATION = env('DURATION', '30s')
const SCHEDULED = Math.round(RATE * parseDuration(DURATION) / 1000)
const MIX = parseLifecycleMix(env('LIFECYCLE_MIX', undefined))
const has = (kind) => MIX.some((e, i) => e.type === kind && e.cum > (i === 0 ? 0 : MIX[i - 1].cum))

// As orders.js, and: at least MIN_DELIVERED of the scheduled requests answered (200 or an expected
// refusal), and every lifecycle feature of the mix seen working at least once (an amend and an OCO list
// accepted, a stop left untriggered), so a service without them fails the run rather than passing it quietly.
function thresholds () {
  const out = defaultThresholds()
  out.lifecycle_answered = [`count>=${Math.max(1, Math.floor(SCHEDULED * MIN_DELIVERED))}`]
  if (has('amend')) out.amends_ok = ['count>0']
  if (has('oco')) out.oco_ok = ['count>0']
  if (has('stop_limit') || has('stop_market')) out.orders_untriggered = ['count>0']
  return out
}

export const options = {
  scenarios: {
    lifecycle: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: envInt('PRE_ALLOCATED_VUS', Math.max(10, Math.ceil(RATE / 10))),
      maxVUs: envInt('MAX_VUS', Math.max(50, RATE)),
      gracefulStop: '10s'
    }
  },
  thresholds: thresholds(),
  summaryTrendStats: SUMMARY_TREND_STATS
}

export function setup () {
  return setupRun(SCHEDULED, RATE)
}

export default function (data) {
  lifecycleIteration(data.runId)
}

export function handleSummary (data) {
  return summaryOutputs(data, 'lifecycle')
}
