/**
 * The signed-in trader's own data: open and closed orders, fills, and
 * cancel-all. Each route acts for request.caller only (plugins/auth.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CancelAllBody, CancelAllResponse, DEFAULT_PAGE, FillsPage, FillsQuery, MAX_PAGE, OrdersPage, OrdersQuery } from '../schemas/private.js'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { answer, apiError } from './http-errors.js'

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse }

const privateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const exchange = app.exchange

  app.get('/orders', {
    schema: { summary: 'Your orders, newest first: open ones, or closed ones still in the history', querystring: OrdersQuery, response: { 200: OrdersPage, ...errors } },
    config: { rateLimit: app.readRateLimit, auth: 'read' }
  }, async (request) => {
    const { symbol, status, limit, cursor } = request.query
    return answer(await exchange.listOrders(request.caller, { symbol, status: status ?? 'open', limit: pageLimit(limit), cursor }))
  })

  app.get('/fills', {
    schema: { summary: 'Your fills, newest first, with fee and maker/taker role', querystring: FillsQuery, response: { 200: FillsPage, ...errors } },
    config: { rateLimit: app.readRateLimit, auth: 'read' }
  }, async (request) => {
    const { symbol, limit, cursor } = request.query
    return answer(await exchange.listFills(request.caller, { symbol, limit: pageLimit(limit), cursor }))
  })

  app.post('/cancel_all', {
    schema: { summary: 'Cancel your open orders (of one symbol and/or side if given)', body: CancelAllBody, response: { 200: CancelAllResponse, ...errors } },
    config: { rateLimit: app.orderRateLimit, sheddable: true, auth: 'trade' }
  }, async (request) => answer(await exchange.cancelAll(request.caller, request.body)))
}

export default privateRoutes

/** The limit query parameter: digits (the schema checked), 1 to MAX_PAGE. */
export function pageLimit (text: string | undefined): number {
  if (text === undefined) return DEFAULT_PAGE
  const limit = Number(text)
  if (limit < 1 || limit > MAX_PAGE) throw apiError(ErrorCode.INVALID_PARAMETER, `limit must be an integer from 1 to ${MAX_PAGE}`)
  return limit
}
