/** Public trades, the rolling 24-hour ticker and candles (GET /trades, /ticker, /tickers, /candles), answered by the exchange. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SymbolParams } from '../schemas/market.js'
import { CANDLE_INTERVAL_NAMES, CandlesQuery, CandlesResponse, TickersResponse, TickerView, TradesQuery, TradesResponse } from '../schemas/stats.js'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { isCandleInterval } from '../src/market/candle-series.js'
import type { CandlesRequest } from '../src/exchange/exchange.js'
import { apiError, answer } from './http-errors.js'

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse }
const MAX_LIMIT = 1000
const DEFAULT_TRADES = 100
const DEFAULT_CANDLES = 500
/** Epoch seconds as query text: plain digits, at most 11 of them (the year 5138). */
const SECONDS = /^[0-9]{1,11}$/

const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const exchange = app.exchange
  const config = { rateLimit: app.readRateLimit }

  app.get('/trades/:symbol', {
    schema: { summary: 'Recent public trades, newest first (the last 1000 are kept)', params: SymbolParams, querystring: TradesQuery, response: { 200: TradesResponse, ...errors } },
    config
  }, async (request) => answer(await exchange.recentTrades(request.params.symbol, parseLimit(request.query.limit, DEFAULT_TRADES))))

  app.get('/ticker/:symbol', {
    schema: { summary: 'Last price, best bid and ask, and the rolling 24 hours', params: SymbolParams, response: { 200: TickerView, ...errors } },
    config
  }, async (request) => answer(await exchange.ticker(request.params.symbol)))

  app.get('/tickers', {
    schema: { summary: 'The ticker of every symbol', response: { 200: TickersResponse, ...errors } },
    config
  }, async () => answer(await exchange.tickers()))

  app.get('/candles/:symbol', {
    schema: { summary: 'OHLCV candles, oldest first (the last 1000 per interval are kept)', params: SymbolParams, querystring: CandlesQuery, response: { 200: CandlesResponse, ...errors } },
    config
  }, async (request) => answer(await exchange.candles(request.params.symbol, parseCandles(request.query))))
}

function parseLimit (text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const limit = Number(text)
  if (!/^[0-9]{1,4}$/.test(text) || limit < 1 || limit > MAX_LIMIT) throw apiError(ErrorCode.INVALID_PARAMETER, `limit must be an integer from 1 to ${MAX_LIMIT}`)
  return limit
}

function parseCandles (query: { interval?: string, start?: string, end?: string, limit?: string }): CandlesRequest {
  const { interval } = query
  if (!isCandleInterval(interval)) throw apiError(ErrorCode.INVALID_PARAMETER, `interval is required: one of ${CANDLE_INTERVAL_NAMES.join(', ')}`)
  const start = parseSeconds('start', query.start, 0)
  const end = parseSeconds('end', query.end, Number.MAX_SAFE_INTEGER)
  if (start > end) throw apiError(ErrorCode.INVALID_PARAMETER, 'start must not be after end')
  return { interval, start, end, limit: parseLimit(query.limit, DEFAULT_CANDLES) }
}

/** Epoch seconds (an integer) as epoch ms. */
function parseSeconds (name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  if (!SECONDS.test(text)) throw apiError(ErrorCode.INVALID_PARAMETER, `${name} must be epoch seconds, an integer`)
  return Number(text) * 1000
}

export default statsRoutes
