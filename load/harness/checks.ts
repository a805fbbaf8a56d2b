/**
 * Pass/fail rules of a harness run, the same as the k6 scripts' thresholds (load/k6): a phase fails when it
 * measured nothing, dropped arrivals, delivered less than 95% of its scheduled orders, answered more than
 * 1% errors, or when its consumers did not all connect, did not all last, saw a WebSocket error or a seq
 * gap, a checksum mismatch (issue 13: a consumer's own book against the message's checksum), or received no
 * book deltas or trades. An overload phase (issue 13: consumers and orders past what the machine can deliver)
 * is judged only on gaps, checksums, errors and connections: dropped arrivals and lost consumers are what
 * overload means. A lifecycle phase (issue 12) counts the refusals its flow meets by
 * design (a stop the market already passed, an amend of an order that filled) as delivered, not as errors, and
 * fails unless an amend and an OCO list were accepted and a stop was left untriggered, as lifecycle.js's
 * thresholds. `npm run load*` exits non-zero when any rule fails.
 * The issue's performance targets (summary.ts) are judged MET or MISS but do not fail the run.
 */
import type { PhaseResult } from './types.js'

export interface CheckResult {
  readonly phase: string
  readonly rule: string
  readonly ok: boolean
  readonly detail: string
}

/** As k6's MIN_DELIVERED, MAX_FAILED_RATE and MAX_DROPPED defaults. */
export const MIN_DELIVERED = 0.95
export const MAX_FAILED_RATE = 0.01
export const MAX_DROPPED = 0

export function evaluateChecks (phases: readonly PhaseResult[]): CheckResult[] {
  const out: CheckResult[] = []
  for (const p of phases) {
    const phase = `${p.scenario}/${p.name}`
    const add = (rule: string, ok: boolean, detail: string): void => { out.push({ phase, rule, ok, detail }) }
    const h = p.http
    if (h !== null) {
      const ok2xx = Object.entries(h.statusCodes).reduce((s, [code, n]) => s + (code.startsWith('2') ? n : 0), 0)
      add('measured', h.completed > 0 && ok2xx > 0, `${h.completed} answers, ${ok2xx} of them 2xx`)
      if (p.overload !== true) add('errors', h.completed > 0 && h.errorCount / h.completed < MAX_FAILED_RATE, `${h.errorCount} errors in ${h.completed} answers (limit ${MAX_FAILED_RATE * 100}%): ${JSON.stringify(h.errors)}`)
      if (h.mode === 'rate' && p.overload !== true) {
        const scheduled = h.sent + h.dropped
        add('dropped', h.dropped <= MAX_DROPPED, `${h.dropped} arrivals dropped of ${scheduled} scheduled`)
        const refused = h.refusedCount ?? 0
        add('delivered', scheduled > 0 && ok2xx + refused >= MIN_DELIVERED * scheduled,
          `${ok2xx} of ${scheduled} scheduled orders answered 2xx${refused > 0 ? ` and ${refused} with an expected refusal` : ''} (at least ${MIN_DELIVERED * 100}%)`)
      }
      // A warm-up is too short to promise every kind an answer (an amend needs an order that rested first).
      if (h.lifecycle === true && !p.name.endsWith('warmup')) {
        const amends = h.okByPath?.['/amend'] ?? 0
        const ocos = h.okByPath?.['/oco'] ?? 0
        const untriggered = h.ordersByStatus.untriggered ?? 0
        add('lifecycle', amends > 0 && ocos > 0 && untriggered > 0, `${amends} amends and ${ocos} OCO lists accepted, ${untriggered} orders untriggered (each must be > 0); expected refusals ${JSON.stringify(h.refused ?? {})}`)
      }
    }
    const w = p.wrk
    if (w != null) {
      const socket = w.socketErrors.connect + w.socketErrors.read + w.socketErrors.write + w.socketErrors.timeout
      add('measured', w.requests > 0 && w.okRps > 0, `${w.requests} answers, ${w.okRps} 2xx/s`)
      add('non-2xx', w.non2xx === 0 && w.exhausted === 0, `${w.non2xx} answers not 2xx${w.statusTally === null ? '' : `: ${JSON.stringify(w.statusTally)}`}${w.exhausted > 0 ? `; ${w.exhausted} pre-signed requests sent twice` : ''}`)
      add('socket-errors', socket === 0, `socket errors ${JSON.stringify(w.socketErrors)}`)
    }
    const o = p.wsOrders
    if (o != null) {
      add('measured', o.ok > 0, `${o.ok} successful answers of ${o.sent} requests`)
      add('connected', o.connected === o.connections && Object.keys(o.closes).length === 0, `${o.connected} of ${o.connections} connected; closed during the phase: ${JSON.stringify(o.closes)}`)
      add('answered-once', o.duplicates === 0 && o.unanswered === 0 && o.answered === o.sent, `${o.answered} answers to ${o.sent} requests, ${o.duplicates} duplicates, ${o.unanswered} unanswered`)
      add('in-order', o.outOfOrder === 0, `${o.outOfOrder} answers overtook an earlier request of their connection`)
      add('errors', o.errorCount === 0, `${o.errorCount} unexpected refusals ${JSON.stringify(o.errors)}; expected (cancel of a filled order) ${JSON.stringify(o.expected)}`)
    }
    const c = p.consumers
    if (c !== null) {
      const service = p.target === 'service'
      add('consumers-connected', c.connected === c.consumers, `${c.connected} of ${c.consumers} connected`)
      const closes = Object.values(c.unexpectedCloses).reduce((s, n) => s + n, 0)
      // At saturation the gateway sheds consumers that fall behind by design; the rate phases must keep all.
      if (h?.mode !== 'saturation' && p.overload !== true) add('consumers-lasted', closes === 0, `${closes} closed early: ${JSON.stringify(c.unexpectedCloses)}`)
      add('ws-errors', c.errors === 0, `${c.errors} WebSocket errors`)
      add('seq-gaps', c.seqGaps === 0, `${c.seqGaps} gaps in ${c.deltas} deltas`)
      // 0 verified when the server sends no checksum (before issue 13): nothing to fail on.
      add('checksums', c.checksumMismatches === 0, `${c.checksumMismatches} mismatches in ${c.checksumsVerified} checksums verified${c.serverSendsChecksum ? '' : ' (the server sends none)'}`)
      add('messages', c.messages > 0 && (!service || (c.deltas > 0 && c.tradesReceived > 0)),
        `${c.messages} messages${service ? `, ${c.deltas} book deltas, ${c.tradesReceived} trades` : ''}`)
    }
  }
  return out
}
