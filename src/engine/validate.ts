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
 */
import { ResultCode, accept, reject, type Result } from './codes.js'
import { parseDecimal } from './decimal.js'
import { DecimalReader } from './decimal-reader.js'
import { asciiLower } from './identifiers.js'
import { ANONYMOUS, ORDER_TYPES, OrderType, SIDES, STP_MODES, Side, StpMode } from './order.js'
import type { SymbolSpec } from './symbols.js'
import type { OrderFields } from './commands.js'

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
export type OcoFields = Omit<import('./commands.js').NewOcoCommand, 'kind' | 'seq' | 'orderId' | 'timestamp' | 'maxFills'>

/** Checks an OCO list's input against the symbol's filters (both legs). */
export function validateOco (input: OcoInput, spec: SymbolSpec): Result<OcoFields> {
  throw new Error(`validateOco: not implemented (${input.symbol} ${spec.symbol})`)
}

/** Checks an amend's new values against the symbol's filters; what only the order's state can judge is the engine's. */
export function validateAmend (input: AmendInput, spec: SymbolSpec): Result<AmendFields> {
  throw new Error(`validateAmend: not implemented (${input.symbol} ${spec.symbol})`)
}

export const CLIENT_ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/
const MAX_CLIENT_ORDER_ID = 64
const MAX_SAFE = Number.MAX_SAFE_INTEGER

const invalid = (message: string) => reject(ResultCode.VALIDATION_ERROR, message)

const SIDE_LIST = SIDES.join(', ')
const ORDER_TYPE_LIST = ORDER_TYPES.join(', ')
const STP_LIST = STP_MODES.join(', ')

/** The messages of the filters that name a value or a symbol's setting. */
const maxQuantityRefusal = (spec: SymbolSpec) => invalid(`quantity fails the MAX_QUANTITY filter: it must be at most ${spec.maxQuantity.toFixed()}`)
const lotSizeRefusal = (quantity: string, spec: SymbolSpec) =>
  invalid(`quantity ${quantity} fails the LOT_SIZE filter: it must be a multiple of ${spec.lot.text}`)
const minQuantityRefusal = (spec: SymbolSpec) => invalid(`quantity fails the MIN_QUANTITY filter: it must be at least ${spec.minQuantity.toFixed()}`)
const priceFilterRefusal = (price: string, spec: SymbolSpec) =>
  invalid(`price ${price} fails the PRICE_FILTER: it must be a multiple of the tick size ${spec.tick.text}`)
const minNotionalRefusal = (spec: SymbolSpec) =>
  invalid(`price × quantity fails the MIN_NOTIONAL filter: it must be at least ${spec.minNotional.toFixed()}`)

/** One reader for every call: validation is synchronous, so the hot path allocates nothing to read a decimal. */
const reader = new DecimalReader()

export function validateOrder (input: NewOrderInput, spec: SymbolSpec): Result<OrderFields> {
  const side = sideOf(input.side)
  if (side === null) return invalid(`side must be one of ${SIDE_LIST}`)
  const orderType = orderTypeOf(input.orderType)
  if (orderType === null) return invalid(`order_type must be one of ${ORDER_TYPE_LIST}`)

  const clientOrderId = input.clientOrderId ?? null
  if (clientOrderId !== null && !isClientOrderId(clientOrderId)) {
    return invalid('client_order_id must be 1 to 64 characters of A-Z a-z 0-9 . _ : -')
  }

  const stp = input.stp ?? StpMode.NONE
  if (stp !== StpMode.NONE && stp !== StpMode.CANCEL_MAKER && stp !== StpMode.CANCEL_TAKER && stp !== StpMode.CANCEL_BOTH) {
    return invalid(`stp must be one of ${STP_LIST}`)
  }
  const accountId = input.accountId ?? ANONYMOUS
  if (spec.lot.places < 0 || spec.tick.places < 0) return withBigNumbers(input, spec, side, orderType, clientOrderId, accountId, stp)

  const quantityRefusal = reader.read(input.quantity)
  if (quantityRefusal !== null) return invalid(`quantity ${quantityRefusal}`)
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
  if (!quantity.ok) return invalid(`quantity ${quantity.reason}`)
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

function sideOf (value: string): Side | null {
  if (value === Side.BUY || value === Side.SELL) return value
  const side = asciiLower(String(value)) as Side
  return SIDES.includes(side) ? side : null
}

function orderTypeOf (value: string): OrderType | null {
  if (value === OrderType.LIMIT || value === OrderType.MARKET || value === OrderType.IOC || value === OrderType.FOK) return value
  const orderType = asciiLower(String(value)) as OrderType
  return ORDER_TYPES.includes(orderType) ? orderType : null
}

/** CLIENT_ORDER_ID on the characters of a string; anything else is tested (and stringified) by the regex as before. */
function isClientOrderId (value: string): boolean {
  if (typeof value !== 'string') return CLIENT_ORDER_ID.test(value)
  const length = value.length
  if (length === 0 || length > MAX_CLIENT_ORDER_ID) return false
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i)
    // A-Z a-z 0-9 . _ : -
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 58) || c === 46 || c === 95 || c === 45)) return false
  }
  return true
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
