/**
 * Turns untrusted order input into integer fields, or a rejection that names
 * the field and the filter. Nothing is ever rounded: a price off the tick or a
 * quantity off the lot is an error, because silently changing an order is
 * worse than refusing it.
 *
 * Two paths give the same answers: symbols whose tick and lot are powers of
 * ten (the usual case) read decimals with DecimalReader, on the characters
 * and in safe integers; any other step goes through bignumber.js. The exact
 * lowercase spellings of side and order type are compared directly; anything
 * else is case-folded (ASCII only) as before.
 *
 * An order that gives any of issue 12's fields (time in force, post-only,
 * stop price, display or quote quantity, expire time) or is a stop goes to
 * validate-order-types.ts instead, so the seed's plain orders pay one test
 * per field for them. The shared filters and messages are in
 * validate-filters.ts; OCO lists and amends in validate-oco-amend.ts.
 */
import { accept, type Result } from './codes.js'
import { parseDecimal } from './decimal.js'
import { DecimalReader } from './decimal-reader.js'
import { asciiLower } from './identifiers.js'
import { ANONYMOUS, ORDER_TYPES, OrderType, type Side, type StpMode } from './order.js'
import type { SymbolSpec } from './symbols.js'
import type { NewOcoCommand, OrderFields } from './commands.js'
import {
  CLIENT_ORDER_ID_RULE, MAX_SAFE, SIDE_LIST, STP_LIST, invalid, isClientOrderId, lotSizeRefusal, maxQuantityRefusal, minNotionalRefusal,
  minQuantityRefusal, priceFilterRefusal, sideOf, stpOf
} from './validate-filters.js'
import { validateOrderTypes } from './validate-order-types.js'

export { CLIENT_ORDER_ID, minNotionalCheck } from './validate-filters.js'
export { validateAmend, validateOco } from './validate-oco-amend.js'

export interface NewOrderInput {
  readonly symbol: string
  readonly side: string
  readonly orderType: string
  /** Absent only on a quote-sized market order (quoteQuantity). */
  readonly quantity?: string | number | null
  readonly price?: string | number | null
  /** gtc | ioc | fok | gtd; by default from the order type. */
  readonly timeInForce?: string | null
  readonly postOnly?: boolean | null
  /** Stop types only. */
  readonly stopPrice?: string | number | null
  /** Iceberg: the slice to show. */
  readonly displayQuantity?: string | number | null
  /** GTD only: epoch milliseconds. */
  readonly expireTime?: number | null
  /** Market orders only, instead of quantity: how much quote currency to spend (buy) or receive (sell). */
  readonly quoteQuantity?: string | number | null
  readonly clientOrderId?: string | null
  /** The account placing it (the anonymous one when not given). */
  readonly accountId?: string
  /** Self-trade prevention mode; none when not given. */
  readonly stp?: string
}

/** An OCO list: a limit leg at price and a stop leg at stopPrice (stop_limit at stopLimitPrice, else stop_market), one side, one quantity. */
export interface OcoInput {
  readonly symbol: string
  readonly side: string
  readonly quantity: string | number
  readonly price: string | number
  readonly stopPrice: string | number
  readonly stopLimitPrice?: string | number | null
  /** gtc (default) or gtd, for both legs. */
  readonly timeInForce?: string | null
  readonly expireTime?: number | null
  readonly limitClientOrderId?: string | null
  readonly stopClientOrderId?: string | null
  readonly accountId?: string
  readonly stp?: string
}

/** Which open order to change and how: at least one of the three new values. */
export interface AmendInput {
  readonly symbol: string
  readonly orderId?: string | null
  readonly clientOrderId?: string | null
  readonly accountId?: string
  /** The new total quantity, filled part included. */
  readonly newQuantity?: string | number | null
  readonly newPrice?: string | number | null
  readonly newStopPrice?: string | number | null
}

/** An amend's new values in integer units; null: unchanged. */
export interface AmendFields {
  readonly quantityLots: number | null
  readonly priceTicks: number | null
  readonly stopPriceTicks: number | null
}

/** A validated OCO list before the engine stamps it. */
export type OcoFields = Omit<NewOcoCommand, 'kind' | 'seq' | 'orderId' | 'timestamp' | 'maxFills'>

const ORDER_TYPE_LIST = ORDER_TYPES.join(', ')

/** One reader for every call: validation is synchronous, so the hot path allocates nothing to read a decimal. */
const reader = new DecimalReader()

export function validateOrder (input: NewOrderInput, spec: SymbolSpec): Result<OrderFields> {
  const side = sideOf(input.side)
  if (side === null) return invalid(`side must be one of ${SIDE_LIST}`)
  const orderType = orderTypeOf(input.orderType)
  if (orderType === null) return invalid(`order_type must be one of ${ORDER_TYPE_LIST}`)

  const clientOrderId = input.clientOrderId ?? null
  if (clientOrderId !== null && !isClientOrderId(clientOrderId)) return invalid(`client_order_id ${CLIENT_ORDER_ID_RULE}`)

  const stp = stpOf(input.stp)
  if (stp === null) return invalid(`stp must be one of ${STP_LIST}`)
  const accountId = input.accountId ?? ANONYMOUS
  // Issue 12's fields: one test each, so that the seed's orders keep the fast path below.
  if (input.timeInForce !== undefined || input.postOnly !== undefined || input.stopPrice !== undefined || input.displayQuantity !== undefined ||
    input.expireTime !== undefined || input.quoteQuantity !== undefined || orderType === OrderType.STOP_LIMIT || orderType === OrderType.STOP_MARKET) {
    return validateOrderTypes(input, spec, side, orderType, clientOrderId, accountId, stp)
  }
  if (spec.lot.places < 0 || spec.tick.places < 0) return withBigNumbers(input, spec, side, orderType, clientOrderId, accountId, stp)

  const quantityRefusal = reader.read(input.quantity)
  if (quantityRefusal !== null) return quantityMissing(input) ?? invalid(`quantity ${quantityRefusal}`)
  const quantityLots = reader.units(spec.lot.places)
  // -1: off the lot or past 2^53 − 1 lots; MAX_QUANTITY is checked first, as with bignumber.js.
  if (quantityLots > spec.maxLots || (quantityLots < 0 && reader.exceeds(spec.lot.places, spec.maxLots))) return maxQuantityRefusal(spec)
  if (quantityLots < 0) return lotSizeRefusal(reader.toFixed(), spec)
  if (quantityLots < spec.minLots) return minQuantityRefusal(spec)

  const priced = priceRule(input, orderType)
  if (priced !== null) return priced.ok ? accept({ symbol: spec.symbol, side, orderType, priceTicks: null, quantityLots, clientOrderId, accountId, stp }) : priced
  const priceRefusal = reader.read(input.price)
  if (priceRefusal !== null) return invalid(`price ${priceRefusal}`)
  const priceTicks = reader.units(spec.tick.places)
  if (priceTicks < 0) {
    if (reader.exceeds(spec.tick.places, MAX_SAFE)) return invalid('price is out of range')
    return priceFilterRefusal(reader.toFixed(), spec)
  }
  // Both are safe integers: a product under 2^53 is exact as a double, a larger one needs BigInt.
  const notional = priceTicks * quantityLots
  if (notional <= MAX_SAFE ? notional < spec.minNotionalSafeUnits : BigInt(priceTicks) * BigInt(quantityLots) < spec.minNotionalUnits) {
    return minNotionalRefusal(spec)
  }
  return accept({ symbol: spec.symbol, side, orderType, priceTicks, quantityLots, clientOrderId, accountId, stp })
}

/** The decimal checks for a tick or lot that is not a power of ten: exact division in bignumber.js. */
function withBigNumbers (input: NewOrderInput, spec: SymbolSpec, side: Side, orderType: OrderType,
  clientOrderId: string | null, accountId: string, stp: StpMode): Result<OrderFields> {
  const quantity = parseDecimal(input.quantity)
  if (!quantity.ok) return quantityMissing(input) ?? invalid(`quantity ${quantity.reason}`)
  if (quantity.value.gt(spec.maxQuantity)) return maxQuantityRefusal(spec)
  const quantityLots = spec.lot.toUnits(quantity.value)
  if (quantityLots === null) return lotSizeRefusal(quantity.value.toFixed(), spec)
  if (quantityLots < spec.minLots) return minQuantityRefusal(spec)

  const priced = priceRule(input, orderType)
  if (priced !== null) return priced.ok ? accept({ symbol: spec.symbol, side, orderType, priceTicks: null, quantityLots, clientOrderId, accountId, stp }) : priced
  const price = parseDecimal(input.price)
  if (!price.ok) return invalid(`price ${price.reason}`)
  if (spec.tick.exceedsRange(price.value)) return invalid('price is out of range')
  const priceTicks = spec.tick.toUnits(price.value)
  if (priceTicks === null) return priceFilterRefusal(price.value.toFixed(), spec)
  if (BigInt(priceTicks) * BigInt(quantityLots) < spec.minNotionalUnits) return minNotionalRefusal(spec)
  return accept({ symbol: spec.symbol, side, orderType, priceTicks, quantityLots, clientOrderId, accountId, stp })
}

function orderTypeOf (value: string): OrderType | null {
  if (value === OrderType.LIMIT || value === OrderType.MARKET || value === OrderType.IOC || value === OrderType.FOK ||
    value === OrderType.STOP_LIMIT || value === OrderType.STOP_MARKET) return value
  const orderType = asciiLower(String(value)) as OrderType
  return ORDER_TYPES.includes(orderType) ? orderType : null
}

/** The refusal of an order without a quantity (read only once the quantity failed to read). */
function quantityMissing (input: NewOrderInput) {
  return input.quantity === undefined || input.quantity === null ? invalid('quantity is required') : null
}

/**
 * A market order must come without a price and any other with one: the
 * refusal when the rule is broken, an Accepted for a market order (it is
 * complete without a price), null when the price is there to be read.
 */
function priceRule (input: NewOrderInput, orderType: OrderType): Result<null> | null {
  const hasPrice = input.price !== undefined && input.price !== null
  if (orderType === OrderType.MARKET) return hasPrice ? invalid('price must not be given for a market order') : MARKET_OK
  return hasPrice ? null : invalid(`price is required for a ${orderType} order`)
}

const MARKET_OK = accept(null)
