/** Read-only market data and service status, answered by the exchange. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { BboResponse, BookQuery, BookResponse, EngineStatistics, HealthResponse, StatisticsQuery, SymbolParams, SymbolStatistics, SymbolsResponse } from '../schemas/market.js'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { toSeconds } from '../src/wire/time.js'
import { apiError, answer } from './http-errors.js'

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse }
const DEFAULT_LEVELS = 10
export const VERSION = '1.0.0'

const marketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const exchange = app.exchange
  const config = { rateLimit: app.readRateLimit }

  app.get('/book/:symbol', {
    schema: { summary: 'Order book depth', params: SymbolParams, querystring: BookQuery, response: { 200: BookResponse, ...errors } },
    config
  }, async (request) => answer(await exchange.book(request.params.symbol, parseLevels(request.query.levels, exchange.maxBookLevels))))

  app.get('/bbo/:symbol', {
    schema: { summary: 'Best bid and offer', params: SymbolParams, response: { 200: BboResponse, ...errors } },
    config
  }, async (request) => answer(await exchange.bbo(request.params.symbol)))

  app.get('/symbols', {
    schema: { summary: 'Traded symbols and their filters', response: { 200: SymbolsResponse, ...errors } },
    config
  }, async () => answer(await exchange.symbolsInfo()))

  app.get('/statistics', {
    schema: {
      summary: 'Engine-wide or per-symbol statistics',
      querystring: StatisticsQuery,
      response: { 200: Type.Union([SymbolStatistics, EngineStatistics]), ...errors }
    },
    config
  }, async (request) => {
    if (request.query.symbol !== undefined) return answer(await exchange.symbolStatistics(request.query.symbol))
    return {
      ...answer(await exchange.statistics()),
      error_counts: Object.fromEntries(app.errorCounts),
      gateway: app.gateway.stats()
    }
  })

  app.get('/health', {
    schema: { summary: 'Liveness: 503 once the process can no longer serve (a failed journal)', response: { 200: HealthResponse, 503: HealthResponse } },
    config: { answeredWhileDraining: true }
  }, async (_request, reply) => {
    const health = exchange.health()
    if (!health.healthy) reply.code(503)
    return {
      status: health.healthy ? 'healthy' as const : 'unhealthy' as const,
      ...(health.reason === null ? {} : { reason: health.reason }),
      timestamp: toSeconds(Date.now()),
      uptime: health.uptimeSeconds,
      version: VERSION,
      connections: app.gateway.connections()
    }
  })
}

function parseLevels (text: string | undefined, max: number): number {
  if (text === undefined) return DEFAULT_LEVELS
  const levels = Number(text)
  if (!/^[0-9]{1,5}$/.test(text) || levels < 1 || levels > max) {
    throw apiError(ErrorCode.INVALID_PARAMETER, `levels must be an integer from 1 to ${max}`)
  }
  return levels
}

export default marketRoutes
