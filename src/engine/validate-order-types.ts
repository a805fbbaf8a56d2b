/**
 * Issue 12's order inputs: time in force, post-only, stops, icebergs, GTD
 * and quote-sized market orders. validateOrder comes here only when one of
 * them is given (or the type is a stop), so the seed's four types keep their
 * fast path; what comes out carries each new field only when it differs from
 * its default, so an order that gives only defaults looks like a seed order.
 *
 * The checks, in this order (the first that fails answers):
 *  1. time_in_force: a known value (exact lowercase), one the type takes      INVALID_TIME_IN_FORCE
 *  2. expire_time: required with gtd, refused without; a positive safe integer (epoch ms)  INVALID_EXPIRE_TIME
 *  3. post_only: a boolean (VALIDATION_ERROR); true only on limit/stop_limit with gtc/gtd  POST_ONLY_NOT_ALLOWED
 *  4. stop_price: required on the stop types, refused on the others          INVALID_STOP_PRICE
 *  5. display_quantity: only on limit/stop_limit with gtc/gtd                 INVALID_DISPLAY_QUANTITY
 *  6. quote_quantity: only on market, and not with quantity                   INVALID_QUOTE_QUANTITY
 *  7. quantity (required unless quote-sized), or the quote amount's value (see quoteUnitsOf)
 *  8. price: refused on market/stop_market, required and on the tick on the others; MIN_NOTIONAL on price × quantity
 *  9. stop_price's value: positive, on the tick                              INVALID_STOP_PRICE
 * 10. display_quantity's value: on the lot, at least the min quantity, at most the quantity  INVALID_DISPLAY_QUANTITY
 * (A stop_market order has no price, so, like a market order, no MIN_NOTIONAL check.)
 */
import { ResultCode, accept, reject, type Rejection, type Result } from './codes.js'
import { OrderType, TimeInForce, defaultTimeInForce, restsWhenShort, type Side, type StpMode } from './order.js'
import type { SymbolSpec } from './symbols.js'
import type { OrderFields } from './commands.js'
import type { NewOrderInput } from './validate.js'
import { invalid, lotsOf, minNotionalCheck, quoteUnitsOf, ticksOf } from './validate-filters.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** The time in force values each order type takes (contract: "Time in force"). */
export const TIME_IN_FORCE_BY_TYPE: Readonly<Record<OrderType, readonly TimeInForce[]>> = {
  limit: [TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.GTD],
  ioc: [TimeInForce.IOC],
  fok: [TimeInForce.FOK],
  market: [TimeInForce.IOC],
  stop_limit: [TimeInForce.GTC, TimeInForce.GTD, TimeInForce.IOC, TimeInForce.FOK],
  stop_market: [TimeInForce.GTC, TimeInForce.GTD]
}

/** The time in force given, as the exact lowercase value: null when it is none. */
export function timeInForceOf (value: unknown): TimeInForce | null {
  return value === TimeInForce.GTC || value === TimeInForce.IOC || value === TimeInForce.FOK || value === TimeInForce.GTD ? value : null
}

export const unknownTimeInForce = (value: unknown) =>
  reject(ResultCode.INVALID_TIME_IN_FORCE, `time_in_force ${String(value)} is not one of gtc, ioc, fok, gtd`)

/**
 * expire_time against the time in force: required with gtd, refused
 * without, a positive safe integer of epoch milliseconds (the engine checks
 * it is after the command's time). The refusal, or null.
 */
export function expireTimeRule (timeInForce: TimeInForce, expireTime: unknown): Rejection | null {
  if (timeInForce !== TimeInForce.GTD) {
    return expireTime === undefined || expireTime === null ? null : reject(ResultCode.INVALID_EXPIRE_TIME, 'expire_time is only allowed with time_in_force gtd')
  }
  if (expireTime === undefined || expireTime === null) return reject(ResultCode.INVALID_EXPIRE_TIME, 'expire_time is required with time_in_force gtd')
  return Number.isSafeInteger(expireTime) && (expireTime as number) > 0
    ? null
    : reject(ResultCode.INVALID_EXPIRE_TIME, 'expire_time must be a positive integer of epoch milliseconds')
}

const given = (value: unknown) => value !== undefined && value !== null

/** validateOrder's path for an order with any of issue 12's fields (side, type, client id and stp already checked). */
export function validateOrderTypes (input: NewOrderInput, spec: SymbolSpec, side: Side, orderType: OrderType,
  clientOrderId: string | null, accountId: string, stp: StpMode): Result<OrderFields> {
  const limitLike = orderType === OrderType.LIMIT || orderType === OrderType.STOP_LIMIT
  const isStop = orderType === OrderType.STOP_LIMIT || orderType === OrderType.STOP_MARKET

  let timeInForce = defaultTimeInForce(orderType)
  if (given(input.timeInForce)) {
    const value = timeInForceOf(input.timeInForce)
    if (value === null) return unknownTimeInForce(input.timeInForce)
    const allowed = TIME_IN_FORCE_BY_TYPE[orderType]
    if (!allowed.includes(value)) {
      return reject(ResultCode.INVALID_TIME_IN_FORCE, `time_in_force ${value} is not allowed for a ${orderType} order: it takes ${allowed.join(', ')}`)
    }
    timeInForce = value
  }
  const expireRefusal = expireTimeRule(timeInForce, input.expireTime)
  if (expireRefusal !== null) return expireRefusal

  const postOnly = input.postOnly
  if (given(postOnly) && typeof postOnly !== 'boolean') return invalid('post_only must be a boolean')
  if (postOnly === true && !(limitLike && restsWhenShort(timeInForce))) {
    return reject(ResultCode.POST_ONLY_NOT_ALLOWED, 'post_only is only allowed on limit and stop_limit orders with time_in_force gtc or gtd')
  }
  const hasStopPrice = given(input.stopPrice)
  if (isStop && !hasStopPrice) return reject(ResultCode.INVALID_STOP_PRICE, `stop_price is required for a ${orderType} order`)
  if (!isStop && hasStopPrice) return reject(ResultCode.INVALID_STOP_PRICE, 'stop_price is only allowed on stop_limit and stop_market orders')
  const hasDisplay = given(input.displayQuantity)
  if (hasDisplay && !(limitLike && restsWhenShort(timeInForce))) {
    return reject(ResultCode.INVALID_DISPLAY_QUANTITY, 'display_quantity is only allowed on limit and stop_limit orders with time_in_force gtc or gtd')
  }
  const hasQuote = given(input.quoteQuantity)
  const hasQuantity = given(input.quantity)
  if (hasQuote && orderType !== OrderType.MARKET) return reject(ResultCode.INVALID_QUOTE_QUANTITY, 'quote_quantity is only allowed on market orders')
  if (hasQuote && hasQuantity) return reject(ResultCode.INVALID_QUOTE_QUANTITY, 'quote_quantity and quantity must not both be given')

  let quantityLots: number
  let quoteUnits = 0
  if (hasQuote) {
    const units = quoteUnitsOf(input.quoteQuantity, spec)
    if (typeof units !== 'number') return units
    quoteUnits = units
    // A bound, not a wish: the budget decides how much it buys or sells.
    quantityLots = spec.maxLots
  } else {
    if (!hasQuantity) return invalid('quantity is required')
    const lots = lotsOf(input.quantity, spec, 'quantity', ResultCode.VALIDATION_ERROR)
    if (typeof lots !== 'number') return lots
    quantityLots = lots
  }

  let priceTicks: number | null = null
  const hasPrice = given(input.price)
  if (orderType === OrderType.MARKET || orderType === OrderType.STOP_MARKET) {
    if (hasPrice) return invalid(`price must not be given for a ${orderType} order`)
  } else {
    if (!hasPrice) return invalid(`price is required for a ${orderType} order`)
    const ticks = ticksOf(input.price, spec, 'price', ResultCode.VALIDATION_ERROR)
    if (typeof ticks !== 'number') return ticks
    const notional = minNotionalCheck(ticks, quantityLots, spec)
    if (notional !== null) return notional
    priceTicks = ticks
  }

  let stopPriceTicks = 0
  if (isStop) {
    const ticks = ticksOf(input.stopPrice, spec, 'stop_price', ResultCode.INVALID_STOP_PRICE)
    if (typeof ticks !== 'number') return ticks
    stopPriceTicks = ticks
  }
  let displayLots = 0
  if (hasDisplay) {
    const lots = lotsOf(input.displayQuantity, spec, 'display_quantity', ResultCode.INVALID_DISPLAY_QUANTITY)
    if (typeof lots !== 'number') return lots
    if (lots > quantityLots) return reject(ResultCode.INVALID_DISPLAY_QUANTITY, 'display_quantity must be at most the quantity')
    displayLots = lots
  }

  const fields: Mutable<OrderFields> = { symbol: spec.symbol, side, orderType, priceTicks, quantityLots, clientOrderId, accountId, stp }
  if (timeInForce !== defaultTimeInForce(orderType)) fields.timeInForce = timeInForce
  if (postOnly === true) fields.postOnly = true
  if (isStop) fields.stopPriceTicks = stopPriceTicks
  if (hasDisplay) fields.displayLots = displayLots
  if (timeInForce === TimeInForce.GTD) fields.expireAt = input.expireTime as number
  if (hasQuote) fields.quoteUnits = quoteUnits
  return accept(fields)
}
