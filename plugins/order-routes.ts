/**
 * Order entry, cancel and status: schema-validated bodies handed to the
 * exchange, its outcome turned into a reply. The body schema rejects wrong
 * types and unknown fields; the exchange rejects what only it can judge.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import {
  AmendBody, CancelBody, CancelResponse, NewOrderAckResponse, NewOrderBody, NewOrderResponse, NewOrderResultResponse, OcoBody, OcoResponse, OrderEntryResponse,
  OrderIdParams, OrderQuery, OrderStatusResponse, type ResponseType
} from '../schemas/order.js'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { apiError, answer } from './http-errors.js'

// Per-order lines only at debug: at info they would dominate the hot path.
const DEBUG_LEVELS = new Set(['debug', 'trace'])
const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse }

const JSON_TYPE = 'application/json; charset=utf-8'

/** One schema per response_type: the route documents their union, and each answer is serialized by its own (no anyOf test per reply). */
const ANSWER_SCHEMAS = { full: NewOrderResponse, result: NewOrderResultResponse, ack: NewOrderAckResponse } as const

/** Serializes this reply with the schema of the shape it was asked for (compiled once per route and shape by Fastify). */
function shapeReply (reply: FastifyReply, responseType: ResponseType | undefined): void {
  // A reply serializer of one's own leaves the content type unset: say it, as the schema serializer would.
  reply.type(JSON_TYPE).serializer(reply.compileSerializationSchema(ANSWER_SCHEMAS[responseType ?? 'full'], '200'))
}

const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const exchange = app.exchange
  const rateLimit = app.orderRateLimit

  app.post('/order', {
    schema: {
      summary: 'Submit an order',
      description: 'The answer\'s shape is the body\'s response_type: full (default), result or ack.',
      body: NewOrderBody,
      response: { 200: OrderEntryResponse, ...errors }
    },
    config: { rateLimit, orderEntry: true, sheddable: true, auth: 'trade' }
  }, async (request, reply) => {
    const response = answer(await exchange.placeOrder(request.caller, request.body))
    if (DEBUG_LEVELS.has(request.log.level)) {
      request.log.debug({ orderId: response.order_id, status: response.status }, 'order accepted')
    }
    shapeReply(reply, request.body.response_type)
    return response
  })

  // Amends and OCO lists are order entry too: the same limits, permission and shedding as /order.
  app.post('/amend', {
    schema: {
      summary: 'Amend an open order: new quantity, price or stop price',
      description: 'Answers like POST /order (response_type too), with the order after the amend and the trades it made if its new price crossed.',
      body: AmendBody,
      response: { 200: OrderEntryResponse, ...errors }
    },
    config: { rateLimit, orderEntry: true, sheddable: true, auth: 'trade' }
  }, async (request, reply) => {
    const response = answer(await exchange.amendOrder(request.caller, request.body))
    shapeReply(reply, request.body.response_type)
    return response
  })

  app.post('/oco', {
    schema: {
      summary: 'Submit an OCO list: a limit order and a stop order, each cancelling the other',
      description: 'When either order trades, triggers or ends, the other is cancelled (cancel_reason OCO) in the same command.',
      body: OcoBody,
      response: { 200: OcoResponse, ...errors }
    },
    config: { rateLimit, orderEntry: true, sheddable: true, auth: 'trade' }
  }, async (request) => answer(await exchange.placeOco(request.caller, request.body)))

  app.post('/cancel', {
    schema: { summary: 'Cancel an open order', body: CancelBody, response: { 200: CancelResponse, ...errors } },
    config: { rateLimit, sheddable: true, auth: 'trade' }
  }, async (request) => answer(await exchange.cancelOrder(request.caller, request.body)))

  app.get('/order/:order_id', {
    schema: { summary: 'Order status by order_id', params: OrderIdParams, querystring: OrderQuery, response: { 200: OrderStatusResponse, ...errors } },
    config: { rateLimit: app.readRateLimit, auth: 'read' }
  }, async (request) => answer(await exchange.findOrder(request.caller, { symbol: request.query.symbol, orderId: request.params.order_id })))

  app.get('/order', {
    schema: { summary: 'Order status by client_order_id', querystring: OrderQuery, response: { 200: OrderStatusResponse, ...errors } },
    config: { rateLimit: app.readRateLimit, auth: 'read' }
  }, async (request) => {
    const clientOrderId = request.query.client_order_id
    if (clientOrderId === undefined || clientOrderId === '') throw apiError(ErrorCode.MISSING_ORDER_ID, 'client_order_id query parameter is required')
    return answer(await exchange.findOrder(request.caller, { symbol: request.query.symbol, clientOrderId }))
  })
}

export default orderRoutes
