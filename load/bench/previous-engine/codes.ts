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
  TOO_MANY_API_KEYS: 'TOO_MANY_API_KEYS'
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
