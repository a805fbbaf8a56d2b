/**
 * One WebSocket connection: parses and checks each inbound frame, keeps the
 * connection's subscriptions, enforces its message rate, and is the hub's
 * Subscriber (sending with a slow-consumer guard).
 */
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { CHANNELS, CloseCode, PingMessage, SubscribeMessage, WsErrorCode, type ChannelName } from '../schemas/ws.js'
import { normaliseSymbol } from '../src/engine/index.js'
import type { MarketDataHub } from '../src/gateway/market-data-hub.js'
import type { Subscriber } from '../src/gateway/subscriber.js'
import type { Config } from '../src/config.js'

const checkSubscribe = TypeCompiler.Compile(SubscribeMessage)
const checkPing = TypeCompiler.Compile(PingMessage)

export interface SessionContext {
  readonly hub: MarketDataHub
  readonly limits: Config['ws']
  readonly now: () => number
  readonly onSlowConsumer: () => void
  readonly onSent: () => void
}

type RequestId = string | number | undefined

export class Session implements Subscriber {
  readonly id: string
  private readonly socket: WebSocket
  private readonly context: SessionContext
  private readonly subscriptions = new Set<string>()
  private windowStart = 0
  private windowCount = 0
  alive = true
  closed = false

  constructor (id: string, socket: WebSocket, context: SessionContext) {
    this.id = id
    this.socket = socket
    this.context = context
  }

  get subscriptionCount (): number {
    return this.subscriptions.size
  }

  /** The hub's fan-out path: never queue without bound behind a slow reader. */
  send (text: string): void {
    // A socket the peer has begun closing would drop the message silently; do not count it as sent.
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return
    if (this.socket.bufferedAmount > this.context.limits.maxBufferedBytes) {
      this.context.onSlowConsumer()
      this.close(CloseCode.TRY_AGAIN_LATER, 'slow consumer: send buffer limit exceeded')
      return
    }
    this.socket.send(text)
    this.context.onSent()
  }

  cork (): void {
    this.transport()?.cork()
  }

  uncork (): void {
    this.transport()?.uncork()
  }

  /** ws keeps its net.Socket private; corking it is what coalesces several frames into one write. */
  private transport (): Socket | undefined {
    return (this.socket as unknown as { _socket?: Socket })._socket
  }

  reply (message: Record<string, unknown>): void {
    this.send(JSON.stringify({ ...message, timestamp: this.context.now() / 1000 }))
  }

  close (code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.context.hub.removeSubscriber(this)
    this.socket.close(code, reason)
    // A peer that never completes the closing handshake must not keep the socket.
    setTimeout(() => this.socket.terminate(), 2000).unref()
  }

  ping (): void {
    this.alive = false
    this.socket.ping()
  }

  terminate (): void {
    this.closed = true
    this.socket.terminate()
  }

  handle (data: Buffer | ArrayBuffer | Buffer[]): void {
    if (this.closed || !this.withinRate()) return
    let message: unknown
    try {
      message = JSON.parse(data.toString())
    } catch {
      this.error(WsErrorCode.INVALID_JSON, 'message is not valid JSON', undefined)
      return
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message) || typeof (message as { type?: unknown }).type !== 'string') {
      this.error(WsErrorCode.INVALID_MESSAGE, 'message must be a JSON object with a string "type"', undefined)
      return
    }
    const id = requestIdOf(message)
    const type = (message as { type: string }).type
    if (type === 'ping') {
      if (!checkPing.Check(message)) return this.invalid(checkPing.Errors(message).First()?.path, id)
      this.reply(id === undefined ? { type: 'pong' } : { type: 'pong', id })
    } else if (type === 'subscribe' || type === 'unsubscribe') {
      if (!checkSubscribe.Check(message)) return this.invalid(checkSubscribe.Errors(message).First()?.path, id)
      this.subscription(message, id)
    } else {
      this.error(WsErrorCode.UNKNOWN_TYPE, `unknown message type "${type.slice(0, 32)}"`, id)
    }
  }

  private subscription (message: SubscribeMessage, id: RequestId): void {
    const channel = message.channel as ChannelName
    if (!CHANNELS.includes(channel)) return this.error(WsErrorCode.INVALID_CHANNEL, `channel must be one of ${CHANNELS.join(', ')}`, id)
    const symbol = message.symbol === undefined ? null : normaliseSymbol(message.symbol)
    if (symbol === null && channel !== 'trades') return this.error(WsErrorCode.SYMBOL_REQUIRED, `channel ${channel} needs a symbol`, id)
    if (symbol !== null && !this.context.hub.hasSymbol(symbol)) return this.error(WsErrorCode.SYMBOL_NOT_FOUND, `symbol ${message.symbol} is not traded here`, id)
    const key = `${channel}:${symbol ?? '*'}`
    const answer: Record<string, unknown> = { type: message.type === 'subscribe' ? 'subscribed' : 'unsubscribed', channel }
    if (symbol !== null) answer.symbol = symbol
    if (id !== undefined) answer.id = id
    if (message.type === 'unsubscribe') {
      if (!this.subscriptions.delete(key)) return this.error(WsErrorCode.NOT_SUBSCRIBED, `not subscribed to ${channel}${symbol === null ? '' : ' ' + symbol}`, id)
      this.context.hub.unsubscribe(this, channel, symbol)
      return this.reply(answer)
    }
    if (!this.subscriptions.has(key) && this.subscriptions.size >= this.context.limits.maxSubscriptions) {
      return this.error(WsErrorCode.TOO_MANY_SUBSCRIPTIONS, `at most ${this.context.limits.maxSubscriptions} subscriptions per connection`, id)
    }
    this.subscriptions.add(key)
    this.context.hub.subscribe(this, channel, symbol)
    this.reply(answer)
    // Every l2 subscribe (a resubscribe after a gap too) gets a fresh snapshot.
    if (channel === 'l2_updates') this.send(this.context.hub.snapshot(symbol as string))
  }

  /** Fixed one-second windows: over the limit → error; far over → close 1008. */
  private withinRate (): boolean {
    const now = this.context.now()
    if (now - this.windowStart >= 1000) {
      this.windowStart = now
      this.windowCount = 0
    }
    const limit = this.context.limits.maxMessagesPerSecond
    this.windowCount++
    if (this.windowCount <= limit) return true
    if (this.windowCount > limit * 2) {
      this.close(CloseCode.POLICY_VIOLATION, 'message rate limit exceeded')
    } else if (this.windowCount === limit + 1) {
      this.error(WsErrorCode.RATE_LIMIT, `at most ${limit} messages per second; further messages in this second are dropped`, undefined)
    }
    return false
  }

  private invalid (path: string | undefined, id: RequestId): void {
    this.error(WsErrorCode.INVALID_MESSAGE, `invalid field ${path === undefined || path === '' ? '(message)' : path.slice(1)}`, id)
  }

  private error (code: string, message: string, id: RequestId): void {
    this.reply(id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id })
  }
}

function requestIdOf (message: object): RequestId {
  const id = (message as { id?: unknown }).id
  return typeof id === 'string' || typeof id === 'number' ? id : undefined
}
