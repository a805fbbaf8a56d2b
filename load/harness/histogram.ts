/**
 * A log-bucket latency histogram (HDR-like): constant memory, mergeable,
 * serialisable over IPC. Values are milliseconds; buckets are 1% wide above
 * 1 µs, so a reported percentile is within 1% of the true sample (min and
 * max are kept exactly).
 */
import type { LatencySummary } from './types.js'

const GROWTH = 1.01
const LOG_GROWTH = Math.log(GROWTH)
/** 1 µs .. ~100 s in 1% steps. */
const BUCKETS = 1 + Math.ceil(Math.log(1e8) / LOG_GROWTH)

export interface HistogramJson {
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
  /** Sparse [bucket index, count] pairs. */
  readonly buckets: Array<[number, number]>
}

export class LogHistogram {
  private readonly counts = new Uint32Array(BUCKETS)
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity

  record (ms: number): void {
    const v = ms > 0 && Number.isFinite(ms) ? ms : 0
    const micros = v * 1000
    const index = micros < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(micros) / LOG_GROWTH))
    this.counts[index]++
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  merge (other: LogHistogram | HistogramJson): void {
    const json = other instanceof LogHistogram ? other.toJSON() : other
    for (const [index, n] of json.buckets) this.counts[index] += n
    this.count += json.count
    this.sum += json.sum
    if (json.count > 0) {
      this.min = Math.min(this.min, json.min)
      this.max = Math.max(this.max, json.max)
    }
  }

  /** Value at quantile q (0..1), ms; NaN when empty. */
  quantile (q: number): number {
    if (this.count === 0) return NaN
    if (q >= 1) return this.max
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]
      if (seen >= rank) {
        // Geometric middle of the bucket, clamped to what was really seen.
        const value = i === 0 ? 0 : Math.pow(GROWTH, i - 0.5) / 1000
        return Math.min(this.max, Math.max(this.min, value))
      }
    }
    return this.max
  }

  summary (): LatencySummary {
    if (this.count === 0) return { count: 0, mean: NaN, min: NaN, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN }
    return {
      count: this.count,
      mean: this.sum / this.count,
      min: this.min,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.max
    }
  }

  toJSON (): HistogramJson {
    const buckets: Array<[number, number]> = []
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) buckets.push([i, this.counts[i]])
    return { count: this.count, sum: this.sum, min: this.min, max: this.max, buckets }
  }

  static from (json: HistogramJson): LogHistogram {
    const h = new LogHistogram()
    h.merge(json)
    return h
  }
}

/** Rounds for display and JSON: 3 decimals, NaN kept as null by JSON.stringify. */
export function round3 (value: number): number {
  return Math.round(value * 1000) / 1000
}

export function roundSummary (s: LatencySummary): LatencySummary {
  return {
    count: s.count,
    mean: round3(s.mean),
    min: round3(s.min),
    p50: round3(s.p50),
    p90: round3(s.p90),
    p99: round3(s.p99),
    p999: round3(s.p999),
    max: round3(s.max)
  }
}
