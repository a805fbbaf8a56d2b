/**
 * Market-data fan-out, transport-agnostic. It listens to the engine,
 * coalesces each symbol's changes per batching window, builds each message
 * once, serializes it once and hands the same string to every subscriber.
 * One message per symbol per window is the design: message count, not bytes,
 * is what limits a gateway.
 */
import type { EngineEvent, MatchingEngine, OrderBook } from '../engine/index.js'
import { depthView } from '../wire/market-views.js'
import { orderView, publicTradeView } from '../wire/order-views.js'
import { toSeconds } from '../wire/time.js'
import { SymbolFeed } from './symbol-feed.js'
import { Channel, type Subscriber } from './subscriber.js'

export interface HubOptions {
  /** Window length in ms; 0 flushes once per event-loop turn. */
  readonly batchMs: number
  readonly now?: () => number
  /**
   * Resolves when the commands executed so far are journaled. Market data waits for it, so a
   * consumer does not see a fill that a crash right now would take back.
   */
  readonly durable?: () => Promise<void>
}

export interface HubStats {
  deltasPublished: number
  snapshotsSent: number
}

export class MarketDataHub {
  private readonly engine: MatchingEngine
  private readonly batchMs: number
  private readonly now: () => number
  private readonly durable: () => Promise<void>
  private readonly feeds = new Map<string, SymbolFeed>()
  /** Trades of every symbol. */
  private readonly allTrades = new Set<Subscriber>()
  private readonly dirty: SymbolFeed[] = []
  private flushHandle: NodeJS.Timeout | NodeJS.Immediate | null = null
  private detach: (() => void) | null = null
  readonly stats: HubStats = { deltasPublished: 0, snapshotsSent: 0 }

  constructor (engine: MatchingEngine, options: HubOptions) {
    this.engine = engine
    this.batchMs = options.batchMs
    this.now = options.now ?? Date.now
    this.durable = options.durable ?? (() => Promise.resolve())
    for (const symbol of engine.symbols) this.feeds.set(symbol, new SymbolFeed(symbol))
  }

  start (): void {
    this.detach ??= this.engine.addListener((events) => this.onEvents(events))
  }

  /** Stops listening and drops anything not yet sent. */
  stop (): void {
    this.detach?.()
    this.detach = null
    if (this.flushHandle !== null) {
      if (this.batchMs === 0) clearImmediate(this.flushHandle as NodeJS.Immediate)
      else clearTimeout(this.flushHandle as NodeJS.Timeout)
      this.flushHandle = null
    }
  }

  hasSymbol (symbol: string): boolean {
    return this.feeds.has(symbol)
  }

  /** Adds a subscription; returns false if it already existed (idempotent). */
  subscribe (subscriber: Subscriber, channel: Channel, symbol: string | null): boolean {
    const set = this.setFor(channel, symbol)
    if (set.has(subscriber)) return false
    set.add(subscriber)
    return true
  }

  unsubscribe (subscriber: Subscriber, channel: Channel, symbol: string | null): boolean {
    return this.setFor(channel, symbol).delete(subscriber)
  }

  removeSubscriber (subscriber: Subscriber): void {
    this.allTrades.delete(subscriber)
    for (const feed of this.feeds.values()) {
      feed.l2.delete(subscriber)
      feed.trades.delete(subscriber)
      feed.orders.delete(subscriber)
    }
  }

  /**
   * The whole book with the seq of the last published delta. Changes still
   * pending in the window are already in it; the next delta repeats them as
   * absolute totals, which is harmless to apply twice.
   */
  snapshot (symbol: string): string {
    const feed = this.feeds.get(symbol) as SymbolFeed
    const book = this.engine.book(symbol) as OrderBook
    this.stats.snapshotsSent++
    return JSON.stringify({
      type: 'l2_update',
      symbol,
      kind: 'snapshot',
      seq: feed.seq,
      ...depthView(book, Infinity),
      timestamp: toSeconds(this.now())
    })
  }

  subscriberCount (): number {
    const all = new Set<Subscriber>(this.allTrades)
    for (const feed of this.feeds.values()) {
      for (const set of [feed.l2, feed.trades, feed.orders]) for (const s of set) all.add(s)
    }
    return all.size
  }

  /** Sends everything pending now (also what the batching timer calls). */
  flush (): void {
    this.flushHandle = null
    const feeds = this.dirty.splice(0)
    for (const feed of feeds) this.publish(feed)
  }

  /** A journal that failed has acknowledged nothing more: its pending market data is dropped. */
  private flushWhenDurable (): void {
    this.durable().then(() => this.flush(), () => {
      this.flushHandle = null
      for (const feed of this.dirty.splice(0)) feed.drain()
    })
  }

  private setFor (channel: Channel, symbol: string | null): Set<Subscriber> {
    if (channel === Channel.TRADES && symbol === null) return this.allTrades
    const feed = this.feeds.get(symbol as string) as SymbolFeed
    if (channel === Channel.L2) return feed.l2
    return channel === Channel.TRADES ? feed.trades : feed.orders
  }

  private onEvents (events: readonly EngineEvent[]): void {
    const allTrades = this.allTrades.size > 0
    for (const event of events) {
      let feed: SymbolFeed | undefined
      if (event.type === 'trade') {
        feed = this.feeds.get(event.trade.symbol)
        feed?.addTrade(event.trade, allTrades)
      } else if (event.type === 'order') {
        feed = this.feeds.get(event.order.symbol)
        feed?.addOrderEvent(event.eventType, event.order)
      } else {
        feed = this.feeds.get(event.symbol)
        feed?.addLevels(event.changes)
      }
      if (feed?.dirty === true && !this.dirty.includes(feed)) this.dirty.push(feed)
    }
    if (this.dirty.length > 0 && this.flushHandle === null) {
      this.flushHandle = this.batchMs === 0 ? setImmediate(() => this.flushWhenDurable()) : setTimeout(() => this.flushWhenDurable(), this.batchMs)
    }
  }

  private publish (feed: SymbolFeed): void {
    const { hasLevels, bids, asks, trades, orders } = feed.drain()
    const book = this.engine.book(feed.symbol) as OrderBook
    const { tick, lot } = book.spec
    const timestamp = toSeconds(this.now())
    let delta: string | null = null
    let tape: string | null = null
    let events: string | null = null
    if (hasLevels) {
      feed.seq++
      this.stats.deltasPublished++
      const format = (levels: Array<[number, number]>) => levels.map(([p, q]) => [tick.format(p), lot.format(q)])
      delta = JSON.stringify({ type: 'l2_update', symbol: feed.symbol, kind: 'delta', seq: feed.seq, bids: format(bids), asks: format(asks), timestamp })
    }
    if (trades.length > 0) {
      tape = JSON.stringify({ type: 'trade', symbol: feed.symbol, data: trades.map((trade) => publicTradeView(trade, book.spec, this.engine)) })
    }
    if (orders.length > 0) {
      events = JSON.stringify({
        type: 'order_event',
        symbol: feed.symbol,
        data: orders.map(({ eventType, order }) => ({ event_type: eventType, ...orderView(order, book.spec) }))
      })
    }
    this.deliver(feed, delta, tape, events)
  }

  /**
   * Hands each subscriber its messages of the window together (delta, then
   * trades, then order events), corked, so they leave in one socket write:
   * per-message writes were most of the gateway's time at 1,000 consumers,
   * and sending all deltas before any trade made trades wait for the whole
   * fan-out. Each subscriber is visited once even if it is in several sets.
   */
  private deliver (feed: SymbolFeed, delta: string | null, tape: string | null, events: string | null): void {
    const sets: Array<Set<Subscriber>> = []
    if (delta !== null) sets.push(feed.l2)
    if (tape !== null) sets.push(feed.trades, this.allTrades)
    if (events !== null) sets.push(feed.orders)
    for (let i = 0; i < sets.length; i++) {
      for (const subscriber of sets[i]) {
        if (seenEarlier(sets, i, subscriber)) continue
        subscriber.cork?.()
        if (delta !== null && feed.l2.has(subscriber)) subscriber.send(delta)
        if (tape !== null && (feed.trades.has(subscriber) || this.allTrades.has(subscriber))) subscriber.send(tape)
        if (events !== null && feed.orders.has(subscriber)) subscriber.send(events)
        subscriber.uncork?.()
      }
    }
  }
}

function seenEarlier (sets: ReadonlyArray<Set<Subscriber>>, index: number, subscriber: Subscriber): boolean {
  for (let j = 0; j < index; j++) if (sets[j].has(subscriber)) return true
  return false
}
