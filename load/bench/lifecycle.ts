/**
 * The lifecycle flow's run (load/bench/lifecycle-flow.ts): today's engine
 * through place / cancel / amend / submitOco / expire, each command with the
 * flow's timestamp. Timed like the standard subjects (warm-up on a throwaway
 * instance, a throughput pass with GC records and a latency pass, each on a
 * fresh engine after a full GC; best of the rounds), and every pass must
 * give the same totals, with no refused command.
 */
import {
  MatchingEngine, type AmendInput, type CancelInput, type EngineOptions, type OcoInput, type OrderFields
} from '../../src/engine/index.js'
import { measureGc, type GcSummary } from './gc.js'
import { LIFECYCLE_KINDS, Op, generateLifecycleFlow, type LifecycleFlow } from './lifecycle-flow.js'
import { SYMBOL } from './flow.js'
import { summarise, timeLatency, timeThroughput, type LatencySummary } from './stats.js'

export interface LifecycleTotals {
  /** All trades of the symbol, triggered stops' included (book statistics). */
  readonly trades: number
  readonly tradedLots: string
  readonly rejected: number
  readonly expired: number
  readonly openAtEnd: number
}

export interface LifecycleRound {
  readonly round: number
  readonly seconds: number
  readonly ordersPerSecond: number
  readonly latency: LatencySummary
  readonly gc: GcSummary
}

export interface LifecycleResult {
  readonly name: string
  readonly description: string
  readonly commands: number
  readonly seed: number
  readonly mix: Record<string, number>
  readonly generationSeconds: number
  readonly ordersPerSecond: number
  readonly seconds: number
  readonly latency: LatencySummary
  readonly gc: GcSummary
  readonly totals: LifecycleTotals
  readonly rounds: readonly LifecycleRound[]
}

export const LIFECYCLE_DESCRIPTION = 'engine.place / cancel / amend / submitOco / expire with the flow\'s timestamps, no listener: ' +
  'stops, icebergs, amends, GTD orders with expire commands, OCO lists'

export interface LifecycleInstance { step: (i: number) => void, totals: () => LifecycleTotals }

export function lifecycleInstance (flow: LifecycleFlow, options: EngineOptions): LifecycleInstance {
  const engine = new MatchingEngine(options)
  const book = engine.book(SYMBOL)
  if (book === undefined) throw new Error(`${SYMBOL} is not a default symbol`)
  const { op, input, timestamp } = flow
  let rejected = 0
  let expired = 0
  const step = (i: number): void => {
    const at = timestamp[i] as number
    switch (op[i]) {
      case Op.PLACE:
        if (!engine.place(input[i] as OrderFields, at).ok) rejected++
        return
      case Op.CANCEL:
        if (!engine.cancel(input[i] as CancelInput, at).ok) rejected++
        return
      case Op.AMEND:
        if (!engine.amend(input[i] as AmendInput, at).ok) rejected++
        return
      case Op.OCO:
        if (!engine.submitOco(input[i] as OcoInput, at).ok) rejected++
        return
      default: {
        const result = engine.expire(at)
        if (result.ok) expired += result.value.length
        else rejected++
      }
    }
  }
  const totals = (): LifecycleTotals => ({
    trades: book.stats.totalTrades,
    tradedLots: book.stats.volumeLots.total.toString(),
    rejected,
    expired,
    openAtEnd: book.openCount
  })
  return { step, totals }
}

const same = (a: LifecycleTotals, b: LifecycleTotals): boolean =>
  a.trades === b.trades && a.tradedLots === b.tradedLots && a.rejected === b.rejected && a.expired === b.expired && a.openAtEnd === b.openAtEnd

export function describeLifecycle (t: LifecycleTotals): string {
  return `${t.trades} trades, ${t.tradedLots} lots traded, ${t.expired} expired, ${t.openAtEnd} open at end, ${t.rejected} refused`
}

export function lifecycleMixLine (flow: { readonly size: number, readonly mix: Record<string, number> }): string {
  const pct = (x: number): string => (100 * x / flow.size).toFixed(1) + '%'
  return LIFECYCLE_KINDS.map((k) => `${k} ${pct(flow.mix[k] ?? 0)}`).join(', ')
}

export interface LifecycleSettings {
  readonly size: number
  readonly seed: number
  readonly warmup: number
  readonly every: number
  readonly rounds: number
  readonly options: EngineOptions
  readonly collect: () => void
  readonly log: (line: string) => void
}

/**
 * Generates the flow, runs the rounds and returns the best figures, or a
 * failure message (a refused command, or passes that disagree).
 */
export function runLifecycle (s: LifecycleSettings): LifecycleResult | string {
  const genStart = process.hrtime.bigint()
  const flow = generateLifecycleFlow({ size: s.size, seed: s.seed })
  const generationSeconds = Number(process.hrtime.bigint() - genStart) / 1e9
  s.log(`lifecycle flow: ${s.size.toLocaleString('en-US')} commands, seed ${s.seed}, generated in ${generationSeconds.toFixed(2)} s (untimed)`)
  s.log(`  mix: ${lifecycleMixLine(flow)} (replaced: refused by the oracle or no live target, sent as a passive limit instead, counted in limit)`)
  s.log(`  oracle: ${flow.expired} GTD orders expired, ${flow.openAtEnd} open at end`)
  const rounds: LifecycleRound[] = []
  let reference: LifecycleTotals | null = null
  // Untimed, so the loops have seen this subject before its first timed pass.
  timeThroughput(lifecycleInstance(flow, s.options).step, s.warmup)
  for (let round = 1; round <= s.rounds; round++) {
    s.collect()
    timeThroughput(lifecycleInstance(flow, s.options).step, s.warmup)
    s.collect()
    const timed = lifecycleInstance(flow, s.options)
    const { result: seconds, gc } = measureGc(s.size, () => timeThroughput(timed.step, s.size))
    const totals = timed.totals()
    s.collect()
    const sampled = lifecycleInstance(flow, s.options)
    const latency = summarise(timeLatency(sampled.step, s.size, s.every), s.every)
    const again = sampled.totals()
    if (!same(totals, again)) return `lifecycle: the latency pass disagrees with the throughput pass: ${describeLifecycle(totals)} vs ${describeLifecycle(again)}`
    if (reference !== null && !same(reference, totals)) return `lifecycle: round ${round} disagrees with round 1: ${describeLifecycle(totals)} vs ${describeLifecycle(reference)}`
    if (totals.rejected !== 0) return `lifecycle: ${totals.rejected} commands refused (the oracle accepted every one): ${describeLifecycle(totals)}`
    reference = totals
    rounds.push({ round, seconds, ordersPerSecond: s.size / seconds, latency, gc })
    s.log(`round ${round}/${s.rounds} engine (lifecycle flow): ${Math.round(s.size / seconds).toLocaleString('en-US')} commands/s, ` +
      `p50 ${latency.p50Us} µs, p99.9 ${latency.p999Us} µs, ${gc.bytesPerCommand} B/command, ${describeLifecycle(totals)}`)
  }
  const fastest = rounds.reduce((a, b) => b.seconds < a.seconds ? b : a)
  const steadiest = rounds.reduce((a, b) => b.latency.p999Us < a.latency.p999Us ? b : a)
  return {
    name: 'engine (lifecycle flow)',
    description: LIFECYCLE_DESCRIPTION,
    commands: s.size,
    seed: s.seed,
    mix: flow.mix,
    generationSeconds,
    ordersPerSecond: fastest.ordersPerSecond,
    seconds: fastest.seconds,
    latency: steadiest.latency,
    gc: fastest.gc,
    totals: reference as LifecycleTotals,
    rounds
  }
}
