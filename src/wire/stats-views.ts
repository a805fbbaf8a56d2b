/**
 * The public tape, the rolling 24-hour ticker and candles as the wire shows
 * them (schemas/stats.ts): integer ticks, lots and tick·lots from
 * src/market/ become exact decimals here, at the edge. Used by REST and the
 * WebSocket feed alike.
 */
import { decimal, formatScaled, type OrderBook, type SymbolSpec } from '../engine/index.js'
import type { Ohlcv } from '../market/ohlcv.js'
import type { SymbolStats } from '../market/market-stats.js'
import type { CandleView, TickerView } from '../../schemas/stats.js'
import { publicTradeView, type FeeRates } from './order-views.js'
import { toSeconds } from './time.js'

type Step = SymbolSpec['tick']

/** The newest `limit` trades, newest first. */
export function tapeView (stats: SymbolStats, spec: SymbolSpec, fees: FeeRates, limit: number) {
  return stats.tape.newest(limit).map((trade) => publicTradeView(trade, spec, fees))
}

export function tickerView (stats: SymbolStats, book: OrderBook, now: number): TickerView {
  const { tick } = book.spec
  const bid = book.bids.best()
  const ask = book.asks.best()
  const last = book.stats.lastTradePriceTicks
  const window = stats.window(now)
  return {
    symbol: book.symbol,
    last_price: last === null ? null : tick.format(last),
    best_bid: bid === undefined ? null : tick.format(bid.priceTicks),
    best_ask: ask === undefined ? null : tick.format(ask.priceTicks),
    open_24h: window === null ? null : tick.format(window.open),
    high_24h: window === null ? null : tick.format(window.high),
    low_24h: window === null ? null : tick.format(window.low),
    volume_24h: window === null ? null : unitsText(window.volume, book.spec.lot),
    quote_volume_24h: window === null ? null : quoteText(window.quote, book.spec),
    change_24h: window === null ? null : signedTicks(window.close - window.open, tick),
    change_percent_24h: window === null ? null : percentText(window.close - window.open, window.open),
    trades_24h: window === null ? 0 : window.trades,
    timestamp: toSeconds(now)
  }
}

export function candleView (candle: Ohlcv, intervalMs: number, spec: SymbolSpec): CandleView {
  const { tick, lot } = spec
  return {
    open_time: candle.openTime / 1000,
    close_time: (candle.openTime + intervalMs) / 1000,
    open: tick.format(candle.open),
    high: tick.format(candle.high),
    low: tick.format(candle.low),
    close: tick.format(candle.close),
    volume: unitsText(candle.volume, lot),
    quote_volume: quoteText(candle.quote, spec),
    trades: candle.trades
  }
}

/** A BigInt count of steps as an exact decimal. */
function unitsText (units: bigint, step: Step): string {
  if (step.places >= 0) return formatScaled(units, step.places)
  return step.value.times(decimal(units.toString())).toFixed()
}

/** A BigInt count of tick·lots (price × quantity) as an exact decimal. */
function quoteText (units: bigint, spec: SymbolSpec): string {
  const { tick, lot } = spec
  if (tick.places >= 0 && lot.places >= 0) return formatScaled(units, tick.places + lot.places)
  return tick.value.times(lot.value).times(decimal(units.toString())).toFixed()
}

function signedTicks (ticks: number, tick: Step): string {
  return ticks < 0 ? '-' + tick.format(-ticks) : tick.format(ticks)
}

/** change / open × 100 with exactly 2 decimals, rounded half away from zero, in integer arithmetic: "12.50", "-0.04", "0.00". */
export function percentText (changeTicks: number, openTicks: number): string {
  const scaled = BigInt(Math.abs(changeTicks)) * 10_000n
  const open = BigInt(openTicks)
  let hundredths = scaled / open
  if ((scaled % open) * 2n >= open) hundredths++
  const digits = hundredths.toString().padStart(3, '0')
  const text = digits.slice(0, -2) + '.' + digits.slice(-2)
  return changeTicks < 0 && hundredths > 0n ? '-' + text : text
}
