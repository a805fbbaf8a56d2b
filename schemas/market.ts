/** Market data and service responses. */
import { Type, type Static } from '@sinclair/typebox'
import { DecimalString, EpochSeconds, Level, NullableDecimal, NullableString } from './common.js'

export const BboResponse = Type.Object({
  symbol: Type.String(),
  best_bid: NullableDecimal,
  best_ask: NullableDecimal,
  spread: NullableDecimal,
  mid_price: NullableDecimal,
  timestamp: EpochSeconds
})

export const BookResponse = Type.Object({
  timestamp: EpochSeconds,
  symbol: Type.String(),
  seq: Type.Integer({ description: 'the engine command seq of the newest command this book reflects: the sequence space of the WebSocket l2 deltas' }),
  checksum: Type.Integer({ minimum: 0, description: 'CRC-32 of the top 10 levels per side (README: Checksums)' }),
  bids: Type.Array(Level, { description: 'best (highest) first' }),
  asks: Type.Array(Level, { description: 'best (lowest) first' })
})

export const SymbolParams = Type.Object({ symbol: Type.String({ minLength: 1, maxLength: 41 }) })
// levels stays a free string here so that every bad value gets the same INVALID_PARAMETER from the handler.
export const BookQuery = Type.Object({ levels: Type.Optional(Type.String()) })
export const StatisticsQuery = Type.Object({ symbol: Type.Optional(Type.String({ maxLength: 41 })) })

export const SymbolInfo = Type.Object({
  bbo: BboResponse,
  active_orders: Type.Integer(),
  total_trades: Type.Integer(),
  tick_size: DecimalString,
  lot_size: DecimalString,
  min_quantity: DecimalString,
  max_quantity: DecimalString,
  min_notional: DecimalString,
  trading_status: Type.String({ description: 'trading | halted (new orders and amends refused with SYMBOL_HALTED; cancels work) | cancel_only (cancels and quantity-reducing amends only)' }),
  price_band: NullableString('price protection: the fraction around the last trade price (e.g. "0.1" for 10%) beyond which market and stop-market orders stop matching (the rest is cancelled, reason PRICE_BAND); null: none')
})

export const SymbolsResponse = Type.Object({
  symbols: Type.Array(Type.String()),
  symbol_info: Type.Record(Type.String(), SymbolInfo),
  count: Type.Integer()
})

/** The per-symbol trading statuses an operator can set (POST /admin/symbols/:symbol/trading_status). */
export const TRADING_STATUSES = ['trading', 'halted', 'cancel_only'] as const
export type TradingStatusName = typeof TRADING_STATUSES[number]

export const TradingStatusBody = Type.Object({
  status: Type.Union(TRADING_STATUSES.map((status) => Type.Literal(status)), { description: 'trading | halted | cancel_only' })
}, { additionalProperties: false })
export type TradingStatusBody = Static<typeof TradingStatusBody>

export const TradingStatusResponse = Type.Object({
  symbol: Type.String(),
  trading_status: Type.String()
})
export type TradingStatusResponse = Static<typeof TradingStatusResponse>

export const SymbolStatistics = Type.Object({
  symbol: Type.String(),
  total_orders: Type.Integer(),
  total_trades: Type.Integer(),
  total_volume: DecimalString,
  last_trade_price: NullableDecimal,
  last_trade_time: Type.Unsafe<number | null>({ type: ['number', 'null'] }),
  active_orders: Type.Integer(),
  bid_levels: Type.Integer(),
  ask_levels: Type.Integer()
})

export const EngineStatistics = Type.Object({
  orders_processed: Type.Integer(),
  trades_executed: Type.Integer(),
  total_volume: Type.Record(Type.String(), DecimalString, { description: 'base quantity traded, per symbol' }),
  avg_latency_ms: Type.Number(),
  p50_latency_ms: Type.Number(),
  p99_latency_ms: Type.Number(),
  uptime_seconds: Type.Number(),
  symbols_count: Type.Integer(),
  orders_per_second: Type.Number(),
  error_counts: Type.Record(Type.String(), Type.Integer()),
  state_digest: Type.Optional(Type.String()),
  journal: Type.Optional(Type.Unknown()),
  gateway: Type.Optional(Type.Unknown())
})

export const HealthResponse = Type.Object({
  status: Type.Unsafe<'healthy' | 'unhealthy'>({ type: 'string', enum: ['healthy', 'unhealthy'] }),
  reason: Type.Optional(Type.String({ description: 'why the process is unhealthy' })),
  timestamp: EpochSeconds,
  uptime: Type.Number(),
  version: Type.String(),
  connections: Type.Integer()
})
