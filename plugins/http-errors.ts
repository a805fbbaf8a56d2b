/**
 * Every error the API can answer with: one code → one HTTP status, one
 * place. Routes and plugins throw `apiError(code, …)`; the errors plugin is
 * the only thing that turns an error into a reply.
 */
import createError from '@fastify/error'
import { ErrorCode } from '../schemas/errors.js'
import type { Outcome } from '../src/exchange/exchange.js'

export const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  INVALID_JSON: 400,
  INVALID_PARAMETER: 400,
  MISSING_SYMBOL: 400,
  MISSING_ORDER_ID: 400,
  BAD_REQUEST: 400,
  INVALID_URL: 400,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  RANGE_NOT_SATISFIABLE: 416,
  UNAUTHORIZED: 401,
  INVALID_API_KEY: 401,
  INVALID_TIMESTAMP: 401,
  INVALID_SIGNATURE: 401,
  REPLAYED_REQUEST: 401,
  FORBIDDEN: 403,
  ORIGIN_NOT_ALLOWED: 403,
  INVALID_CONTENT_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  SYMBOL_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  DUPLICATE_CLIENT_ORDER_ID: 409,
  PRICE_LEVEL_FULL: 409,
  TOO_MANY_OPEN_ORDERS: 503,
  OPEN_ORDER_LIMIT: 429,
  ACCOUNT_NOT_FOUND: 404,
  ACCOUNT_EXISTS: 409,
  ACCOUNT_DISABLED: 409,
  API_KEY_NOT_FOUND: 404,
  TOO_MANY_API_KEYS: 409,
  // A trading pause is the symbol's state, not the request's fault: 409 like other state conflicts.
  SYMBOL_HALTED: 409,
  SYMBOL_CANCEL_ONLY: 409,
  INVALID_TIME_IN_FORCE: 400,
  INVALID_EXPIRE_TIME: 400,
  POST_ONLY_NOT_ALLOWED: 400,
  POST_ONLY_WOULD_TAKE: 409,
  INVALID_DISPLAY_QUANTITY: 400,
  INVALID_STOP_PRICE: 400,
  STOP_WOULD_TRIGGER: 409,
  INVALID_QUOTE_QUANTITY: 400,
  INVALID_AMEND: 400,
  RATE_LIMIT: 429,
  SHUTTING_DOWN: 503,
  OVERLOADED: 503,
  JOURNAL_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500
}

export interface ApiError extends Error {
  readonly code: ErrorCode
  readonly statusCode: number
  retryAfter?: number
  /** Response headers the answer must carry (WWW-Authenticate). */
  headers?: Record<string, string>
}

const constructors = Object.fromEntries(
  Object.entries(STATUS_OF).map(([code, status]) => [code, createError(code, '%s', status)])
) as Record<ErrorCode, ReturnType<typeof createError>>

export function apiError (code: ErrorCode, message: string): ApiError {
  return new constructors[code](message) as ApiError
}

export function isApiError (error: unknown): error is ApiError {
  return error instanceof Error && typeof (error as ApiError).code === 'string' &&
    Object.hasOwn(STATUS_OF, (error as ApiError).code)
}

/** The value of an exchange outcome, or its refusal thrown as the API error the errors plugin answers. */
export function answer<T> (outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value
  throw apiError(outcome.code, outcome.message)
}
