/** Shapes shared by several wire messages. Imports only TypeBox. */
import { Type } from '@sinclair/typebox'

/**
 * A decimal as a string or a JSON number; exactness and filters are the engine's job.
 * A JSON-schema type list rather than anyOf, here and in the nullable inputs below:
 * a wrong value then fails with one error naming the field, not one error per branch.
 */
export const DecimalInput = Type.Unsafe<string | number>({
  type: ['string', 'number'], minLength: 1, maxLength: 64, description: 'decimal as a string ("0.5") or a JSON number (0.5)'
})
export const NullableDecimalInput = nullableDecimalInput('decimal as a string ("0.5") or a JSON number (0.5), or null')

/** NullableDecimalInput with its own description (what the field means). */
export function nullableDecimalInput (description: string) {
  return Type.Unsafe<string | number | null>({ type: ['string', 'number', 'null'], minLength: 1, maxLength: 64, description })
}

export const DecimalString = Type.String({ description: 'exact decimal, e.g. "30000.05"' })
/**
 * A string or null, as one JSON-schema type list rather than anyOf: fast-json-stringify serializes
 * a type list directly, but for anyOf it validates the value against each branch on every response.
 */
export const NullableString = (description?: string) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], ...(description === undefined ? {} : { description }) })

export const NullableDecimal = NullableString('exact decimal or null')

export const SymbolName = Type.String({ minLength: 1, maxLength: 41, description: 'e.g. BTC-USDT, case-insensitive' })
const CLIENT_ORDER_ID = { minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$', description: '1 to 64 characters, each a letter, a digit or one of . _ : -' } as const
export const ClientOrderId = Type.String(CLIENT_ORDER_ID)
export const NullableClientOrderId = Type.Unsafe<string | null>({ type: ['string', 'null'], ...CLIENT_ORDER_ID })
export const OrderId = Type.String({ minLength: 1, maxLength: 64 })
export const EpochSeconds = Type.Number({ description: 'seconds since the epoch, millisecond precision' })

/** [price, quantity] */
export const Level = Type.Tuple([DecimalString, DecimalString])
