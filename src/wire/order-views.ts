/**
 * Orders and trades as the wire shows them: integer units back to exact
 * decimal strings, in the field names every client of the seed knows, typed
 * from schemas/ so the schema, the serializer and these builders cannot drift.
 * Used by REST and the WebSocket gateway alike.
 */
import type { Static } from '@sinclair/typebox'
import { decimal, formatScaled, product, type Order, type OrderSnapshot, type ScaledDecimal, type Side, type SymbolSpec, type Trade } from '../engine/index.js'
import type { OrderStatusResponse, TradeView } from '../../schemas/order.js'
import type { FillView } from '../../schemas/private.js'
import { toSeconds } from './time.js'
import { BigNumber } from '../engine/decimal.js'

export type OrderView = Static<typeof OrderStatusResponse>
export type TradeViewShape = Static<typeof TradeView>

/** The fee rates trade amounts are computed with, exact both as decimals and as scaled integers. */
export interface FeeRates {
  readonly makerFeeRate: BigNumber
  readonly takerFeeRate: BigNumber
  readonly makerFeeScaled: ScaledDecimal
  readonly takerFeeScaled: ScaledDecimal
}

export function orderView (order: Order | OrderSnapshot, spec: SymbolSpec): OrderView {
  const filledLots = order.filledLots
  return {
    order_id: order.id,
    client_order_id: order.clientOrderId,
    account_id: order.accountId,
    symbol: order.symbol,
    side: order.side,
    order_type: order.type,
    stp: order.stp,
    status: order.status,
    cancel_reason: order.cancelReason,
    price: order.priceTicks === null ? null : spec.tick.format(order.priceTicks),
    quantity: spec.lot.format(order.quantityLots),
    filled_quantity: spec.lot.format(filledLots),
    remaining_quantity: spec.lot.format(order.quantityLots - filledLots),
    timestamp: toSeconds(order.timestamp),
    time_in_force: order.timeInForce,
    post_only: order.postOnly,
    stop_price: order.stopPriceTicks === null ? null : spec.tick.format(order.stopPriceTicks),
    display_quantity: order.displayLots === 0 ? null : spec.lot.format(order.displayLots),
    expire_time: order.expireAt === null ? null : toSeconds(order.expireAt),
    quote_quantity: order.quoteUnits === null ? null : quoteText(order.quoteUnits, spec),
    list_id: order.listSeq === 0 ? null : String(order.listSeq)
  }
}

/** A quote amount held in (tick × lot) units as an exact decimal: tick.places + lot.places decimals when both steps are powers of ten. */
export function quoteText (units: number, spec: SymbolSpec): string {
  const { tick, lot } = spec
  if (tick.places >= 0 && lot.places >= 0) return formatScaled(BigInt(units), tick.places + lot.places)
  return product(units, tick, 1, lot).toFixed()
}

export function tradeView (trade: Trade, spec: SymbolSpec, fees: FeeRates): TradeViewShape {
  const amounts = tradeAmounts([trade], spec, fees)
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

/** The public tape carries no order ids: who traded with whom is not market data. */
export function publicTradeView (trade: Trade, spec: SymbolSpec, fees: FeeRates): Omit<TradeViewShape, 'maker_order_id' | 'taker_order_id'> {
  const { maker_order_id: _maker, taker_order_id: _taker, ...rest } = tradeView(trade, spec, fees)
  return rest
}

export interface TradeAmounts { readonly value: string, readonly makerFee: string, readonly takerFee: string }

/** Most orders trade nothing; their totals need no arithmetic at all. */
const NOTHING_TRADED: TradeAmounts = Object.freeze({ value: '0', makerFee: '0', takerFee: '0' })

/**
 * Value (Σ price × quantity) and fees of some trades, exact. With
 * power-of-ten steps (every usual symbol) this is BigInt arithmetic on
 * ticks × lots; other steps go through bignumber.js.
 */
export function tradeAmounts (trades: readonly Trade[], spec: SymbolSpec, fees: FeeRates): TradeAmounts {
  if (trades.length === 0) return NOTHING_TRADED
  const { tick, lot } = spec
  if (tick.places >= 0 && lot.places >= 0) return scaledAmounts(valueUnits(trades), tick.places + lot.places, fees)
  let value = decimal(0)
  for (const trade of trades) value = value.plus(product(trade.priceTicks, tick, trade.quantityLots, lot))
  return { value: value.toFixed(), makerFee: value.times(fees.makerFeeRate).toFixed(), takerFee: value.times(fees.takerFeeRate).toFixed() }
}

/** Σ price × quantity of some trades in tick × lot units (power-of-ten steps). */
function valueUnits (trades: readonly Trade[]): bigint {
  let units = 0n
  for (const trade of trades) units += BigInt(trade.priceTicks) * BigInt(trade.quantityLots)
  return units
}

/** Value and fees of `units` × 10^-places, exact. */
function scaledAmounts (units: bigint, places: number, fees: FeeRates): TradeAmounts {
  const maker = fees.makerFeeScaled
  const taker = fees.takerFeeScaled
  return {
    value: formatScaled(units, places),
    makerFee: formatScaled(units * maker.units, places + maker.places),
    takerFee: formatScaled(units * taker.units, places + taker.places)
  }
}

/** A summary of some trades of one order: what response_type result answers instead of the list. */
export interface TradeSummary {
  readonly quantity: string
  readonly value: string
  /** value ÷ quantity cut toward zero at AVERAGE_PRICE_EXTRA_PLACES past the price step; null when nothing traded. */
  readonly averagePrice: string | null
  readonly makerFee: string
  readonly takerFee: string
}

/** Decimals an average price carries past the tick's own: a quotient rarely ends, and 8 more is finer than any fee. */
export const AVERAGE_PRICE_EXTRA_PLACES = 8

export function tradeSummary (trades: readonly Trade[], spec: SymbolSpec, fees: FeeRates): TradeSummary {
  if (trades.length === 0) return { quantity: '0', value: '0', averagePrice: null, makerFee: '0', takerFee: '0' }
  let lots = 0
  for (const trade of trades) lots += trade.quantityLots
  const { tick, lot } = spec
  let amounts: TradeAmounts
  let averagePrice: string
  if (tick.places >= 0 && lot.places >= 0) {
    const units = valueUnits(trades)
    amounts = scaledAmounts(units, tick.places + lot.places, fees)
    // units are tick × lot; ÷ lots leaves ticks, scaled by 10^extra before the integer (toward zero) division.
    averagePrice = formatScaled(units * 10n ** BigInt(AVERAGE_PRICE_EXTRA_PLACES) / BigInt(lots), tick.places + AVERAGE_PRICE_EXTRA_PLACES)
  } else {
    amounts = tradeAmounts(trades, spec, fees)
    const places = (tick.value.decimalPlaces() as number) + AVERAGE_PRICE_EXTRA_PLACES
    averagePrice = decimal(amounts.value).div(lot.value.times(lots)).decimalPlaces(places, BigNumber.ROUND_DOWN).toFixed()
  }
  return { quantity: lot.format(lots), value: amounts.value, averagePrice, makerFee: amounts.makerFee, takerFee: amounts.takerFee }
}

export type FillViewShape = Static<typeof FillView>

/** One account's side of a trade: its order, its side, its role and the fee of that role. Private: only that account sees it. */
export function fillView (trade: Trade, role: 'maker' | 'taker', spec: SymbolSpec, fees: FeeRates): FillViewShape {
  const amounts = tradeAmounts([trade], spec, fees)
  const taker = role === 'taker'
  return {
    trade_id: trade.tradeId,
    order_id: taker ? trade.takerOrderId : trade.makerOrderId,
    client_order_id: taker ? trade.takerClientOrderId : trade.makerClientOrderId,
    symbol: trade.symbol,
    side: taker ? trade.aggressorSide : oppositeSide(trade.aggressorSide),
    role,
    price: spec.tick.format(trade.priceTicks),
    quantity: spec.lot.format(trade.quantityLots),
    trade_value: amounts.value,
    fee: taker ? amounts.takerFee : amounts.makerFee,
    timestamp: toSeconds(trade.timestamp)
  }
}

function oppositeSide (side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy'
}
