/**
 * Order entry, cancel and status. Each handler validates nothing by hand
 * that a schema can say: the body schema rejects wrong types and unknown
 * fields, the engine rejects what only it can judge (filters, ids).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { performance } from 'node:perf_hooks'
import { bboView, orderView, tradeAmounts, tradeView, type MatchingEngine, type OrderOutcome, type Rejection } from '../src/engine/index.js'
import { CancelBody, CancelResponse, NewOrderBody, NewOrderResponse, OrderIdParams, OrderQuery, OrderStatusResponse } from '../schemas/order.js'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { apiError } from './http-errors.js'

// Per-order lines only at debug: at info they would dominate the hot path.
const DEBUG_LEVELS = new Set(['debug', 'trace'])
const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse }

const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const engine = app.engine
  const rateLimit = app.orderRateLimit
  const durableRejection = async (rejection: Rejection) => {
    await app.durable()
    return fromRejection(rejection)
  }

  app.post('/order', {
    schema: { summary: 'Submit an order', body: NewOrderBody, response: { 200: NewOrderResponse, ...errors } },
    config: { rateLimit }
  }, async (request) => {
    const started = performance.now()
    const body = request.body
    const result = engine.submit({
      symbol: body.symbol,
      side: body.side,
      orderType: body.order_type,
      quantity: body.quantity,
      price: body.price,
      clientOrderId: body.client_order_id
    })
    const matched = performance.now()
    // A rejection can depend on commands not yet durable (a duplicate client id): answer it only once they are.
    if (!result.ok) throw await durableRejection(result)
    const response = newOrderResponse(engine, result.value)
    await app.durable()
    app.metrics.orderAccepted(response.symbol, response.order_type, response.status, response.trades.length, (matched - started) / 1000)
    response.processing_time_ms = Math.round((performance.now() - started) * 1000) / 1000
    app.orderLatency.record(response.processing_time_ms)
    if (DEBUG_LEVELS.has(request.log.level)) {
      request.log.debug({ orderId: response.order_id, status: response.status, trades: response.trades.length }, 'order accepted')
    }
    return response
  })

  app.post('/cancel', {
    schema: { summary: 'Cancel an open order', body: CancelBody, response: { 200: CancelResponse, ...errors } },
    config: { rateLimit }
  }, async (request) => {
    const started = performance.now()
    const { symbol, order_id: orderId, client_order_id: clientOrderId } = request.body
    const result = engine.cancel({ symbol, orderId, clientOrderId })
    if (!result.ok) throw await durableRejection(result)
    const { order } = result.value
    const book = engine.book(order.symbol)!
    const view = orderView(order, book.spec)
    await app.durable()
    return {
      success: true as const,
      order_id: view.order_id,
      client_order_id: view.client_order_id,
      symbol: view.symbol,
      status: 'cancelled' as const,
      filled_quantity: view.filled_quantity,
      remaining_quantity: view.remaining_quantity,
      bbo: bboView(book, Date.now()),
      processing_time_ms: Math.round((performance.now() - started) * 1000) / 1000
    }
  })

  app.get('/order/:order_id', {
    schema: { summary: 'Order status by order_id', params: OrderIdParams, querystring: OrderQuery, response: { 200: OrderStatusResponse, ...errors } },
    config: { rateLimit: app.readRateLimit }
  }, async (request) => findOrder(engine, request.query.symbol, { orderId: request.params.order_id }))

  app.get('/order', {
    schema: { summary: 'Order status by client_order_id', querystring: OrderQuery, response: { 200: OrderStatusResponse, ...errors } },
    config: { rateLimit: app.readRateLimit }
  }, async (request) => {
    const clientOrderId = request.query.client_order_id
    if (clientOrderId === undefined || clientOrderId === '') throw apiError(ErrorCode.MISSING_ORDER_ID, 'client_order_id query parameter is required')
    return findOrder(engine, request.query.symbol, { clientOrderId })
  })
}

function findOrder (engine: MatchingEngine, symbol: string | undefined, ref: { orderId?: string, clientOrderId?: string }) {
  if (symbol === undefined || symbol === '') throw apiError(ErrorCode.MISSING_SYMBOL, 'symbol query parameter is required')
  const result = engine.findOrder(symbol, ref)
  if (!result.ok) throw fromRejection(result)
  return orderView(result.value, engine.book(symbol)!.spec)
}

function newOrderResponse (engine: MatchingEngine, outcome: OrderOutcome) {
  const book = engine.book(outcome.order.symbol)!
  const trades = outcome.trades.map((trade) => tradeView(trade, book.spec, engine))
  // Σ fees = (Σ value) × rate, computed once exactly rather than summing decimal strings.
  const totals = tradeAmounts(outcome.trades, book.spec, engine)
  return {
    ...orderView(outcome.order, book.spec),
    trades,
    total_maker_fees: totals.makerFee,
    total_taker_fees: totals.takerFee,
    bbo: bboView(book, outcome.order.timestamp),
    processing_time_ms: 0
  }
}

function fromRejection (rejection: Rejection) {
  return apiError(rejection.code, rejection.message)
}

export default orderRoutes
