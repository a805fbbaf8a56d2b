/** Public trades, the rolling 24-hour ticker and candles: REST answers and WebSocket messages. */
import { Type, type Static } from '@sinclair/typebox'
import { DecimalString, EpochSeconds, NullableDecimal, NullableString } from './common.js'
import { TradeView } from './order.js'

export const CANDLE_INTERVAL_NAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const

/** A trade of the public tape: the `trade` message's data, without order ids. */
export const PublicTrade = Type.Omit(TradeView, ['maker_order_id', 'taker_order_id'])

export const TradesResponse = Type.Object({
  symbol: Type.String(),
  trades: Type.Array(PublicTrade, { description: 'newest first' })
})

// Free strings, checked by the handler, so that every bad value gets the same INVALID_PARAMETER.
export const TradesQuery = Type.Object({ limit: Type.Optional(Type.String({ description: '1 to 1000, default 100' })) })
export const CandlesQuery = Type.Object({
  interval: Type.Optional(Type.String({ description: `required: one of ${CANDLE_INTERVAL_NAMES.join(', ')}` })),
  start: Type.Optional(Type.String({ description: 'epoch seconds: candles opening at or after it' })),
  end: Type.Optional(Type.String({ description: 'epoch seconds: candles opening at or before it' })),
  limit: Type.Optional(Type.String({ description: '1 to 1000, default 500: the newest candles of the range' }))
})

const window = (what: string) => NullableString(`${what} over the rolling 24 hours; null when no trade in the window`)

export const TickerView = Type.Object({
  symbol: Type.String(),
  last_price: NullableString('the last trade\'s price; null before the first trade'),
  best_bid: NullableDecimal,
  best_ask: NullableDecimal,
  open_24h: window('first trade price'),
  high_24h: window('highest trade price'),
  low_24h: window('lowest trade price'),
  volume_24h: window('base quantity traded'),
  quote_volume_24h: window('quote quantity traded (Σ price × quantity, exact)'),
  change_24h: window('last price − open price'),
  change_percent_24h: window('change / open × 100, rounded half away from zero to 2 decimals ("-1.25")'),
  trades_24h: Type.Integer({ description: 'trades in the rolling 24 hours' }),
  timestamp: EpochSeconds
})
export type TickerView = Static<typeof TickerView>

export const TickersResponse = Type.Object({ tickers: Type.Array(TickerView, { description: 'one per symbol' }) })

export const CandleView = Type.Object({
  open_time: Type.Integer({ description: 'epoch seconds, a UTC multiple of the interval' }),
  close_time: Type.Integer({ description: 'open_time + the interval' }),
  open: DecimalString,
  high: DecimalString,
  low: DecimalString,
  close: DecimalString,
  volume: DecimalString,
  quote_volume: DecimalString,
  trades: Type.Integer()
})
export type CandleView = Static<typeof CandleView>

export const CandlesResponse = Type.Object({
  symbol: Type.String(),
  interval: Type.String(),
  candles: Type.Array(CandleView, { description: 'oldest first; only intervals with trades' })
})

/** WebSocket `ticker` channel: pushed when the ticker changed, at most once per 100 ms per symbol, and once after subscribing. */
export const TickerMessage = Type.Composite([Type.Object({ type: Type.Literal('ticker') }), TickerView])
export type TickerMessage = Static<typeof TickerMessage>

/** WebSocket `candles` channel: the current candle, pushed when it changed (at most once per 100 ms per symbol and interval) and once after subscribing. */
export const CandleMessage = Type.Composite([
  Type.Object({ type: Type.Literal('candle'), symbol: Type.String(), interval: Type.String() }),
  CandleView,
  Type.Object({ timestamp: EpochSeconds })
])
export type CandleMessage = Static<typeof CandleMessage>
