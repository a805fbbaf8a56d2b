/**
 * Result codes for expected rejections. The engine returns these as values
 * (never throws them); the HTTP status for each lives in one table in the
 * errors plugin, so this file knows nothing about transports.
 */
export const ResultCode = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  SYMBOL_NOT_FOUND: 'SYMBOL_NOT_FOUND',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  MISSING_ORDER_ID: 'MISSING_ORDER_ID',
  /** The symbol holds its maximum of resting orders and this limit order would rest. */
  TOO_MANY_OPEN_ORDERS: 'TOO_MANY_OPEN_ORDERS',
  /** The price level would pass 2^53 − 1 lots: only reachable with orders restored from data written under larger limits. */
  PRICE_LEVEL_FULL: 'PRICE_LEVEL_FULL',
  /** The account holds its maximum of open orders and this limit order would rest. */
  OPEN_ORDER_LIMIT: 'OPEN_ORDER_LIMIT',
  ACCOUNT_NOT_FOUND: 'ACCOUNT_NOT_FOUND',
  ACCOUNT_EXISTS: 'ACCOUNT_EXISTS',
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED',
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  TOO_MANY_API_KEYS: 'TOO_MANY_API_KEYS',
  /** The symbol is halted: no new orders or amends (cancels work). */
  SYMBOL_HALTED: 'SYMBOL_HALTED',
  /** The symbol takes cancels and quantity-reducing amends only. */
  SYMBOL_CANCEL_ONLY: 'SYMBOL_CANCEL_ONLY',
  /** time_in_force unknown, or one its order type does not take (gtd on a market order, ioc on an order_type fok, ...). */
  INVALID_TIME_IN_FORCE: 'INVALID_TIME_IN_FORCE',
  /** expire_time missing with gtd, given without gtd, or not after the command's time. */
  INVALID_EXPIRE_TIME: 'INVALID_EXPIRE_TIME',
  /** post_only on an order that cannot rest (market, ioc, fok, stop_market). */
  POST_ONLY_NOT_ALLOWED: 'POST_ONLY_NOT_ALLOWED',
  /** An amend of a post-only order to a price that would take liquidity: refused, the order is unchanged. */
  POST_ONLY_WOULD_TAKE: 'POST_ONLY_WOULD_TAKE',
  /** display_quantity on an order that cannot rest, off the lot, below the min quantity or above the quantity. */
  INVALID_DISPLAY_QUANTITY: 'INVALID_DISPLAY_QUANTITY',
  /** stop_price missing on a stop, given on another type, or off the tick. */
  INVALID_STOP_PRICE: 'INVALID_STOP_PRICE',
  /** A stop whose stop price the last trade price has already reached (it would trigger at once). */
  STOP_WOULD_TRIGGER: 'STOP_WOULD_TRIGGER',
  /** quote_quantity on anything but a market order, with quantity, or not a whole number of (tick × lot) units. */
  INVALID_QUOTE_QUANTITY: 'INVALID_QUOTE_QUANTITY',
  /** An amend that changes nothing, or a change the order cannot take (a stop price on a non-stop, a price on a market order). */
  INVALID_AMEND: 'INVALID_AMEND'
} as const

export type ResultCode = typeof ResultCode[keyof typeof ResultCode]

export interface Rejection {
  readonly ok: false
  readonly code: ResultCode
  readonly message: string
}

export interface Accepted<T> {
  readonly ok: true
  readonly value: T
}

export type Result<T> = Accepted<T> | Rejection

export function reject (code: ResultCode, message: string): Rejection {
  return { ok: false, code, message }
}

export function accept<T> (value: T): Accepted<T> {
  return { ok: true, value }
}
