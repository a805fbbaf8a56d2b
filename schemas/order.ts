/** Order entry and cancel: request bodies and responses. */
import { Type, type Static } from '@sinclair/typebox'
import {
  DecimalInput, DecimalString, EpochSeconds, NullableClientOrderId, NullableDecimal, NullableDecimalInput, NullableString, OrderId, SymbolName, nullableDecimalInput
} from './common.js'
import { BboResponse } from './market.js'

/** What an order that would trade with a resting order of its own account does. */
export const STP_MODES = ['cancel_maker', 'cancel_taker', 'cancel_both', 'none'] as const
export type StpMode = typeof STP_MODES[number]

const strict = { additionalProperties: false } as const
const DECIMAL_INPUT = { type: ['string', 'number'], minLength: 1, maxLength: 64 }

const Stp = Type.Union(STP_MODES.map((mode) => Type.Literal(mode)), {
  description: 'self-trade prevention against your own resting orders: cancel_maker (default), cancel_taker, cancel_both, none'
})

/**
 * Free strings with a length bound, like order_type: an unknown value is the engine's specific
 * refusal (INVALID_TIME_IN_FORCE), not a schema error.
 */
const TimeInForceInput = Type.Unsafe<string | null>({
  type: ['string', 'null'],
  maxLength: 16,
  description: 'gtc (default for limit and stop orders) | ioc | fok | gtd (needs expire_time); exact lowercase. ' +
    'limit: any; ioc: ioc; fok: fok; market: ioc; stop_limit: gtc, gtd, ioc, fok (of the triggered order); stop_market: gtc, gtd'
})
/** Epoch seconds on the wire, as every timestamp the API answers with; the exchange converts them to milliseconds exactly. */
const ExpireTimeInput = Type.Unsafe<number | null>({
  type: ['number', 'null'],
  description: 'gtd only, and required with it: when the order expires, epoch seconds with at most 3 decimals (millisecond precision); must be in the future'
})

/** How much of an order-entry answer to send (Binance's newOrderRespType). */
export const RESPONSE_TYPES = ['ack', 'result', 'full'] as const
export type ResponseType = typeof RESPONSE_TYPES[number]

/** Fields of POST /order and /amend (and their WebSocket twins) that shape the answer, never the order. */
const AnswerOptions = {
  response_type: Type.Optional(Type.Union(RESPONSE_TYPES.map((kind) => Type.Literal(kind)), {
    description: 'ack: order id, client id, symbol, status, timestamp; result: the order and a summary of this command\'s trades ' +
      '(count, quantity, value, average price, fees); full (default): the order, its trades and the totals, as the seed answered'
  })),
  include_bbo: Type.Optional(Type.Boolean({ description: 'add the book\'s best bid and ask after the command; default true for full, false for ack and result' }))
}

export const NewOrderBody = Type.Object({
  symbol: SymbolName,
  side: Type.String({ minLength: 1, maxLength: 8, description: 'buy | sell, case-insensitive' }),
  order_type: Type.String({
    minLength: 1,
    maxLength: 16,
    description: 'limit | market | ioc | fok | stop_limit | stop_market, case-insensitive. ioc and fok are limit orders with that time in force; ' +
      'stop_limit and stop_market wait off the book, untriggered, until the last trade price reaches stop_price (buy: last ≥ stop; sell: last ≤ stop)'
  }),
  quantity: Type.Optional(nullableDecimalInput('base quantity; required unless quote_quantity is given (market orders only)')),
  price: Type.Optional(NullableDecimalInput),
  client_order_id: Type.Optional(NullableClientOrderId),
  stp: Type.Optional(Stp),
  time_in_force: Type.Optional(TimeInForceInput),
  post_only: Type.Optional(Type.Boolean({
    description: 'limit or stop_limit with gtc/gtd only: rejected whole (status rejected, cancel_reason POST_ONLY_WOULD_TAKE) if it would take liquidity'
  })),
  stop_price: Type.Optional(nullableDecimalInput('stop_limit and stop_market only (required there): the trigger price, on the tick')),
  display_quantity: Type.Optional(nullableDecimalInput(
    'iceberg (limit or stop_limit with gtc/gtd): the slice shown in the book, on the lot, at least the min quantity and at most quantity'
  )),
  expire_time: Type.Optional(ExpireTimeInput),
  quote_quantity: Type.Optional(nullableDecimalInput(
    'market orders only, instead of quantity: how much quote currency to spend (buy) or receive (sell); fills are rounded down to the lot, never over it'
  )),
  ...AnswerOptions
}, strict)
export type NewOrderBody = Static<typeof NewOrderBody>

export const CancelBody = Type.Object({
  symbol: SymbolName,
  order_id: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, maxLength: 64 })),
  client_order_id: Type.Optional(NullableClientOrderId)
}, strict)
export type CancelBody = Static<typeof CancelBody>

/** POST /amend: an open order of yours, by order_id or client_order_id, and at least one new value. */
export const AmendBody = Type.Object({
  symbol: SymbolName,
  order_id: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, maxLength: 64 })),
  client_order_id: Type.Optional(NullableClientOrderId),
  new_quantity: Type.Optional(nullableDecimalInput(
    'the new TOTAL quantity, filled part included: a reduction alone keeps the order\'s place in its queue; at or below the filled quantity completes the order'
  )),
  new_price: Type.Optional(nullableDecimalInput('a new limit price: the order moves to the back of its new level, and trades first if it crosses (a post-only order is refused instead)')),
  new_stop_price: Type.Optional(nullableDecimalInput('untriggered stop orders only: a new trigger price')),
  ...AnswerOptions
}, strict)
export type AmendBody = Static<typeof AmendBody>

/**
 * POST /oco: a limit order at price and a stop order at stop_price (stop_limit at
 * stop_limit_price, else stop_market), same side and quantity. When either trades, triggers or
 * ends, the other is cancelled (cancel_reason OCO).
 */
export const OcoBody = Type.Object({
  symbol: SymbolName,
  side: Type.String({ minLength: 1, maxLength: 8, description: 'buy | sell, case-insensitive' }),
  quantity: DecimalInput,
  price: Type.Unsafe<string | number>({ ...DECIMAL_INPUT, description: 'the limit leg\'s price' }),
  stop_price: Type.Unsafe<string | number>({ ...DECIMAL_INPUT, description: 'the stop leg\'s trigger price' }),
  stop_limit_price: Type.Optional(nullableDecimalInput('the stop leg\'s limit price (a stop_limit leg); absent or null: a stop_market leg')),
  time_in_force: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 16, description: 'gtc (default) | gtd (needs expire_time), for both legs' })),
  expire_time: Type.Optional(ExpireTimeInput),
  limit_client_order_id: Type.Optional(NullableClientOrderId),
  stop_client_order_id: Type.Optional(NullableClientOrderId),
  stp: Type.Optional(Stp)
}, strict)
export type OcoBody = Static<typeof OcoBody>

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
  status: Type.String({ description: 'untriggered (a stop waiting for its trigger) | pending | partially_filled | filled | cancelled | rejected | expired (gtd)' }),
  cancel_reason: NullableString('why the engine ended the order early: MATCH_LIMIT (the cap on trades per order), SELF_TRADE_PREVENTION, ACCOUNT_DISABLED, ' +
    'POST_ONLY_WOULD_TAKE (a post-only order that would have taken liquidity), OCO (the other order of its OCO list traded, triggered or ended), ' +
    'PRICE_BAND (a market or stop-market order reached the symbol\'s price band); else null'),
  price: NullableDecimal,
  quantity: DecimalString,
  filled_quantity: DecimalString,
  remaining_quantity: DecimalString,
  timestamp: EpochSeconds,
  time_in_force: Type.String({ description: 'gtc | ioc | fok | gtd' }),
  post_only: Type.Boolean(),
  stop_price: NullableString('stop orders: the trigger price; else null'),
  display_quantity: NullableString('icebergs: the slice shown in the book; else null'),
  expire_time: Type.Unsafe<number | null>({ type: ['number', 'null'], description: 'gtd orders: when it expires, epoch seconds; else null' }),
  quote_quantity: NullableString('quote-sized market orders: the quote amount asked for (quantity is then what it filled); else null'),
  list_id: NullableString('the OCO list it belongs to (the id of the list\'s limit order); else null')
}

export const OrderStatusResponse = Type.Object(OrderFields)

const AnswerTotals = {
  trade_count: Type.Integer({ description: 'all trades of this order; more than trades.length when the list was cut (the totals cover all)' }),
  total_maker_fees: DecimalString,
  total_taker_fees: DecimalString,
  bbo: BboResponse,
  processing_time_ms: Type.Number()
}

const OptionalBbo = Type.Optional(BboResponse)

export const NewOrderResponse = Type.Object({
  ...OrderFields,
  trades: Type.Array(TradeView, { description: 'the first trades of this order, at most MAX_TRADES_IN_ANSWER of them (a triggered stop\'s trades are in the fills, not here)' }),
  ...AnswerTotals,
  bbo: Type.Optional(BboResponse)
}, { description: 'response_type full (the default); bbo unless include_bbo is false' })

/** response_type result: the order and a summary of the trades this command made (no trade list). */
export const NewOrderResultResponse = Type.Object({
  ...OrderFields,
  trade_count: Type.Integer({ description: 'trades this command made' }),
  traded_quantity: Type.String({ description: 'the base quantity they traded, an exact decimal' }),
  traded_value: Type.String({ description: 'their quote value, exact: Σ price × quantity' }),
  average_price: NullableString('traded_value ÷ traded_quantity, cut (rounded toward zero) at 8 decimals past the price\'s step; null when nothing traded'),
  total_maker_fees: DecimalString,
  total_taker_fees: DecimalString,
  bbo: OptionalBbo,
  processing_time_ms: Type.Number()
}, { description: 'response_type result; bbo only with include_bbo: true' })

/** response_type ack: that the order exists, and in which state the command left it. */
export const NewOrderAckResponse = Type.Object({
  order_id: Type.String(),
  client_order_id: NullableString(),
  symbol: Type.String(),
  status: OrderFields.status,
  timestamp: EpochSeconds,
  bbo: OptionalBbo,
  processing_time_ms: Type.Number()
}, { description: 'response_type ack; bbo only with include_bbo: true' })

/** What POST /order and /amend may answer: one shape per response_type. */
export const OrderEntryResponse = Type.Union([NewOrderResponse, NewOrderResultResponse, NewOrderAckResponse])

export const OcoResponse = Type.Object({
  list_id: Type.String({ description: 'the list\'s id: its limit order\'s order_id' }),
  orders: Type.Array(OrderStatusResponse, { description: '[the limit leg, the stop leg], as they stand after the command' }),
  trades: Type.Array(TradeView, { description: 'the limit leg\'s first trades, at most MAX_TRADES_IN_ANSWER of them' }),
  ...AnswerTotals
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
