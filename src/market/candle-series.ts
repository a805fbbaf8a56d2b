/**
 * The newest candles of one symbol at one interval, oldest first. Candles
 * are aligned to UTC epoch multiples of the interval and exist only for
 * intervals with trades. The series keeps the last `keep` of them.
 */
import { CANDLE_INTERVAL_NAMES } from '../../schemas/stats.js'
import { Ohlcv, type OhlcvTuple } from './ohlcv.js'

/** The wire's interval names (schemas/stats.ts): one list for the routes, the feed and the statistics. */
export const CANDLE_INTERVALS = CANDLE_INTERVAL_NAMES
export type CandleInterval = typeof CANDLE_INTERVALS[number]

/** Interval lengths in ms. */
export const INTERVAL_MS: Readonly<Record<CandleInterval, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000
}

export function isCandleInterval (text: unknown): text is CandleInterval {
  return typeof text === 'string' && (CANDLE_INTERVALS as readonly string[]).includes(text)
}

export class CandleSeries {
  readonly intervalMs: number
  private readonly keep: number
  private readonly candles: Ohlcv[] = []

  constructor (intervalMs: number, keep: number) {
    this.intervalMs = intervalMs
    this.keep = keep
  }

  /** Adds a trade at `time` (epoch ms, never before the newest candle's start: the caller keeps time monotonic). */
  add (time: number, priceTicks: number, quantityLots: number): void {
    const openTime = time - (time % this.intervalMs)
    const last = this.current
    if (last !== null && last.openTime === openTime) {
      last.add(priceTicks, quantityLots)
      return
    }
    this.candles.push(Ohlcv.first(openTime, priceTicks, quantityLots))
    if (this.candles.length > this.keep) this.candles.shift()
  }

  /** The newest candle, null before the first trade. */
  get current (): Ohlcv | null {
    return this.candles.length === 0 ? null : this.candles[this.candles.length - 1]
  }

  get size (): number {
    return this.candles.length
  }

  /** The newest `limit` candles whose open time is in [start, end] (epoch ms, inclusive), oldest first. */
  range (start: number, end: number, limit: number): Ohlcv[] {
    const out: Ohlcv[] = []
    for (let i = this.candles.length - 1; i >= 0 && out.length < limit; i--) {
      const candle = this.candles[i]
      if (candle.openTime < start) break
      if (candle.openTime <= end) out.push(candle)
    }
    return out.reverse()
  }

  /** Newest first (the rolling window reads its buckets this way, and stops where the window starts). */
  * newestFirst (): IterableIterator<Ohlcv> {
    for (let i = this.candles.length - 1; i >= 0; i--) yield this.candles[i]
  }

  toTuples (): OhlcvTuple[] {
    return this.candles.map((candle) => candle.toTuple())
  }

  load (tuples: readonly OhlcvTuple[]): void {
    this.candles.length = 0
    for (const tuple of tuples.slice(-this.keep)) this.candles.push(Ohlcv.fromTuple(tuple))
  }
}
