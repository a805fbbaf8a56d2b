/**
 * The signed-in trader's own data: open and closed orders, fills, and
 * cancel-all. Lists are newest first; next_cursor (opaque) fetches the next
 * page and is null on the last one.
 */
import { Type, type Static } from '@sinclair/typebox'
import { DecimalString, EpochSeconds, NullableString } from './common.js'
import { OrderStatusResponse } from './order.js'

const strict = { additionalProperties: false } as const
/** Query strings are never coerced: the limit is digits, checked against its range by the route (INVALID_PARAMETER). */
export const PageLimit = Type.String({ pattern: '^[0-9]{1,7}$', description: 'items per page, 1 to 1000 (default 100)' })
export const MAX_PAGE = 1000
export const DEFAULT_PAGE = 100

const NextCursor = Type.Unsafe<string | null>({ type: ['string', 'null'], description: 'pass as cursor for the next (older) page; null on the last page' })

export const OrdersQuery = Type.Object({
  symbol: Type.Optional(Type.String({ minLength: 1, maxLength: 41 })),
  status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')], { description: 'open (default) or closed' })),
  limit: Type.Optional(PageLimit),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 32 }))
}, strict)
export type OrdersQuery = Static<typeof OrdersQuery>

export const OrdersPage = Type.Object({
  orders: Type.Array(OrderStatusResponse),
  next_cursor: NextCursor
})
export type OrdersPage = Static<typeof OrdersPage>

export const FillsQuery = Type.Object({
  symbol: Type.Optional(Type.String({ minLength: 1, maxLength: 41 })),
  limit: Type.Optional(PageLimit),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 32 }))
}, strict)
export type FillsQuery = Static<typeof FillsQuery>

export const FillView = Type.Object({
  trade_id: Type.String(),
  order_id: Type.String(),
  client_order_id: NullableString(),
  symbol: Type.String(),
  side: Type.String({ description: "this account's side: buy | sell" }),
  role: Type.String({ description: 'maker | taker' }),
  price: DecimalString,
  quantity: DecimalString,
  trade_value: DecimalString,
  fee: DecimalString,
  timestamp: EpochSeconds
})
export type FillView = Static<typeof FillView>

export const FillsPage = Type.Object({
  fills: Type.Array(FillView),
  next_cursor: NextCursor
})
export type FillsPage = Static<typeof FillsPage>

export const CancelAllBody = Type.Object({
  symbol: Type.Optional(Type.String({ minLength: 1, maxLength: 41 })),
  side: Type.Optional(Type.String({ minLength: 1, maxLength: 8, description: 'buy | sell, case-insensitive' }))
}, strict)
export type CancelAllBody = Static<typeof CancelAllBody>

export const CancelAllResponse = Type.Object({
  success: Type.Literal(true),
  cancelled: Type.Integer({ description: 'how many open orders were cancelled' }),
  order_ids: Type.Array(Type.String())
})
export type CancelAllResponse = Static<typeof CancelAllResponse>
