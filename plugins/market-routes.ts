/** Read-only market data and service status. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { bboView, depthView, symbolStatsView, toSeconds, volumeText, type OrderBook } from '../src/engine/index.js'
import { BboResponse, BookQuery, BookResponse, EngineStatistics, HealthResponse, StatisticsQuery, SymbolParams, SymbolStatistics, SymbolsResponse } from '../schemas/market.js'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { Type } from '@sinclair/typebox'
import { apiError } from './http-errors.js'

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse }
const DEFAULT_LEVELS = 10
const MAX_LEVELS = 100
export const VERSION = '1.0.0'

const marketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const engine = app.engine
  const config = { rateLimit: app.readRateLimit }
  const bookOf = (symbol: string): OrderBook => {
    const book = engine.book(symbol)
    if (book === undefined) throw apiError(ErrorCode.SYMBOL_NOT_FOUND, `symbol ${symbol} is not traded here; traded symbols: ${engine.symbols.join(', ')}`)
    return book
  }

  app.get('/book/:symbol', {
    schema: { summary: 'Order book depth', params: SymbolParams, querystring: BookQuery, response: { 200: BookResponse, ...errors } },
    config
  }, async (request) => {
    const book = bookOf(request.params.symbol)
    const levels = parseLevels(request.query.levels)
    return { timestamp: toSeconds(Date.now()), symbol: book.symbol, ...depthView(book, levels) }
  })

  app.get('/bbo/:symbol', {
    schema: { summary: 'Best bid and offer', params: SymbolParams, response: { 200: BboResponse, ...errors } },
    config
  }, async (request) => bboView(bookOf(request.params.symbol), Date.now()))

  app.get('/symbols', {
    schema: { summary: 'Traded symbols and their filters', response: { 200: SymbolsResponse, ...errors } },
    config
  }, async () => {
    const now = Date.now()
    const symbolInfo: Record<string, unknown> = {}
    for (const book of engine.allBooks()) {
      symbolInfo[book.symbol] = {
        bbo: bboView(book, now),
        active_orders: book.open.size,
        total_trades: book.stats.totalTrades,
        ...book.spec.describe()
      }
    }
    return { symbols: engine.symbols, symbol_info: symbolInfo as never, count: engine.symbols.length }
  })

  app.get('/statistics', {
    schema: {
      summary: 'Engine-wide or per-symbol statistics',
      querystring: StatisticsQuery,
      response: { 200: Type.Union([SymbolStatistics, EngineStatistics]), ...errors }
    },
    config
  }, async (request) => {
    if (request.query.symbol !== undefined) return symbolStatsView(bookOf(request.query.symbol))
    let orders = 0
    let trades = 0
    const volume: Record<string, string> = {}
    for (const book of engine.allBooks()) {
      orders += book.stats.totalOrders
      trades += book.stats.totalTrades
      volume[book.symbol] = volumeText(book.stats.volumeLots.total, book.spec)
    }
    const uptime = (Date.now() - app.startedAt) / 1000
    const latency = app.orderLatency.summary()
    return {
      orders_processed: orders,
      trades_executed: trades,
      total_volume: volume,
      avg_latency_ms: latency.avg,
      p50_latency_ms: latency.p50,
      p99_latency_ms: latency.p99,
      uptime_seconds: uptime,
      symbols_count: engine.symbols.length,
      orders_per_second: uptime > 0 ? orders / uptime : 0,
      error_counts: Object.fromEntries(app.errorCounts),
      gateway: app.gateway.stats(),
      ...app.statisticsExtras()
    }
  })

  app.get('/health', {
    schema: { summary: 'Liveness', response: { 200: HealthResponse } }
  }, async () => ({
    status: 'healthy',
    timestamp: toSeconds(Date.now()),
    uptime: (Date.now() - app.startedAt) / 1000,
    version: VERSION,
    connections: app.gateway.stats().connections
  }))
}

function parseLevels (text: string | undefined): number {
  if (text === undefined) return DEFAULT_LEVELS
  const levels = Number(text)
  if (!/^[0-9]{1,3}$/.test(text) || levels < 1 || levels > MAX_LEVELS) {
    throw apiError(ErrorCode.INVALID_PARAMETER, `levels must be an integer from 1 to ${MAX_LEVELS}`)
  }
  return levels
}

export default marketRoutes
