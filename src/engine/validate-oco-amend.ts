/**
 * The symbol-filter checks of an OCO list and of an amend: what the input
 * alone can judge. What needs the book or the order (expire time against
 * the command's time, STOP_WOULD_TRIGGER, the order's state, an amend's
 * MIN_NOTIONAL on the order's other value) is the engine's.
 *
 * An OCO list, in this order: side, the two client order ids (the rule of
 * client_order_id; both given and equal: DUPLICATE_CLIENT_ORDER_ID), stp,
 * time_in_force (gtc by default, or gtd: INVALID_TIME_IN_FORCE), expire_time
 * (as an order's), quantity (as an order's), price (the limit leg's, on the
 * tick, then MIN_NOTIONAL on price × quantity), stop_price (required, on the
 * tick: INVALID_STOP_PRICE), stop_limit_price (optional, on the tick).
 *
 * An amend: at least one new value (INVALID_AMEND), then new_quantity (as an
 * order's quantity), new_price (as an order's price), new_stop_price (as an
 * order's stop_price: INVALID_STOP_PRICE).
 */
import { ResultCode, accept, reject, type Result } from './codes.js'
import { ANONYMOUS, TimeInForce } from './order.js'
import type { SymbolSpec } from './symbols.js'
import type { AmendFields, AmendInput, OcoFields, OcoInput } from './validate.js'
import {
  CLIENT_ORDER_ID_RULE, SIDE_LIST, STP_LIST, invalid, isClientOrderId, lotsOf, minNotionalCheck, sideOf, stpOf, ticksOf
} from './validate-filters.js'
import { expireTimeRule, timeInForceOf, unknownTimeInForce } from './validate-order-types.js'

const given = (value: unknown) => value !== undefined && value !== null

/** Checks an OCO list's input against the symbol's filters (both legs). */
export function validateOco (input: OcoInput, spec: SymbolSpec): Result<OcoFields> {
  const side = sideOf(input.side)
  if (side === null) return invalid(`side must be one of ${SIDE_LIST}`)
  const limitClientOrderId = input.limitClientOrderId ?? null
  if (limitClientOrderId !== null && !isClientOrderId(limitClientOrderId)) return invalid(`limit_client_order_id ${CLIENT_ORDER_ID_RULE}`)
  const stopClientOrderId = input.stopClientOrderId ?? null
  if (stopClientOrderId !== null && !isClientOrderId(stopClientOrderId)) return invalid(`stop_client_order_id ${CLIENT_ORDER_ID_RULE}`)
  if (limitClientOrderId !== null && limitClientOrderId === stopClientOrderId) {
    return reject(ResultCode.DUPLICATE_CLIENT_ORDER_ID, 'limit_client_order_id and stop_client_order_id must differ')
  }
  const stp = stpOf(input.stp)
  if (stp === null) return invalid(`stp must be one of ${STP_LIST}`)

  let timeInForce: 'gtc' | 'gtd' = TimeInForce.GTC
  if (given(input.timeInForce)) {
    const value = timeInForceOf(input.timeInForce)
    if (value === null) return unknownTimeInForce(input.timeInForce)
    if (value !== TimeInForce.GTC && value !== TimeInForce.GTD) {
      return reject(ResultCode.INVALID_TIME_IN_FORCE, `time_in_force ${value} is not allowed for an OCO list: it takes gtc, gtd`)
    }
    timeInForce = value
  }
  const expireRefusal = expireTimeRule(timeInForce, input.expireTime)
  if (expireRefusal !== null) return expireRefusal

  if (!given(input.quantity)) return invalid('quantity is required')
  const quantityLots = lotsOf(input.quantity, spec, 'quantity', ResultCode.VALIDATION_ERROR)
  if (typeof quantityLots !== 'number') return quantityLots
  if (!given(input.price)) return invalid('price is required for an OCO list')
  const priceTicks = ticksOf(input.price, spec, 'price', ResultCode.VALIDATION_ERROR)
  if (typeof priceTicks !== 'number') return priceTicks
  const notional = minNotionalCheck(priceTicks, quantityLots, spec)
  if (notional !== null) return notional
  if (!given(input.stopPrice)) return reject(ResultCode.INVALID_STOP_PRICE, 'stop_price is required for an OCO list')
  const stopPriceTicks = ticksOf(input.stopPrice, spec, 'stop_price', ResultCode.INVALID_STOP_PRICE)
  if (typeof stopPriceTicks !== 'number') return stopPriceTicks
  let stopLimitPriceTicks: number | null = null
  if (given(input.stopLimitPrice)) {
    const ticks = ticksOf(input.stopLimitPrice, spec, 'stop_limit_price', ResultCode.VALIDATION_ERROR)
    if (typeof ticks !== 'number') return ticks
    stopLimitPriceTicks = ticks
  }
  return accept({
    symbol: spec.symbol,
    side,
    quantityLots,
    priceTicks,
    stopPriceTicks,
    stopLimitPriceTicks,
    limitClientOrderId,
    stopClientOrderId,
    timeInForce,
    expireAt: timeInForce === TimeInForce.GTD ? input.expireTime as number : null,
    accountId: input.accountId ?? ANONYMOUS,
    stp
  })
}

/** Checks an amend's new values against the symbol's filters; what only the order's state can judge is the engine's. */
export function validateAmend (input: AmendInput, spec: SymbolSpec): Result<AmendFields> {
  const hasQuantity = given(input.newQuantity)
  const hasPrice = given(input.newPrice)
  const hasStopPrice = given(input.newStopPrice)
  if (!hasQuantity && !hasPrice && !hasStopPrice) {
    return reject(ResultCode.INVALID_AMEND, 'an amend needs at least one of new_quantity, new_price, new_stop_price')
  }
  let quantityLots: number | null = null
  if (hasQuantity) {
    const lots = lotsOf(input.newQuantity, spec, 'new_quantity', ResultCode.VALIDATION_ERROR)
    if (typeof lots !== 'number') return lots
    quantityLots = lots
  }
  let priceTicks: number | null = null
  if (hasPrice) {
    const ticks = ticksOf(input.newPrice, spec, 'new_price', ResultCode.VALIDATION_ERROR)
    if (typeof ticks !== 'number') return ticks
    priceTicks = ticks
  }
  let stopPriceTicks: number | null = null
  if (hasStopPrice) {
    const ticks = ticksOf(input.newStopPrice, spec, 'new_stop_price', ResultCode.INVALID_STOP_PRICE)
    if (typeof ticks !== 'number') return ticks
    stopPriceTicks = ticks
  }
  return accept({ quantityLots, priceTicks, stopPriceTicks })
}
