/**
 * Wire views: integer units back to decimal strings, in the field names every
 * client of the seed already knows. Used by REST and the WebSocket gateway so
 * both print an order or a trade the same way.
 */
import { decimal, formatScaled, product } from './decimal.js'
import type { MatchingEngine } from './engine.js'
import type { OrderSnapshot, Trade } from './events.js'
import type { Order } from './order.js'
import type { OrderBook } from './order-book.js'
import type { SymbolSpec } from './symbols.js'

/** Engine clocks are in milliseconds; the wire speaks epoch seconds, as the seed did. */
export function toSeconds (ms: number): number {
  return ms / 1000
}

export function orderView (order: Order | OrderSnapshot, spec: SymbolSpec) {
  const filledLots = order.filledLots
  return {
    order_id: order.id,
    client_order_id: order.clientOrderId,
    symbol: order.symbol,
    side: order.side,
    order_type: order.type,
    status: order.status,
    cancel_reason: order.cancelReason,
    price: order.priceTicks === null ? null : spec.tick.format(order.priceTicks),
    quantity: spec.lot.format(order.quantityLots),
    filled_quantity: spec.lot.format(filledLots),
    remaining_quantity: spec.lot.format(order.quantityLots - filledLots),
    timestamp: toSeconds(order.timestamp)
  }
}

export type OrderView = ReturnType<typeof orderView>

export function tradeView (trade: Trade, spec: SymbolSpec, engine: MatchingEngine) {
  const amounts = tradeAmounts([trade], spec, engine)
  return {
    trade_id: trade.tradeId,
    symbol: trade.symbol,
    price: spec.tick.format(trade.priceTicks),
    quantity: spec.lot.format(trade.quantityLots),
    aggressor_side: trade.aggressorSide,
    maker_order_id: trade.makerOrderId,
    taker_order_id: trade.takerOrderId,
    timestamp: toSeconds(trade.timestamp),
    trade_value: amounts.value,
    maker_fee: amounts.makerFee,
    taker_fee: amounts.takerFee
  }
}

/** Most orders trade nothing; their totals need no arithmetic at all. */
const NOTHING_TRADED = Object.freeze({ value: '0', makerFee: '0', takerFee: '0' })

/**
 * Value (Σ price × quantity) and fees of some trades, exact. With
 * power-of-ten steps (every usual symbol) this is BigInt arithmetic on
 * ticks × lots; other steps go through bignumber.js.
 */
export function tradeAmounts (trades: readonly Trade[], spec: SymbolSpec, engine: MatchingEngine): { value: string, makerFee: string, takerFee: string } {
  if (trades.length === 0) return NOTHING_TRADED
  const { tick, lot } = spec
  if (tick.places >= 0 && lot.places >= 0) {
    let units = 0n
    for (const trade of trades) units += BigInt(trade.priceTicks) * BigInt(trade.quantityLots)
    const places = tick.places + lot.places
    const maker = engine.makerFeeScaled
    const taker = engine.takerFeeScaled
    return {
      value: formatScaled(units, places),
      makerFee: formatScaled(units * maker.units, places + maker.places),
      takerFee: formatScaled(units * taker.units, places + taker.places)
    }
  }
  let value = decimal(0)
  for (const trade of trades) value = value.plus(product(trade.priceTicks, tick, trade.quantityLots, lot))
  return { value: value.toFixed(), makerFee: value.times(engine.makerFeeRate).toFixed(), takerFee: value.times(engine.takerFeeRate).toFixed() }
}

export type TradeView = ReturnType<typeof tradeView>

export function bboView (book: OrderBook, now: number) {
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

export type BboView = ReturnType<typeof bboView>

/** Levels best first as [price, quantity] strings. */
export function depthView (book: OrderBook, levels: number) {
  const { tick, lot } = book.spec
  const side = (which: typeof book.bids): Array<[string, string]> => {
    const out: Array<[string, string]> = []
    for (const level of which.bestFirst(levels)) out.push([tick.format(level.priceTicks), lot.format(level.totalLots)])
    return out
  }
  return { bids: side(book.bids), asks: side(book.asks) }
}

export function symbolStatsView (book: OrderBook) {
  const { stats, spec } = book
  return {
    symbol: book.symbol,
    total_orders: stats.totalOrders,
    total_trades: stats.totalTrades,
    total_volume: volumeText(stats.volumeLots.total, spec),
    last_trade_price: stats.lastTradePriceTicks === null ? null : spec.tick.format(stats.lastTradePriceTicks),
    last_trade_time: stats.lastTradeTime === null ? null : toSeconds(stats.lastTradeTime),
    active_orders: book.open.size,
    bid_levels: book.bids.levelCount,
    ask_levels: book.asks.levelCount
  }
}

/** A BigInt count of lots as a decimal quantity. */
export function volumeText (lots: bigint, spec: SymbolSpec): string {
  return spec.lot.value.times(decimal(lots.toString())).toFixed()
}

function formatSignedTicks (ticks: number, spec: SymbolSpec): string {
  return ticks < 0 ? '-' + spec.tick.format(-ticks) : spec.tick.format(ticks)
}
