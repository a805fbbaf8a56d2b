/**
 * Test helpers for the /ws gateway: a real `ws` client that buffers every
 * JSON message it receives (listeners attach before anything is sent), an
 * L2 book rebuilt from snapshot + deltas, and small REST helpers. Every wait
 * is bounded: a missing message fails with a clear error, never hangs.
 */
import WebSocket, { type ClientOptions } from 'ws'
import type { Socket } from 'node:net'
import { request } from 'undici'
import { checksumOf } from '../helpers/l2-client.js'

export interface WsMessage {
  type: string
  [key: string]: unknown
}

export type Level = [string, string]

export interface L2Message extends WsMessage {
  type: 'l2_update'
  symbol: string
  kind: 'snapshot' | 'delta'
  seq: number
  prev_seq?: number
  checksum: number
  bids: Level[]
  asks: Level[]
  timestamp: number
}

export interface CloseInfo { code: number, reason: string }

type Predicate = (m: WsMessage) => boolean

interface Waiter {
  predicate: Predicate
  resolve: (m: WsMessage) => void
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Rejects with `what` after ms unless the promise settles first. */
export function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Polls check() until it is true; fails with `what` after ms. */
export async function until (check: () => boolean | Promise<boolean>, ms: number, what: string, every = 10): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(every)
  }
}

export const isType = (type: string, extra: (m: WsMessage) => boolean = () => true): Predicate =>
  (m) => m.type === type && extra(m)
export const isDelta = (symbol: string): Predicate => (m) => m.type === 'l2_update' && m.kind === 'delta' && m.symbol === symbol
export const isSnapshot = (symbol: string): Predicate => (m) => m.type === 'l2_update' && m.kind === 'snapshot' && m.symbol === symbol

let nextId = 1

export class TestClient {
  readonly ws: WebSocket
  /** Every message ever received, in order. */
  readonly received: WsMessage[] = []
  /** Messages not yet taken by next(). */
  private queue: WsMessage[] = []
  private waiters: Waiter[] = []
  readonly errors: Error[] = []
  readonly opened: Promise<void>
  readonly closed: Promise<CloseInfo>
  closeInfo: CloseInfo | null = null
  /** Protocol-level pings received from the server. */
  pings = 0
  /** Called on every message (for running checks such as book reconstruction). */
  onMessage: ((m: WsMessage) => void) | null = null

  constructor (url: string, options: ClientOptions = {}) {
    this.ws = new WebSocket(url, options)
    // Listeners first: the server sends `connected` as soon as the upgrade completes.
    this.ws.on('message', (data) => this.receive(String(data)))
    this.ws.on('error', (error) => { this.errors.push(error) })
    this.ws.on('ping', () => { this.pings++ })
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() }
        resolve(this.closeInfo)
      })
    })
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve())
      this.ws.once('close', (code) => reject(new Error(`closed with ${code} before open`)))
    })
    this.opened.catch(() => {})
  }

  private receive (text: string): void {
    const message = JSON.parse(text) as WsMessage
    this.received.push(message)
    this.onMessage?.(message)
    const index = this.waiters.findIndex((w) => w.predicate(message))
    if (index >= 0) {
      const [waiter] = this.waiters.splice(index, 1)
      waiter.resolve(message)
    } else {
      this.queue.push(message)
    }
  }

  /** The first not-yet-taken message matching predicate; waits up to timeoutMs. */
  next<T extends WsMessage = WsMessage> (predicate: Predicate = () => true, timeoutMs = 2000, what = 'a matching message'): Promise<T> {
    const index = this.queue.findIndex(predicate)
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0] as T)
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m as T)
        }
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        const recent = this.received.slice(-5).map((m) => JSON.stringify(m).slice(0, 160))
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last received: ${recent.join(' | ') || '(nothing)'}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** Not-yet-taken messages matching predicate, removed from the queue. */
  take (predicate: Predicate): WsMessage[] {
    const taken = this.queue.filter(predicate)
    this.queue = this.queue.filter((m) => !predicate(m))
    return taken
  }

  /** Waits ms, then returns (and takes) every queued message matching predicate. */
  async quiet (ms: number, predicate: Predicate = () => true): Promise<WsMessage[]> {
    await sleep(ms)
    return this.take(predicate)
  }

  send (message: unknown): void {
    this.ws.send(JSON.stringify(message))
  }

  sendRaw (data: string | Buffer): void {
    this.ws.send(data)
  }

  /** Sends message with a fresh id and waits for the reply carrying that id. */
  async request<T extends WsMessage = WsMessage> (message: Record<string, unknown>, timeoutMs = 2000): Promise<T> {
    const id = `r${nextId++}`
    this.send({ ...message, id })
    return this.next<T>((m) => m.id === id, timeoutMs, `the reply to ${JSON.stringify(message)}`)
  }

  /** A ping/pong round trip: proves the connection is open and served. */
  async roundTrip (timeoutMs = 2000): Promise<boolean> {
    const reply = await this.request({ type: 'ping' }, timeoutMs)
    return reply.type === 'pong'
  }

  /** Subscribes and waits for `subscribed` (and, for l2, the snapshot of the depth asked, or the default). */
  async subscribe (channel: string, symbol?: string, depth?: number | 'full', interval?: string): Promise<L2Message | null> {
    const message: Record<string, unknown> = { type: 'subscribe', channel }
    if (symbol !== undefined) message.symbol = symbol
    if (depth !== undefined) message.depth = depth
    if (interval !== undefined) message.interval = interval
    const reply = await this.request(message)
    if (reply.type !== 'subscribed') throw new Error(`subscribe ${channel} ${symbol ?? ''} answered ${JSON.stringify(reply)}`)
    if (channel !== 'l2_updates') return null
    return this.next<L2Message>(isSnapshot(String(symbol).toUpperCase()), 2000, `the ${symbol} snapshot`)
  }

  /** The underlying TCP socket (to pause reading in slow-consumer tests). */
  get socket (): Socket {
    return (this.ws as unknown as { _socket: Socket })._socket
  }

  async close (): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate()
    else this.ws.close(1000)
    await within(this.closed, 2000, 'the client close').catch(() => this.ws.terminate())
  }
}

/** Connects and waits for the `connected` greeting. */
export async function connect (url: string, options: ClientOptions = {}): Promise<{ client: TestClient, connected: WsMessage }> {
  const client = new TestClient(url, options)
  await within(client.opened, 2000, `the WebSocket open of ${url}`)
  const connected = await client.next(isType('connected'), 2000, 'the connected message')
  return { client, connected }
}

/**
 * An L2 book rebuilt from a snapshot (or resync) and the deltas after it, as the README tells a client
 * to: a delta whose seq is not past the book's is old and dropped; one whose prev_seq is past it is a
 * gap; after every message the book's checksum must be the message's (computed here independently of
 * the server's code: the README's string, zlib's CRC-32).
 */
export class L2Book {
  readonly bids = new Map<string, string>()
  readonly asks = new Map<string, string>()
  seq = -1
  deltas = 0
  /** Deltas dropped as older than the book (only after a snapshot lined up mid-window). */
  dropped = 0
  readonly gaps: string[] = []
  readonly checksumMismatches: string[] = []

  apply (m: L2Message): void {
    if (m.kind === 'snapshot' || (m as { type: string }).type === 'resync') {
      this.bids.clear()
      this.asks.clear()
      this.seq = m.seq
    } else {
      if (this.seq < 0) throw new Error('delta before any snapshot')
      if (m.seq <= this.seq) {
        this.dropped++
        return
      }
      if ((m.prev_seq as number) > this.seq) this.gaps.push(`held seq ${this.seq}, got a delta from ${String(m.prev_seq)} to ${m.seq}`)
      this.seq = m.seq
      this.deltas++
    }
    for (const [price, qty] of m.bids) setLevel(this.bids, price, qty)
    for (const [price, qty] of m.asks) setLevel(this.asks, price, qty)
    const mine = checksumOf(this.levels())
    if (mine !== m.checksum) this.checksumMismatches.push(`seq ${m.seq}: server ${String(m.checksum)}, client ${mine}`)
  }

  levels (): { bids: Level[], asks: Level[] } {
    const sorted = (side: Map<string, string>, dir: number) =>
      [...side].sort((a, b) => dir * (Number(a[0]) - Number(b[0])))
    return { bids: sorted(this.bids, -1), asks: sorted(this.asks, 1) }
  }
}

function setLevel (side: Map<string, string>, price: string, qty: string): void {
  if (qty === '0') side.delete(price)
  else side.set(price, qty)
}

/** A client message handler that feeds one symbol's l2 messages into book. */
export function feed (book: L2Book, symbol: string): (m: WsMessage) => void {
  return (m) => {
    const resync = m.type === 'resync' && m.channel === 'l2_updates'
    if ((m.type === 'l2_update' || resync) && m.symbol === symbol) book.apply(m as L2Message)
  }
}

// REST ------------------------------------------------------------------

export interface OrderInput {
  symbol?: string
  side: 'buy' | 'sell'
  order_type?: 'limit' | 'market' | 'ioc' | 'fok'
  quantity: string
  price?: string
  client_order_id?: string
}

export async function rest<T = Record<string, unknown>> (baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number, body: T }> {
  const response = await request(baseUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 5000,
    bodyTimeout: 5000
  })
  return { status: response.statusCode, body: await response.body.json() as T }
}

/** POST /order that must succeed; the symbol defaults to BTC-USDT, the type to limit. */
export async function placeOrder (baseUrl: string, order: OrderInput): Promise<Record<string, unknown>> {
  const { status, body } = await rest(baseUrl, 'POST', '/order', { symbol: 'BTC-USDT', order_type: 'limit', ...order })
  if (status !== 200) throw new Error(`POST /order ${JSON.stringify(order)} → ${status} ${JSON.stringify(body)}`)
  return body
}

export async function getBook (baseUrl: string, symbol: string, levels = 100): Promise<{ bids: Level[], asks: Level[] }> {
  const { status, body } = await rest<{ bids: Level[], asks: Level[] }>(baseUrl, 'GET', `/book/${symbol}?levels=${levels}`)
  if (status !== 200) throw new Error(`GET /book/${symbol} → ${status}`)
  return { bids: body.bids, asks: body.asks }
}

export interface GatewayFigures {
  connections: number
  subscriptions: number
  messages_sent: number
  slow_consumer_disconnects: number
  refused_connections: number
  refused_origins: number
  snapshots_sent: number
  snapshots_built: number
  budget_evictions: number
  buffered_bytes: number
  behind_subscribers: number
  conflated_messages: number
  resyncs: number
  max_buffered_bytes: number
  trading_requests: number
  trading_in_flight: number
  cancel_on_disconnect_fired: number
  cancel_after_fired: number
  publish_to_write_ms: { count: number, p50: number, p99: number, max: number }
}

export async function gatewayStats (baseUrl: string): Promise<GatewayFigures> {
  const { body } = await rest<{ gateway: GatewayFigures }>(baseUrl, 'GET', '/statistics')
  return body.gateway
}

export async function healthConnections (baseUrl: string): Promise<number> {
  const { body } = await rest<{ connections: number }>(baseUrl, 'GET', '/health')
  return body.connections
}
