/**
 * One WebSocket connection: parses and checks each inbound frame, keeps the
 * connection's sign-in and subscriptions, enforces its message rate, and is
 * the hub's Subscriber, sending only what fits its own buffer limit and the
 * global send budget.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import type { WebSocket } from 'ws'
import { AuthMessage, CloseCode, PingMessage, SubscribeMessage, WsErrorCode, type AuthMode, type PrivateChannelName } from '../schemas/ws.js'
import type { TradingDesk, TradingSession } from './ws-trading.js'
import { ANONYMOUS, requestIdOf, type RequestId, type SignIn, type SignedIn } from './ws-identity.js'
import { wsSignInPayload } from '../src/auth/signature.js'
import type { MarketDataHub } from '../src/gateway/market-data-hub.js'
import type { UpdateInterval } from '../src/gateway/depth-view.js'
import type { Subscriber } from '../src/gateway/subscriber.js'
import type { L3Feed } from '../src/gateway/l3-feed.js'
import type { StatsFeed } from '../src/gateway/stats-feed.js'
import { isPrivateChannel, readSubscription } from './ws-subscription.js'
import type { BudgetMember, SendBudget } from '../src/gateway/send-budget.js'
import { parseStrictJson } from '../src/json/strict-json.js'
import { FixedWindow } from '../src/gateway/fixed-window.js'
import { AnswerWriter } from './ws-answer-writer.js'
import { WS_DEPTHS, type Config } from '../src/config.js'

const checkSubscribe = TypeCompiler.Compile(SubscribeMessage)
const checkPing = TypeCompiler.Compile(PingMessage)
const checkAuth = TypeCompiler.Compile(AuthMessage)

/** Failed sign-ins a connection may make; the next one closes it (1008), so a connection cannot be a guessing oracle. */
export const MAX_FAILED_SIGN_INS = 3

export type { SignIn, SignInInput, SignedIn } from './ws-identity.js'

export interface SessionContext {
  readonly hub: MarketDataHub
  /** The l3 channel's feed. */
  readonly l3: L3Feed
  /** The ticker and candles channels' feed. */
  readonly stats: StatsFeed
  readonly limits: Config['ws']
  readonly budget: SendBudget
  readonly now: () => number
  readonly onSlowConsumer: () => void
  readonly onSent: () => void
  /** False once the exchange can no longer serve (a failed journal): the session then closes instead of answering. */
  readonly available: () => boolean
  /** required: private channels need a sign-in; off: every connection is the anonymous account. */
  readonly authMode: AuthMode
  readonly signIn: SignIn
}

/** Where client faults are reported: at debug, as fields, never with a stack (they are not server errors). */
export interface FaultLog {
  debug (fields: Record<string, unknown>, message: string): void
}

/** Close reason once the exchange has failed: its memory may hold what was never acknowledged. */
export const UNAVAILABLE = 'market data unavailable: the journal failed; reconnect to another instance'

const silent: FaultLog = { debug () {} }

export class Session implements Subscriber, BudgetMember, TradingSession {
  readonly id: string
  /** Sent in `connected`; a sign-in on this connection must sign it. */
  readonly nonce: string
  /** Set once by a successful sign-in; never changes after. */
  identity: SignedIn | null = null
  /** Set by a sign-in that asks for it: the account's open orders are cancelled when this connection ends. */
  cancelOnDisconnect = false
  /** The order.* API of this connection (plugins/ws-trading.ts); set once by the gateway. */
  trading: TradingDesk | null = null
  private readonly answers: AnswerWriter
  private failedSignIns = 0
  private readonly socket: WebSocket
  private readonly context: SessionContext
  private readonly log: FaultLog
  private readonly subscriptions = new Set<string>()
  private readonly depths: readonly number[]
  private readonly messages = new FixedWindow()
  /** Bytes queued before the current corked batch began, or -1 when not corked. */
  private bufferedAtCork = -1
  private heartbeats = 0
  alive = true
  closed = false

  constructor (id: string, socket: WebSocket, context: SessionContext, log: FaultLog = silent, nonce = randomBytes(16).toString('hex')) {
    this.id = id
    this.nonce = nonce
    this.socket = socket
    this.context = context
    this.log = log
    this.depths = WS_DEPTHS.filter((depth) => depth <= context.limits.maxDepth)
    this.answers = new AnswerWriter(socket, () => this.transport(), context.limits.conflateBytes)
    context.budget.add(this)
  }

  get bufferedBytes (): number {
    return this.socket.bufferedAmount
  }

  get subscriptionCount (): number {
    return this.subscriptions.size
  }

  /**
   * The hub's fan-out path: never queue without bound behind a slow reader. Both limits are
   * checked before the message is queued: this connection's (its unsent bytes plus this message;
   * a message larger than the limit still goes to a reader that had nothing pending) and the
   * global budget, which may evict other connections (or this one) to make room.
   */
  send (text: string): void {
    // A socket the peer has begun closing would drop the message silently; do not count it as sent.
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return
    const buffered = this.socket.bufferedAmount
    const pendingBefore = this.bufferedAtCork >= 0 ? this.bufferedAtCork : buffered
    if (pendingBefore > 0 && buffered + text.length > this.context.limits.maxBufferedBytes) {
      this.slowConsumer()
      return
    }
    if (!this.context.budget.admit(this, text.length)) return
    this.socket.send(text)
    this.context.onSent()
    if (this.bufferedAtCork < 0) this.context.budget.note(this, this.socket.bufferedAmount)
  }

  /** A trading answer: never dropped (plugins/ws-answer-writer.ts). */
  sendAnswer (text: string): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return
    this.answers.write(text)
    this.context.onSent()
    if (this.bufferedAtCork < 0) this.context.budget.note(this, this.socket.bufferedAmount)
  }

  /** Who order.* requests act for: the signed-in key's account, or the anonymous account with AUTH=off. */
  caller (): SignedIn | null {
    return this.identity ?? (this.context.authMode === 'off' ? ANONYMOUS : null)
  }

  cork (): void {
    this.bufferedAtCork = this.socket.bufferedAmount
    this.transport()?.cork()
  }

  uncork (): void {
    this.transport()?.uncork()
    this.bufferedAtCork = -1
    this.context.budget.note(this, this.socket.bufferedAmount)
  }

  /** The budget's eviction: the largest holders go first when every connection together holds too much. */
  evict (): void {
    this.log.debug({ session: this.id, buffered: this.socket.bufferedAmount }, 'websocket evicted: global send budget exceeded')
    this.close(CloseCode.TRY_AGAIN_LATER, 'server send budget exceeded')
  }

  /** Can this connection take a snapshot now? Checked before one is built or shared. */
  private canTakeSnapshot (): boolean {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return false
    if (this.socket.bufferedAmount > this.context.limits.maxBufferedBytes) {
      this.slowConsumer()
      return false
    }
    return true
  }

  private slowConsumer (): void {
    this.context.onSlowConsumer()
    this.log.debug({ session: this.id, buffered: this.socket.bufferedAmount }, 'websocket slow consumer closed')
    this.close(CloseCode.TRY_AGAIN_LATER, 'slow consumer: send buffer limit exceeded')
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
    this.trading?.disconnected()
    this.context.hub.removeSubscriber(this)
    this.context.l3.removeSubscriber(this)
    this.context.stats.removeSubscriber(this)
    this.context.budget.remove(this)
    this.socket.close(code, reason)
    // A peer that never completes the closing handshake must not keep the socket.
    setTimeout(() => this.socket.terminate(), 2000).unref()
  }

  ping (): void {
    this.alive = false
    this.socket.ping()
  }

  /** The `heartbeat` message: its count rises by one per message on this connection. */
  heartbeat (): void {
    this.heartbeats++
    this.send(`{"type":"heartbeat","count":${this.heartbeats},"timestamp":${this.context.now() / 1000}}`)
  }

  terminate (): void {
    this.closed = true
    // A peer that stopped answering pings has gone: its cancel_on_disconnect runs now, not at the socket's later close event.
    this.trading?.disconnected()
    this.context.budget.remove(this)
    this.socket.terminate()
  }

  /** The socket is gone: nothing of it counts any more. */
  gone (): void {
    this.closed = true
    this.trading?.disconnected()
    this.context.hub.removeSubscriber(this)
    this.context.l3.removeSubscriber(this)
    this.context.stats.removeSubscriber(this)
    this.context.budget.remove(this)
  }

  handle (data: Buffer | ArrayBuffer | Buffer[]): void {
    if (this.closed) return
    if (!this.context.available()) {
      this.close(CloseCode.TRY_AGAIN_LATER, UNAVAILABLE)
      return
    }
    const text = data.toString()
    // The same reader as HTTP bodies: duplicate keys, inexact numbers and prototype keys are refused too.
    const read = parseStrictJson(text)
    const message = read.ok ? read.value : read.parsed
    // order.* requests have limits of their own (WS_MAX_ORDERS_PER_SECOND, WS_MAX_IN_FLIGHT) and answers in
    // their order, a refusal of the JSON reader included.
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined
    if (typeof type === 'string' && type.startsWith('order.') && this.trading !== null) {
      return this.trading.request(message as object, type, read.ok ? null : { message: read.message.slice(0, 200), idUnknown: read.duplicateKey === 'id' })
    }
    if (!this.withinRate()) return
    if (message === undefined) {
      this.fault('invalid JSON', text)
      this.error(WsErrorCode.INVALID_JSON, 'message is not valid JSON', undefined)
      return
    }
    // From here the frame parsed: whatever else is wrong with it, an id it carried is echoed
    // (unless the id itself is what it repeats: then which one it meant is unknown).
    const isObject = typeof message === 'object' && message !== null && !Array.isArray(message)
    const id = isObject && !(!read.ok && read.duplicateKey === 'id') ? requestIdOf(message as object) : undefined
    if (!read.ok) {
      this.fault(read.duplicateKey === undefined ? 'refused JSON' : 'duplicate key', text)
      this.error(WsErrorCode.INVALID_JSON, read.message.slice(0, 200), id)
      return
    }
    if (!isObject || typeof type !== 'string') {
      this.error(WsErrorCode.INVALID_MESSAGE, 'message must be a JSON object with a string "type"', id)
      return
    }
    if (type === 'ping') {
      if (!checkPing.Check(message)) return this.invalid(checkPing.Errors(message).First()?.path, id)
      this.reply(id === undefined ? { type: 'pong' } : { type: 'pong', id })
    } else if (type === 'subscribe' || type === 'unsubscribe') {
      if (!checkSubscribe.Check(message)) return this.invalid(checkSubscribe.Errors(message).First()?.path, id)
      this.subscription(message, id)
    } else if (type === 'auth') {
      this.authenticate(message, id)
    } else {
      this.error(WsErrorCode.UNKNOWN_TYPE, `unknown message type "${type.slice(0, 32)}"`, id)
    }
  }

  private authenticate (message: object, id: RequestId): void {
    // Checked first: a replay of this connection's own sign-in is answered as what it is.
    if (this.identity !== null) {
      return this.error(WsErrorCode.ALREADY_AUTHENTICATED, 'this connection is already signed in; open another connection for another key', id)
    }
    if (!checkAuth.Check(message)) {
      this.invalid(checkAuth.Errors(message).First()?.path, id)
      return this.signInFailed()
    }
    if (this.context.authMode === 'off') {
      // AUTH=off: no key is checked, as on REST; the connection is the anonymous account either way.
      this.identity = ANONYMOUS
    } else {
      const timestamp = typeof message.timestamp === 'number' ? String(message.timestamp) : message.timestamp
      const verdict = this.context.signIn({
        keyId: message.api_key,
        timestamp,
        signature: message.signature,
        payload: wsSignInPayload(timestamp, this.nonce)
      })
      if (!verdict.ok) {
        this.log.debug({ session: this.id, code: verdict.code }, 'websocket sign-in refused')
        this.error(verdict.code, verdict.message, id)
        return this.signInFailed()
      }
      this.identity = verdict.value
    }
    this.cancelOnDisconnect = message.cancel_on_disconnect === true
    const answer: Record<string, unknown> = {
      type: 'authenticated', account_id: this.identity.accountId, permissions: this.identity.permissions, cancel_on_disconnect: this.cancelOnDisconnect
    }
    if (id !== undefined) answer.id = id
    this.reply(answer)
  }

  private signInFailed (): void {
    this.failedSignIns++
    if (this.failedSignIns < MAX_FAILED_SIGN_INS) return
    this.log.debug({ session: this.id }, 'websocket closed: too many failed sign-ins')
    this.close(CloseCode.POLICY_VIOLATION, 'too many failed sign-ins')
  }

  /** The account a private subscribe of this connection follows, or the error that refuses it. */
  private privateAccount (): { account: string } | { code: WsErrorCode, message: string } {
    const identity = this.caller()
    if (identity === null) return { code: WsErrorCode.AUTH_REQUIRED, message: 'sign in first: {"type":"auth", ...} over this connection\'s nonce' }
    if (!identity.permissions.includes('read')) return { code: WsErrorCode.FORBIDDEN, message: 'this API key has no read permission' }
    return { account: identity.accountId }
  }

  private subscription (message: SubscribeMessage, id: RequestId): void {
    const { hub, l3, stats, limits } = this.context
    let account: string | null = null
    // A private subscribe without a sign-in is refused before anything else about it is looked at.
    if (isPrivateChannel(message.channel) && message.type === 'subscribe') {
      const allowed = this.privateAccount()
      if ('code' in allowed) return this.error(allowed.code, allowed.message, id)
      account = allowed.account
    }
    const request = readSubscription(message, { has: (symbol) => hub.hasSymbol(symbol), list: hub.symbols }, this.depths, limits.maxDepth)
    if ('code' in request) return this.error(request.code, request.message, id)
    const { channel, isPrivate, symbol, depth, interval, key } = request
    const isL2 = channel === 'l2_updates'
    const answer: Record<string, unknown> = { type: message.type === 'subscribe' ? 'subscribed' : 'unsubscribed', channel }
    if (symbol !== null) answer.symbol = symbol
    if (isL2 && message.type === 'subscribe') {
      answer.depth = depth
      answer.interval = interval
    }
    if (channel === 'candles') answer.interval = interval
    if (id !== undefined) answer.id = id
    if (message.type === 'unsubscribe') {
      if (!this.subscriptions.delete(key)) return this.error(WsErrorCode.NOT_SUBSCRIBED, `not subscribed to ${channel}${symbol === null ? '' : ' ' + symbol}`, id)
      if (isPrivate) hub.unsubscribePrivate(this, channel as PrivateChannelName, symbol)
      else if (channel === 'l3') l3.unsubscribe(this, symbol as string)
      else if (channel === 'ticker' || channel === 'candles') stats.unsubscribe(this, channel, symbol, interval)
      else hub.unsubscribe(this, channel as 'l2_updates' | 'trades', symbol)
      return this.reply(answer)
    }
    if (!this.subscriptions.has(key) && this.subscriptions.size >= limits.maxSubscriptions) {
      return this.error(WsErrorCode.TOO_MANY_SUBSCRIPTIONS, `at most ${limits.maxSubscriptions} subscriptions per connection`, id)
    }
    // Every book subscribe (a resubscribe after a gap too) gets a snapshot, but only if this
    // connection can take one: no snapshot is even shared with a closing or backed-up socket.
    if ((isL2 || channel === 'l3') && !this.canTakeSnapshot()) return
    if (channel === 'l3') {
      // Its snapshot follows at the feed's next cut, once the journal holds what it shows.
      const joined = l3.subscribe(this, symbol as string)
      if (!joined.ok) return this.error(joined.code, joined.message, id)
    }
    this.subscriptions.add(key)
    if (account !== null) hub.subscribePrivate(this, account, channel as PrivateChannelName, symbol)
    // The feed sends the first ticker or candle itself, once the journal holds what it shows.
    else if (channel === 'ticker' || channel === 'candles') stats.subscribe(this, channel, symbol, interval)
    else if (channel === 'trades') hub.subscribe(this, channel, symbol)
    else if (isL2 && hub.pending) {
      // A snapshot shows the published book: wait for what was executed before this subscribe (a
      // client's own acknowledged order) to be published, so the snapshot holds it.
      hub.settled().then(() => this.startBook(key, symbol as string, depth, interval as UpdateInterval, answer), () => {})
      return
    } else if (isL2) {
      this.startBook(key, symbol as string, depth, interval as UpdateInterval, answer)
      return
    }
    this.reply(answer)
  }

  /** Joins the book's view and sends its snapshot, unless the subscription was dropped meanwhile. */
  private startBook (key: string, symbol: string, depth: number, interval: UpdateInterval, answer: Record<string, unknown>): void {
    if (this.closed || !this.subscriptions.has(key)) return
    this.context.hub.subscribe(this, 'l2_updates', symbol, depth, interval)
    this.reply(answer)
    this.send(this.context.hub.snapshot(symbol, depth, interval))
  }

  /** Fixed one-second windows: over the limit → error; far over → close 1008. */
  private withinRate (): boolean {
    const count = this.messages.take(this.context.now())
    const limit = this.context.limits.maxMessagesPerSecond
    if (count <= limit) return true
    if (count > limit * 2) {
      this.log.debug({ session: this.id, limit }, 'websocket closed: message flood')
      this.close(CloseCode.POLICY_VIOLATION, 'message rate limit exceeded')
    } else if (count === limit + 1) {
      this.error(WsErrorCode.RATE_LIMIT, `at most ${limit} messages per second; further messages in this second are dropped`, undefined)
    }
    return false
  }

  /** A client fault: logged at debug with a short excerpt, never as a server error. */
  private fault (what: string, text: string): void {
    this.log.debug({ session: this.id, frame: text.slice(0, 64) }, `websocket client fault: ${what}`)
  }

  private invalid (path: string | undefined, id: RequestId): void {
    this.error(WsErrorCode.INVALID_MESSAGE, `invalid field ${path === undefined || path === '' ? '(message)' : path.slice(1)}`, id)
  }

  private error (code: string, message: string, id: RequestId): void {
    this.reply(id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id })
  }
}
