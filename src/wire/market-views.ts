/**
 * Book, best bid/offer and per-symbol statistics as the wire shows them,
 * typed from schemas/market.ts. Used by REST and the WebSocket gateway.
 */
import type { Static } from '@sinclair/typebox'
import { decimal, type OrderBook, type SymbolSpec } from '../engine/index.js'
import type { BboResponse, SymbolStatistics } from '../../schemas/market.js'
import type { Level } from '../../schemas/common.js'
import { toSeconds } from './time.js'

export type BboView = Static<typeof BboResponse>
export type LevelView = Static<typeof Level>

export function bboView (book: OrderBook, now: number): BboView {
  const bid = book.bids.best()
  const ask = book.asks.best()
  const tick = book.spec.tick
  const both = bid !== undefined && ask !== undefined
  return {
    symbol: book.symbol,
    best_bid: bid === undefined ? null : tick.format(bid.priceTicks),
    best_ask: ask === undefined ? null : tick.format(ask.priceTicks),
    // Ticks are integers, so the spread is exact; the mid may be half a tick, so it goes through a decimal.
    spread: both ? formatSignedTicks(ask.priceTicks - bid.priceTicks, book.spec) : null,
    mid_price: both ? tick.formatHalf(ask.priceTicks + bid.priceTicks) : null,
    timestamp: toSeconds(now)
  }
}

/** Levels best first as [price, quantity] strings. */
export function depthView (book: OrderBook, levels: number): { bids: LevelView[], asks: LevelView[] } {
  const { tick, lot } = book.spec
  const side = (which: typeof book.bids): LevelView[] => {
    const out: LevelView[] = []
    for (const level of which.bestFirst(levels)) out.push([tick.format(level.priceTicks), lot.format(level.totalLots)])
    return out
  }
  return { bids: side(book.bids), asks: side(book.asks) }
}

export function symbolStatsView (book: OrderBook): Static<typeof SymbolStatistics> {
  const { stats, spec } = book
  return {
    symbol: book.symbol,
    total_orders: stats.totalOrders,
    total_trades: stats.totalTrades,
    total_volume: volumeText(stats.volumeLots.total, spec),
    last_trade_price: stats.lastTradePriceTicks === null ? null : spec.tick.format(stats.lastTradePriceTicks),
    last_trade_time: stats.lastTradeTime === null ? null : toSeconds(stats.lastTradeTime),
    active_orders: book.restingCount,
    bid_levels: book.bids.levelCount,
    ask_levels: book.asks.levelCount
  }
}

/** A symbol's filters as /symbols shows them. */
export function symbolFiltersView (spec: SymbolSpec) {
  return {
    tick_size: spec.tick.text,
    lot_size: spec.lot.text,
    min_quantity: spec.minQuantity.toFixed(),
    max_quantity: spec.maxQuantity.toFixed(),
    min_notional: spec.minNotional.toFixed()
  }
}

/** A BigInt count of lots as a decimal quantity. */
export function volumeText (lots: bigint, spec: SymbolSpec): string {
  return spec.lot.value.times(decimal(lots.toString())).toFixed()
}

function formatSignedTicks (ticks: number, spec: SymbolSpec): string {
  /* c8 ignore next -- a negative spread needs a crossed book, which matching never leaves; printed with its sign rather than hidden if that invariant ever broke */
  return ticks < 0 ? '-' + spec.tick.format(-ticks) : spec.tick.format(ticks)
}
