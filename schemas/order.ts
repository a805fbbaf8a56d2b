/** Order entry and cancel: request bodies and responses. */
import { Type, type Static } from '@sinclair/typebox'
import { DecimalInput, DecimalString, EpochSeconds, NullableClientOrderId, NullableDecimal, NullableDecimalInput, NullableString, OrderId, SymbolName } from './common.js'
import { BboResponse } from './market.js'

/** What an order that would trade with a resting order of its own account does. */
export const STP_MODES = ['cancel_maker', 'cancel_taker', 'cancel_both', 'none'] as const
export type StpMode = typeof STP_MODES[number]

const strict = { additionalProperties: false } as const

export const NewOrderBody = Type.Object({
  symbol: SymbolName,
  side: Type.String({ minLength: 1, maxLength: 8, description: 'buy | sell, case-insensitive' }),
  order_type: Type.String({ minLength: 1, maxLength: 8, description: 'limit | market | ioc | fok, case-insensitive' }),
  quantity: DecimalInput,
  price: Type.Optional(NullableDecimalInput),
  client_order_id: Type.Optional(NullableClientOrderId),
  stp: Type.Optional(Type.Union(STP_MODES.map((mode) => Type.Literal(mode)), {
    description: 'self-trade prevention against your own resting orders: cancel_maker (default), cancel_taker, cancel_both, none'
  }))
}, strict)
export type NewOrderBody = Static<typeof NewOrderBody>

export const CancelBody = Type.Object({
  symbol: SymbolName,
  order_id: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, maxLength: 64 })),
  client_order_id: Type.Optional(NullableClientOrderId)
}, strict)
export type CancelBody = Static<typeof CancelBody>

export const TradeView = Type.Object({
  trade_id: Type.String(),
  symbol: Type.String(),
  price: DecimalString,
  quantity: DecimalString,
  aggressor_side: Type.String(),
  maker_order_id: NullableString('the resting order traded against when it is your own (always with AUTH=off); null when another account\'s: who you traded with is not yours to know'),
  taker_order_id: Type.String(),
  timestamp: EpochSeconds,
  trade_value: DecimalString,
  maker_fee: DecimalString,
  taker_fee: DecimalString
})

export const OrderFields = {
  order_id: Type.String(),
  client_order_id: NullableString(),
  account_id: Type.String({ description: 'the account that placed it (always the caller\'s own)' }),
  symbol: Type.String(),
  side: Type.String(),
  order_type: Type.String(),
  stp: Type.String({ description: 'its self-trade prevention mode' }),
  status: Type.String({ description: 'pending | partially_filled | filled | cancelled | rejected' }),
  cancel_reason: NullableString('why the engine ended the order early: MATCH_LIMIT (the cap on trades per order), SELF_TRADE_PREVENTION, ACCOUNT_DISABLED; else null'),
  price: NullableDecimal,
  quantity: DecimalString,
  filled_quantity: DecimalString,
  remaining_quantity: DecimalString,
  timestamp: EpochSeconds
}

export const OrderStatusResponse = Type.Object(OrderFields)

export const NewOrderResponse = Type.Object({
  ...OrderFields,
  trades: Type.Array(TradeView, { description: 'the first trades of this order, at most MAX_TRADES_IN_ANSWER of them' }),
  trade_count: Type.Integer({ description: 'all trades of this order; more than trades.length when the list was cut (the totals cover all)' }),
  total_maker_fees: DecimalString,
  total_taker_fees: DecimalString,
  bbo: BboResponse,
  processing_time_ms: Type.Number()
})

export const CancelResponse = Type.Object({
  success: Type.Literal(true),
  order_id: Type.String(),
  client_order_id: NullableString(),
  symbol: Type.String(),
  status: Type.Literal('cancelled'),
  filled_quantity: DecimalString,
  remaining_quantity: DecimalString,
  bbo: BboResponse,
  processing_time_ms: Type.Number()
})

export const OrderIdParams = Type.Object({ order_id: OrderId })
export const OrderQuery = Type.Object({
  symbol: Type.Optional(Type.String({ maxLength: 41 })),
  client_order_id: Type.Optional(Type.String({ maxLength: 64 }))
})
