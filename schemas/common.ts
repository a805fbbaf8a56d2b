/** Shapes shared by several wire messages. Imports only TypeBox. */
import { Type } from '@sinclair/typebox'

/** A decimal as a string or a JSON number; exactness and filters are the engine's job. */
export const DecimalInput = Type.Union([
  Type.String({ minLength: 1, maxLength: 64 }),
  Type.Number()
], { description: 'decimal as a string ("0.5") or a JSON number (0.5)' })

export const DecimalString = Type.String({ description: 'exact decimal, e.g. "30000.05"' })
/**
 * A string or null, as one JSON-schema type list rather than anyOf: fast-json-stringify serializes
 * a type list directly, but for anyOf it validates the value against each branch on every response.
 */
export const NullableString = (description?: string) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], ...(description === undefined ? {} : { description }) })

export const NullableDecimal = NullableString('exact decimal or null')

export const SymbolName = Type.String({ minLength: 1, maxLength: 41, description: 'e.g. BTC-USDT, case-insensitive' })
export const ClientOrderId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' })
export const OrderId = Type.String({ minLength: 1, maxLength: 64 })
export const EpochSeconds = Type.Number({ description: 'seconds since the epoch, millisecond precision' })

/** [price, quantity] */
export const Level = Type.Tuple([DecimalString, DecimalString])
