/**
 * What a subscribe or unsubscribe frame asks for, read and checked against
 * the channel's own rules: the symbol it needs, an l2 depth and interval, a
 * candle interval. Pure: the session acts on the answer.
 */
import { CHANNELS, PRIVATE_CHANNELS, WsErrorCode, type ChannelName, type SubscribeMessage } from '../schemas/ws.js'
import { normaliseSymbol } from '../src/engine/index.js'
import { DEFAULT_DEPTH } from '../src/gateway/market-data-hub.js'
import { UPDATE_INTERVALS, type UpdateInterval } from '../src/gateway/depth-view.js'
import { StatsFeed } from '../src/gateway/stats-feed.js'
import { CANDLE_INTERVALS } from '../src/market/candle-series.js'

export interface SubscriptionRequest {
  readonly channel: ChannelName
  readonly isPrivate: boolean
  /** Normalised; null = every symbol (channels that allow it). */
  readonly symbol: string | null
  /** l2_updates only. */
  readonly depth: number
  /** l2_updates: raw, 100ms or 1000ms; candles: the candle interval; '' otherwise. */
  readonly interval: string
  /** What the connection keeps to know it holds this subscription. */
  readonly key: string
}

export interface Refusal { readonly code: WsErrorCode, readonly message: string }

export function isPrivateChannel (channel: string): boolean {
  return (PRIVATE_CHANNELS as readonly string[]).includes(channel)
}

/** Channels whose subscribe needs a symbol. */
const NEEDS_SYMBOL: readonly ChannelName[] = ['l2_updates', 'l3', 'candles']

export function readSubscription (
  message: SubscribeMessage,
  symbols: { has: (symbol: string) => boolean, list: readonly string[] },
  depths: readonly number[],
  maxDepth: number
): SubscriptionRequest | Refusal {
  const channel = message.channel as ChannelName
  if (!CHANNELS.includes(channel)) return { code: WsErrorCode.INVALID_CHANNEL, message: `channel must be one of ${CHANNELS.join(', ')}` }
  const symbol = message.symbol === undefined ? null : normaliseSymbol(message.symbol)
  if (symbol === null && NEEDS_SYMBOL.includes(channel)) return { code: WsErrorCode.SYMBOL_REQUIRED, message: `channel ${channel} needs a symbol` }
  if (symbol !== null && !symbols.has(symbol)) {
    return { code: WsErrorCode.SYMBOL_NOT_FOUND, message: `symbol ${String(message.symbol)} is not traded here; traded symbols: ${symbols.list.join(', ')}` }
  }
  const isL2 = channel === 'l2_updates'
  const subscribing = message.type === 'subscribe'
  if (message.depth !== undefined && (!isL2 || !subscribing)) return { code: WsErrorCode.INVALID_DEPTH, message: 'depth applies to an l2_updates subscribe only' }
  const depth = message.depth === 'full' ? maxDepth : message.depth ?? Math.min(DEFAULT_DEPTH, maxDepth)
  if (isL2 && (typeof depth !== 'number' || !depths.includes(depth))) return { code: WsErrorCode.INVALID_DEPTH, message: `depth must be one of ${depths.join(', ')} or "full" (${maxDepth})` }
  let interval = ''
  if (channel === 'candles') {
    if (!StatsFeed.isInterval(message.interval)) return { code: WsErrorCode.INVALID_INTERVAL, message: `candles need an interval: one of ${CANDLE_INTERVALS.join(', ')}` }
    interval = message.interval
  } else if (message.interval !== undefined && (!isL2 || !subscribing)) {
    return { code: WsErrorCode.INVALID_INTERVAL, message: 'interval applies to an l2_updates subscribe and to candles only' }
  } else if (isL2) {
    interval = message.interval ?? 'raw'
    if (!UPDATE_INTERVALS.includes(interval as UpdateInterval)) return { code: WsErrorCode.INVALID_INTERVAL, message: `interval must be one of ${UPDATE_INTERVALS.join(', ')}` }
  }
  const isPrivate = isPrivateChannel(channel)
  const key = channel === 'candles' ? `${channel}:${symbol as string}:${interval}` : `${channel}:${symbol ?? '*'}`
  return { channel, isPrivate, symbol, depth: depth as number, interval, key }
}
