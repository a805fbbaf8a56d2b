/**
 * Public market statistics of every symbol, fed by the engine's trades: the
 * recent-trades tape, candles at each interval and the one-minute buckets of
 * the rolling 24-hour ticker. Plain deterministic state: a function of the
 * trades alone (times are the trades' own, journaled), so replaying the same
 * commands rebuilds the same statistics, and a snapshot stores them exactly.
 */
import type { EngineEvent, MatchingEngine, Trade } from '../engine/index.js'
import { CANDLE_INTERVALS, CandleSeries, INTERVAL_MS, type CandleInterval } from './candle-series.js'
import type { OhlcvTuple } from './ohlcv.js'
import { TradeTape, type TapeTuple } from './trade-tape.js'

/** Trades kept per symbol for GET /trades. */
export const TAPE_SIZE = 1000
/** Candles kept per symbol and interval. */
export const CANDLES_KEPT = 1000
/** The ticker's window: this many one-minute buckets, the current one included. */
export const WINDOW_MINUTES = 1440
const MINUTE = 60_000

/** The snapshot section (format 1): each symbol's tape, ticker buckets and candles. */
export interface MarketState {
  version: 1
  symbols: SymbolMarketState[]
}

export interface SymbolMarketState {
  symbol: string
  /** The newest trade time counted (epoch ms): a later trade stamped earlier counts at this time. */
  lastTime: number
  trades: TapeTuple[]
  buckets: OhlcvTuple[]
  candles: Record<CandleInterval, OhlcvTuple[]>
}

/** The trades of the rolling window, summed; null when the window holds none. */
export interface WindowSummary {
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: bigint
  readonly quote: bigint
  readonly trades: number
}

export class SymbolStats {
  readonly symbol: string
  readonly tape = new TradeTape(TAPE_SIZE)
  /** One-minute buckets: the last 1440 that hold trades cover every minute of any 24-hour window ending now. */
  readonly buckets = new CandleSeries(MINUTE, WINDOW_MINUTES)
  readonly candles: Readonly<Record<CandleInterval, CandleSeries>>
  lastTime = 0

  constructor (symbol: string) {
    this.symbol = symbol
    const candles = {} as Record<CandleInterval, CandleSeries>
    for (const interval of CANDLE_INTERVALS) candles[interval] = new CandleSeries(INTERVAL_MS[interval], CANDLES_KEPT)
    this.candles = candles
  }

  record (trade: Trade): void {
    this.tape.add(trade)
    // Candles only move forward: a trade stamped before the newest one (a clock stepped back) counts in the current interval.
    const time = Math.max(trade.timestamp, this.lastTime)
    this.lastTime = time
    this.buckets.add(time, trade.priceTicks, trade.quantityLots)
    for (const interval of CANDLE_INTERVALS) this.candles[interval].add(time, trade.priceTicks, trade.quantityLots)
  }

  /** The 1440 one-minute buckets ending with the one `now` (epoch ms) falls in. */
  window (now: number): WindowSummary | null {
    const current = now - (now % MINUTE)
    const first = current - (WINDOW_MINUTES - 1) * MINUTE
    let summary: { open: number, high: number, low: number, close: number, volume: bigint, quote: bigint, trades: number } | null = null
    for (const bucket of this.buckets.newestFirst()) {
      if (bucket.openTime < first) break
      if (bucket.openTime > current) continue
      if (summary === null) {
        summary = { open: bucket.open, high: bucket.high, low: bucket.low, close: bucket.close, volume: bucket.volume, quote: bucket.quote, trades: bucket.trades }
        continue
      }
      summary.open = bucket.open
      if (bucket.high > summary.high) summary.high = bucket.high
      if (bucket.low < summary.low) summary.low = bucket.low
      summary.volume += bucket.volume
      summary.quote += bucket.quote
      summary.trades += bucket.trades
    }
    return summary
  }

  save (): SymbolMarketState {
    const candles = {} as Record<CandleInterval, OhlcvTuple[]>
    for (const interval of CANDLE_INTERVALS) candles[interval] = this.candles[interval].toTuples()
    return { symbol: this.symbol, lastTime: this.lastTime, trades: this.tape.toTuples(), buckets: this.buckets.toTuples(), candles }
  }

  load (saved: SymbolMarketState): void {
    this.lastTime = saved.lastTime
    this.tape.load(this.symbol, saved.trades)
    this.buckets.load(saved.buckets)
    for (const interval of CANDLE_INTERVALS) this.candles[interval].load(saved.candles[interval])
  }
}

export class MarketStats {
  private readonly symbols = new Map<string, SymbolStats>()

  /** Listens to the engine's trades; returns it (so it can wrap the engine's construction, before any replay). */
  follow (engine: MatchingEngine): MatchingEngine {
    for (const symbol of engine.symbols) this.symbols.set(symbol, new SymbolStats(symbol))
    engine.addListener((events) => this.onEvents(events))
    return engine
  }

  /** The symbol's statistics (empty before its first trade); undefined for a symbol the engine does not trade. */
  of (symbol: string): SymbolStats | undefined {
    return this.symbols.get(symbol)
  }

  save (): MarketState {
    return { version: 1, symbols: Array.from(this.symbols.values(), (stats) => stats.save()) }
  }

  /** Loads a snapshot's section; a snapshot without one (written before it existed) leaves every symbol empty. Symbols no longer traded are dropped. */
  load (saved: MarketState | undefined): void {
    if (saved === undefined) return
    if (saved.version !== 1) throw new Error(`unsupported market statistics format ${String(saved.version)}`)
    for (const symbolState of saved.symbols) this.symbols.get(symbolState.symbol)?.load(symbolState)
  }

  private onEvents (events: readonly EngineEvent[]): void {
    for (const event of events) {
      if (event.type === 'trade') this.symbols.get(event.trade.symbol)?.record(event.trade)
    }
  }
}
