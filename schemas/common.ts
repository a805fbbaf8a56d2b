/** Shapes shared by several wire messages. Imports only TypeBox. */
import { Type } from '@sinclair/typebox'

/** A decimal as a string or a JSON number; exactness and filters are the engine's job. */
export const DecimalInput = Type.Union([
  Type.String({ minLength: 1, maxLength: 64 }),
  Type.Number()
], { description: 'decimal as a string ("0.5") or a JSON number (0.5)' })

export const DecimalString = Type.String({ description: 'exact decimal, e.g. "30000.05"' })
export const NullableDecimal = Type.Union([DecimalString, Type.Null()])

export const SymbolName = Type.String({ minLength: 1, maxLength: 41, description: 'e.g. BTC-USDT, case-insensitive' })
export const ClientOrderId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' })
export const OrderId = Type.String({ minLength: 1, maxLength: 64 })
export const EpochSeconds = Type.Number({ description: 'seconds since the epoch, millisecond precision' })

/** [price, quantity] */
export const Level = Type.Tuple([DecimalString, DecimalString])
