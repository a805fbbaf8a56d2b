/**
 * Issue 12's order fields as one optional record: what a snapshot tuple and
 * the order history keep of an order beyond the seed's fields, only when
 * some field is not its default, so that plain orders cost nothing extra.
 */
import { defaultTimeInForce, type Order, type TimeInForce } from './order.js'

/**
 * Issue 12's order fields, each only when it is not its default: timeInForce
 * when not the type's own (gtc for limit and stops, ioc for ioc and market,
 * fok for fok), postOnly when true, visibleLots when an open order's is not
 * its remaining lots (an iceberg's current slice; a finished order shows
 * nothing), listSeq when in an OCO list (the peer link is rebuilt from it),
 * the others when not null/0.
 */
export interface OrderOptions {
  timeInForce?: TimeInForce
  postOnly?: true
  stopPriceTicks?: number
  displayLots?: number
  visibleLots?: number
  expireAt?: number
  quoteUnits?: number
  listSeq?: number
}

/** Whether every issue-12 field of the order has its default (the digest's fast path: most orders are plain). */
function isPlain (o: Order): boolean {
  if (o.visibleLots !== o.remainingLots && o.isOpen) return false
  return !o.hasOptionFields || (o.timeInForce === defaultTimeInForce(o.type) && !o.postOnly && o.stopPriceTicks === null &&
    o.displayLots === 0 && o.expireAt === null && o.quoteUnits === null && o.listSeq === 0)
}

/** The order's non-default issue-12 fields, in a fixed order; undefined when it has none. */
export function optionsOf (order: Order): OrderOptions | undefined {
  if (isPlain(order)) return undefined
  const options: OrderOptions = {}
  if (order.timeInForce !== defaultTimeInForce(order.type)) options.timeInForce = order.timeInForce
  if (order.postOnly) options.postOnly = true
  if (order.stopPriceTicks !== null) options.stopPriceTicks = order.stopPriceTicks
  if (order.displayLots !== 0) options.displayLots = order.displayLots
  if (order.visibleLots !== order.remainingLots && order.isOpen) options.visibleLots = order.visibleLots
  if (order.expireAt !== null) options.expireAt = order.expireAt
  if (order.quoteUnits !== null) options.quoteUnits = order.quoteUnits
  if (order.listSeq !== 0) options.listSeq = order.listSeq
  return options
}

/** Sets an order's issue-12 fields from its options (absent: every default). */
export function applyOptions (order: Order, options: OrderOptions | undefined): void {
  order.timeInForce = options?.timeInForce ?? order.timeInForce
  order.postOnly = options?.postOnly ?? false
  order.stopPriceTicks = options?.stopPriceTicks ?? null
  order.displayLots = options?.displayLots ?? 0
  order.visibleLots = options?.visibleLots ?? order.remainingLots
  order.expireAt = options?.expireAt ?? null
  order.quoteUnits = options?.quoteUnits ?? null
  order.listSeq = options?.listSeq ?? 0
}
