/**
 * Timing loops and latency percentiles of the engine benchmark.
 *
 * Two passes per run, each on a fresh instance over the same commands:
 * - throughput: one clock read before and after the whole loop, no per-call
 *   timer, so orders/s carries no timer overhead;
 * - latency: process.hrtime.bigint() around every k-th call (k = 1 by
 *   default: every call), kept in a Float64Array and sorted afterwards.
 */
export type Step = (i: number) => void

export interface LatencySummary {
  /** Number of timed calls. */
  readonly samples: number
  /** Every k-th call was timed. */
  readonly every: number
  readonly meanUs: number
  readonly p50Us: number
  readonly p99Us: number
  readonly p999Us: number
  readonly maxUs: number
}

/** Runs commands [from, to) untimed (warm-up). */
export function runRange (step: Step, from: number, to: number): void {
  for (let i = from; i < to; i++) step(i)
}

/** Seconds for the whole loop. */
export function timeThroughput (step: Step, n: number): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) step(i)
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** Per-call latencies in nanoseconds for every `every`-th call. */
export function timeLatency (step: Step, n: number, every: number): Float64Array {
  const samples = new Float64Array(Math.ceil(n / every))
  let j = 0
  let next = 0
  for (let i = 0; i < n; i++) {
    if (i !== next) {
      step(i)
      continue
    }
    const t0 = process.hrtime.bigint()
    step(i)
    samples[j++] = Number(process.hrtime.bigint() - t0)
    next += every
  }
  return samples.subarray(0, j)
}

/** Nearest-rank percentile of an ascending array. */
export function percentile (sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

export function summarise (ns: Float64Array, every: number): LatencySummary {
  const sorted = Float64Array.from(ns).sort()
  let sum = 0
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] as number
  const us = (x: number): number => Math.round(x / 10) / 100 // ns → µs, 2 decimals
  return {
    samples: sorted.length,
    every,
    meanUs: us(sum / Math.max(1, sorted.length)),
    p50Us: us(percentile(sorted, 50)),
    p99Us: us(percentile(sorted, 99)),
    p999Us: us(percentile(sorted, 99.9)),
    maxUs: us(sorted.length === 0 ? NaN : sorted[sorted.length - 1] as number)
  }
}

/** Median cost of an empty hrtime.bigint() pair, in ns (included in every latency sample). */
export function timerOverheadNs (pairs = 200_000): number {
  const samples = new Float64Array(pairs)
  for (let i = 0; i < pairs; i++) {
    const t0 = process.hrtime.bigint()
    samples[i] = Number(process.hrtime.bigint() - t0)
  }
  return percentile(samples.sort(), 50)
}
