/**
 * Turns untrusted order input into integer fields, or a rejection that names
 * the field and the filter. Nothing is ever rounded: a price off the tick or a
 * quantity off the lot is an error, because silently changing an order is
 * worse than refusing it.
 */
import { ResultCode, accept, reject, type Result } from './codes.js'
import { parseDecimal } from './decimal.js'
import { asciiLower } from './identifiers.js'
import { ANONYMOUS, ORDER_TYPES, OrderType, SIDES, STP_MODES, StpMode, type Side } from './order.js'
import type { SymbolSpec } from './symbols.js'
import type { OrderFields } from './commands.js'

export interface NewOrderInput {
  readonly symbol: string
  readonly side: string
  readonly orderType: string
  readonly quantity: string | number
  readonly price?: string | number | null
  readonly clientOrderId?: string | null
  /** The account placing it (the anonymous one when not given). */
  readonly accountId?: string
  /** Self-trade prevention mode; none when not given. */
  readonly stp?: string
}

export const CLIENT_ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/

const invalid = (message: string) => reject(ResultCode.VALIDATION_ERROR, message)

export function validateOrder (input: NewOrderInput, spec: SymbolSpec): Result<OrderFields> {
  const side = asciiLower(String(input.side)) as Side
  if (!SIDES.includes(side)) return invalid(`side must be one of ${SIDES.join(', ')}`)
  const orderType = asciiLower(String(input.orderType)) as OrderType
  if (!ORDER_TYPES.includes(orderType)) return invalid(`order_type must be one of ${ORDER_TYPES.join(', ')}`)

  const clientOrderId = input.clientOrderId ?? null
  if (clientOrderId !== null && !CLIENT_ORDER_ID.test(clientOrderId)) {
    return invalid('client_order_id must be 1 to 64 characters of A-Z a-z 0-9 . _ : -')
  }

  const stp = (input.stp ?? StpMode.NONE) as StpMode
  if (!STP_MODES.includes(stp)) return invalid(`stp must be one of ${STP_MODES.join(', ')}`)
  const accountId = input.accountId ?? ANONYMOUS

  const quantity = parseDecimal(input.quantity)
  if (!quantity.ok) return invalid(`quantity ${quantity.reason}`)
  if (quantity.value.gt(spec.maxQuantity)) return invalid(`quantity fails the MAX_QUANTITY filter: it must be at most ${spec.maxQuantity.toFixed()}`)
  const quantityLots = spec.lot.toUnits(quantity.value)
  if (quantityLots === null) {
    return invalid(`quantity ${quantity.value.toFixed()} fails the LOT_SIZE filter: it must be a multiple of ${spec.lot.text}`)
  }
  if (quantityLots < spec.minLots) return invalid(`quantity fails the MIN_QUANTITY filter: it must be at least ${spec.minQuantity.toFixed()}`)

  const hasPrice = input.price !== undefined && input.price !== null
  if (orderType === OrderType.MARKET) {
    if (hasPrice) return invalid('price must not be given for a market order')
    return accept({ symbol: spec.symbol, side, orderType, priceTicks: null, quantityLots, clientOrderId, accountId, stp })
  }
  if (!hasPrice) return invalid(`price is required for a ${orderType} order`)
  const price = parseDecimal(input.price)
  if (!price.ok) return invalid(`price ${price.reason}`)
  if (spec.tick.exceedsRange(price.value)) return invalid('price is out of range')
  const priceTicks = spec.tick.toUnits(price.value)
  if (priceTicks === null) {
    return invalid(`price ${price.value.toFixed()} fails the PRICE_FILTER: it must be a multiple of the tick size ${spec.tick.text}`)
  }
  if (BigInt(priceTicks) * BigInt(quantityLots) < spec.minNotionalUnits) {
    return invalid(`price × quantity fails the MIN_NOTIONAL filter: it must be at least ${spec.minNotional.toFixed()}`)
  }
  return accept({ symbol: spec.symbol, side, orderType, priceTicks, quantityLots, clientOrderId, accountId, stp })
}
