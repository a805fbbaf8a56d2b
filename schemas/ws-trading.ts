/**
 * The WebSocket trading API on /ws: order.* requests and their answers.
 * Every request carries a client `id` (echoed in its answer) and `params`,
 * which are checked by the very schema objects of the REST bodies (and the
 * same validator compiler), so both transports accept exactly the same input.
 */
import { Type, type Static } from '@sinclair/typebox'
import { OrderId } from './common.js'
import { AmendBody, CancelBody, NewOrderBody, OrderQuery } from './order.js'
import { CancelAllBody } from './private.js'
import { RequestId } from './ws.js'

const strict = { additionalProperties: false } as const

/** order.status: which order, by the engine's id or the client's (as GET /order/:order_id and GET /order?client_order_id). */
export const OrderStatusParams = Type.Object({
  ...OrderQuery.properties,
  order_id: Type.Optional(OrderId)
}, strict)
export type OrderStatusParams = Static<typeof OrderStatusParams>

/** The longest dead-man's switch: one day. */
export const MAX_CANCEL_AFTER_MS = 86_400_000
/** The shortest armed dead-man's switch: shorter would fire before a client's refresh could arrive. */
export const MIN_CANCEL_AFTER_MS = 1000

/** order.cancel_after: 0 disarms; otherwise the account's open orders are cancelled unless refreshed within timeout_ms. */
export const CancelAfterParams = Type.Object({
  timeout_ms: Type.Union([Type.Literal(0), Type.Integer({ minimum: MIN_CANCEL_AFTER_MS, maximum: MAX_CANCEL_AFTER_MS })], {
    description: `0 (disarm) or ${MIN_CANCEL_AFTER_MS} to ${MAX_CANCEL_AFTER_MS} ms`
  })
}, strict)
export type CancelAfterParams = Static<typeof CancelAfterParams>

/** Each trading request type and the schema its params must satisfy. */
export const TRADING_PARAMS = {
  'order.place': NewOrderBody,
  'order.amend': AmendBody,
  'order.cancel': CancelBody,
  'order.cancel_all': CancelAllBody,
  'order.status': OrderStatusParams,
  'order.cancel_after': CancelAfterParams
} as const
export type TradingType = keyof typeof TRADING_PARAMS
export const TRADING_TYPES = Object.keys(TRADING_PARAMS) as TradingType[]

/** The envelope of every order.* request: `id` is required (it is how a pipelining client matches answers). */
export const TradingRequest = Type.Object({
  type: Type.String({ maxLength: 32 }),
  id: RequestId,
  params: Type.Record(Type.String(), Type.Unknown())
}, strict)
export type TradingRequest = Static<typeof TradingRequest>

/** A trading answer: `result` is the REST answer's JSON (same shape per response_type). */
export const TradingResult = Type.Object({
  type: Type.String({ description: 'the request\'s type' }),
  id: RequestId,
  result: Type.Unknown()
})

/** order.cancel_after's result. */
export const CancelAfterResult = Type.Object({
  current_time: Type.Number({ description: 'epoch seconds' }),
  trigger_time: Type.Union([Type.Number(), Type.Null()], { description: 'epoch seconds when the account\'s open orders are cancelled; null when disarmed' })
})
export type CancelAfterResult = Static<typeof CancelAfterResult>
