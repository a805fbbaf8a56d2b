/** The one error body every route and handler answers with. */
import { Type, type Static } from '@sinclair/typebox'

export const ErrorCode = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  INVALID_JSON: 'INVALID_JSON',
  BAD_REQUEST: 'BAD_REQUEST',
  INVALID_URL: 'INVALID_URL',
  URI_TOO_LONG: 'URI_TOO_LONG',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  RANGE_NOT_SATISFIABLE: 'RANGE_NOT_SATISFIABLE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  INVALID_CONTENT_TYPE: 'INVALID_CONTENT_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INVALID_PARAMETER: 'INVALID_PARAMETER',
  MISSING_SYMBOL: 'MISSING_SYMBOL',
  MISSING_ORDER_ID: 'MISSING_ORDER_ID',
  SYMBOL_NOT_FOUND: 'SYMBOL_NOT_FOUND',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  DUPLICATE_CLIENT_ORDER_ID: 'DUPLICATE_CLIENT_ORDER_ID',
  PRICE_LEVEL_FULL: 'PRICE_LEVEL_FULL',
  TOO_MANY_OPEN_ORDERS: 'TOO_MANY_OPEN_ORDERS',
  RATE_LIMIT: 'RATE_LIMIT',
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  OVERLOADED: 'OVERLOADED',
  JOURNAL_UNAVAILABLE: 'JOURNAL_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR'
} as const
export type ErrorCode = typeof ErrorCode[keyof typeof ErrorCode]

export const ErrorResponse = Type.Object({
  error: Type.String(),
  error_code: Type.String(),
  details: Type.Optional(Type.Unknown()),
  retry_after: Type.Optional(Type.Number())
}, { $id: 'ErrorResponse', description: 'every 4xx/5xx body' })

export type ErrorResponse = Static<typeof ErrorResponse>
