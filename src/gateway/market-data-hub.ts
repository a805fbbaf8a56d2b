/**
 * Market-data fan-out, transport-agnostic. It listens to the engine,
 * coalesces each symbol's changes per batching window, builds each message
 * once, serializes it once and hands the same string to every subscriber.
 * One message per symbol per window is the design: message count, not bytes,
 * is what limits a gateway. Private data (an account's order events and
 * fills) goes the same way per account: serialized once per account, symbol
 * and window, and sent only to that account's connections.
 */
import type { EngineEvent, MatchingEngine, OrderBook, Trade } from '../engine/index.js'
import { fillView, orderView, publicTradeView } from '../wire/order-views.js'
import { toSeconds } from '../wire/time.js'
import { SymbolFeed } from './symbol-feed.js'
import { AccountFeed } from './account-feed.js'
import { DepthView, type LevelPair } from './depth-view.js'
import { Channel, type PrivateChannel, type PublicChannel, type Subscriber } from './subscriber.js'

/** The l2 depth of a subscriber that did not ask for one. */
export const DEFAULT_DEPTH = 100

export interface HubOptions {
  /** Window length in ms; 0 flushes once per event-loop turn. */
  readonly batchMs: number
  readonly now?: () => number
  /**
   * Resolves when the commands executed so far are journaled. Market data waits for it, so a
   * consumer does not see a fill that a crash right now would take back.
   */
  readonly durable?: () => Promise<void>
  /** Told of a symbol's window that could not be published (a bug): the other symbols still go out. */
  readonly onPublishError?: (error: unknown) => void
}

export interface HubStats {
  /** Deltas built (one per depth view that changed per window, however many subscribers share it). */
  deltasPublished: number
  /** Snapshots handed out. */
  snapshotsSent: number
  /** Snapshots serialized: at most one per symbol, depth and seq. */
  snapshotsBuilt: number
}

export class MarketDataHub {
  private readonly engine: MatchingEngine
  private readonly batchMs: number
  private readonly now: () => number
  private readonly durable: () => Promise<void>
  private readonly onPublishError: (error: unknown) => void
  private readonly feeds = new Map<string, SymbolFeed>()
  /** Trades of every symbol. */
  private readonly allTrades = new Set<Subscriber>()
  private readonly dirty: SymbolFeed[] = []
  /** Feeds of the accounts that have a private subscriber now, and which account each such subscriber speaks for. */
  private readonly accounts = new Map<string, AccountFeed>()
  private readonly accountOf = new Map<Subscriber, AccountFeed>()
  private readonly dirtyAccounts: AccountFeed[] = []
  private flushHandle: NodeJS.Timeout | NodeJS.Immediate | null = null
  private detach: (() => void) | null = null
  private readonly failureListeners: Array<() => void> = []
  /** Set once the journal has failed: nothing more is published, and nothing from memory should be served. */
  failed = false
  readonly stats: HubStats = { deltasPublished: 0, snapshotsSent: 0, snapshotsBuilt: 0 }

  constructor (engine: MatchingEngine, options: HubOptions) {
    this.engine = engine
    this.batchMs = options.batchMs
    this.now = options.now ?? Date.now
    this.durable = options.durable ?? (() => Promise.resolve())
    this.onPublishError = options.onPublishError ?? (() => {})
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

  /** The symbols it publishes (every configured one). */
  get symbols (): string[] {
    return [...this.feeds.keys()]
  }

  /**
   * Adds a subscription; returns false if it already existed (idempotent). An l2 subscriber
   * sees the top `depth` levels of each side; subscribing again with another depth moves it.
   */
  subscribe (subscriber: Subscriber, channel: PublicChannel, symbol: string | null, depth = DEFAULT_DEPTH): boolean {
    if (channel === Channel.L2) {
      const feed = this.feeds.get(symbol as string) as SymbolFeed
      const current = feed.l2.get(subscriber)
      if (current?.depth === depth) return false
      if (current !== undefined) this.leaveView(feed, subscriber)
      const view = this.viewFor(feed, depth)
      view.subscribers.add(subscriber)
      feed.l2.set(subscriber, view)
      return current === undefined
    }
    const set = this.tradesSet(symbol)
    if (set.has(subscriber)) return false
    set.add(subscriber)
    return true
  }

  unsubscribe (subscriber: Subscriber, channel: PublicChannel, symbol: string | null): boolean {
    if (channel === Channel.L2) return this.leaveView(this.feeds.get(symbol as string) as SymbolFeed, subscriber)
    return this.tradesSet(symbol).delete(subscriber)
  }

  /**
   * Adds a private subscription: the account's own order events or fills, of one symbol or
   * (symbol null) all. The caller has checked who the subscriber speaks for; a subscriber speaks
   * for one account for its whole life. Returns false if it already existed.
   */
  subscribePrivate (subscriber: Subscriber, accountId: string, channel: PrivateChannel, symbol: string | null): boolean {
    const current = this.accountOf.get(subscriber)
    if (current !== undefined && current.accountId !== accountId) {
      throw new Error('a subscriber speaks for one account only')
    }
    let feed = this.accounts.get(accountId)
    if (feed === undefined) {
      feed = new AccountFeed(accountId)
      this.accounts.set(accountId, feed)
    }
    this.accountOf.set(subscriber, feed)
    return feed.subscribe(subscriber, channel, symbol)
  }

  unsubscribePrivate (subscriber: Subscriber, channel: PrivateChannel, symbol: string | null): boolean {
    const feed = this.accountOf.get(subscriber)
    if (feed === undefined || !feed.unsubscribe(subscriber, channel, symbol)) return false
    if (!feed.members.has(subscriber)) this.leaveAccount(feed, subscriber)
    return true
  }

  removeSubscriber (subscriber: Subscriber): void {
    this.allTrades.delete(subscriber)
    for (const feed of this.feeds.values()) {
      this.leaveView(feed, subscriber)
      feed.trades.delete(subscriber)
    }
    const account = this.accountOf.get(subscriber)
    if (account !== undefined) {
      account.remove(subscriber)
      this.leaveAccount(account, subscriber)
    }
  }

  /** How many accounts have a private subscriber now. */
  get accountCount (): number {
    return this.accounts.size
  }

  /**
   * The top `depth` levels as the depth's subscribers hold them, with its seq: the next delta of
   * that depth is seq + 1. Built once per symbol, depth and seq and shared by everyone who asks
   * meanwhile, so a storm of subscribes costs one serialization per window, not one per request.
   */
  snapshot (symbol: string, depth = DEFAULT_DEPTH): string {
    const feed = this.feeds.get(symbol) as SymbolFeed
    const book = this.engine.book(symbol) as OrderBook
    const view = this.viewFor(feed, depth)
    const { tick, lot } = book.spec
    const format = (levels: ReadonlyMap<number, number>) => Array.from(levels, ([p, q]) => [tick.format(p), lot.format(q)])
    const { text, built } = view.snapshot((bids, asks) => JSON.stringify({
      type: 'l2_update',
      symbol,
      kind: 'snapshot',
      seq: view.seq,
      depth,
      bids: format(bids),
      asks: format(asks),
      timestamp: toSeconds(this.now())
    }))
    if (built) this.stats.snapshotsBuilt++
    this.stats.snapshotsSent++
    return text
  }

  subscriberCount (): number {
    const all = new Set<Subscriber>(this.allTrades)
    for (const feed of this.feeds.values()) {
      for (const s of feed.l2.keys()) all.add(s)
      for (const s of feed.trades) all.add(s)
    }
    for (const s of this.accountOf.keys()) all.add(s)
    return all.size
  }

  /** Sends everything pending now (also what the batching timer calls). */
  flush (): void {
    this.flushHandle = null
    const feeds = this.dirty.splice(0)
    for (const feed of feeds) {
      // One symbol's failure must not take the others down, nor escape as an unhandled rejection.
      try {
        this.publish(feed)
      } catch (error) {
        this.onPublishError(error)
      }
    }
    for (const account of this.dirtyAccounts.splice(0)) {
      try {
        this.publishAccount(account)
      } catch (error) {
        this.onPublishError(error)
      }
    }
  }

  /** A journal that failed has acknowledged nothing more: its pending market data is dropped. */
  private flushWhenDurable (): void {
    this.durable().then(() => this.flush(), () => {
      this.flushHandle = null
      for (const feed of this.dirty.splice(0)) feed.drain()
      for (const account of this.dirtyAccounts.splice(0)) account.drain()
      this.fail()
    })
  }

  /**
   * Stops for good because the journal failed: views are behind the book and the book may hold what
   * was never acknowledged. The gateway is told once (it closes its sessions). Idempotent.
   */
  fail (): void {
    if (this.failed) return
    this.failed = true
    this.stop()
    for (const listener of this.failureListeners) listener()
  }

  /** Called once when the hub stops for good because the journal failed (the gateway closes its sessions). */
  onFailure (listener: () => void): void {
    this.failureListeners.push(listener)
  }

  private tradesSet (symbol: string | null): Set<Subscriber> {
    if (symbol === null) return this.allTrades
    return (this.feeds.get(symbol) as SymbolFeed).trades
  }

  /** Forgets the subscriber's account once it holds no private subscription; an account nobody follows is dropped. */
  private leaveAccount (feed: AccountFeed, subscriber: Subscriber): void {
    this.accountOf.delete(subscriber)
    if (feed.empty) {
      this.accounts.delete(feed.accountId)
      // Its pending window goes with it: nobody is left to receive it.
      feed.drain()
    }
  }

  /** The depth's view, made from the book as it is now if nobody holds that depth yet. */
  private viewFor (feed: SymbolFeed, depth: number): DepthView {
    let view = feed.views.get(depth)
    if (view === undefined) {
      // A view made again after its last subscriber left starts a new state: it continues the seq, never repeats one.
      const last = feed.lastSeq.get(depth)
      view = new DepthView(this.engine.book(feed.symbol) as OrderBook, depth, last === undefined ? 0 : last + 1)
      feed.views.set(depth, view)
    }
    return view
  }

  /** Removes an l2 subscriber; a view nobody holds is dropped (it would go stale unwatched). */
  private leaveView (feed: SymbolFeed, subscriber: Subscriber): boolean {
    const view = feed.l2.get(subscriber)
    if (view === undefined) return false
    feed.l2.delete(subscriber)
    view.subscribers.delete(subscriber)
    if (view.subscribers.size === 0) this.dropView(feed, view)
    return true
  }

  private dropView (feed: SymbolFeed, view: DepthView): void {
    feed.views.delete(view.depth)
    feed.lastSeq.set(view.depth, view.seq)
  }

  private onEvents (events: readonly EngineEvent[]): void {
    const allTrades = this.allTrades.size > 0
    const anyAccount = this.accounts.size > 0
    for (const event of events) {
      let feed: SymbolFeed | undefined
      if (event.type === 'trade') {
        feed = this.feeds.get(event.trade.symbol)
        feed?.addTrade(event.trade, allTrades)
        if (anyAccount) this.addFills(event.trade)
      } else if (event.type === 'order') {
        if (anyAccount) {
          const account = this.accounts.get(event.order.accountId)
          account?.addOrderEvent(event.eventType, event.order)
          if (account !== undefined) this.markAccount(account)
        }
      } else {
        feed = this.feeds.get(event.symbol)
        feed?.addLevels(event.changes)
      }
      if (feed?.dirty === true && !this.dirty.includes(feed)) this.dirty.push(feed)
    }
    if ((this.dirty.length > 0 || this.dirtyAccounts.length > 0) && this.flushHandle === null) {
      this.flushHandle = this.batchMs === 0 ? setImmediate(() => this.flushWhenDurable()) : setTimeout(() => this.flushWhenDurable(), this.batchMs)
    }
  }

  /** A trade is a fill of each side's account: two fills of one account when it traded with itself. */
  private addFills (trade: Trade): void {
    const maker = this.accounts.get(trade.makerAccountId)
    if (maker !== undefined) {
      maker.addFill(trade, 'maker')
      this.markAccount(maker)
    }
    const taker = this.accounts.get(trade.takerAccountId)
    if (taker !== undefined) {
      taker.addFill(trade, 'taker')
      this.markAccount(taker)
    }
  }

  private markAccount (account: AccountFeed): void {
    if (account.dirty && !account.queued) {
      account.queued = true
      this.dirtyAccounts.push(account)
    }
  }

  private publish (feed: SymbolFeed): void {
    const { hasLevels, bids, asks, trades } = feed.drain()
    const book = this.engine.book(feed.symbol) as OrderBook
    const { tick, lot } = book.spec
    const timestamp = toSeconds(this.now())
    const deltas = new Map<DepthView, string>()
    let tape: string | null = null
    if (hasLevels) {
      const format = (levels: LevelPair[]) => levels.map(([p, q]) => [tick.format(p), lot.format(q)])
      for (const view of feed.views.values()) {
        // A view made by snapshot() for nobody: drop it rather than keep it in step.
        if (view.subscribers.size === 0) {
          this.dropView(feed, view)
          continue
        }
        const delta = view.advance(book, bids, asks)
        if (delta === null) continue
        this.stats.deltasPublished++
        deltas.set(view, JSON.stringify({ type: 'l2_update', symbol: feed.symbol, kind: 'delta', seq: view.seq, bids: format(delta.bids), asks: format(delta.asks), timestamp }))
      }
    }
    if (trades.length > 0) {
      tape = JSON.stringify({ type: 'trade', symbol: feed.symbol, data: trades.map((trade) => publicTradeView(trade, book.spec, this.engine)) })
    }
    this.deliver(feed, deltas, tape)
  }

  /**
   * One account's window: one order_event message per symbol and one fill message per fill, each
   * serialized once; every connection of the account gets those of the symbols it follows, corked
   * together, order events first.
   */
  private publishAccount (account: AccountFeed): void {
    const { orders, fills } = account.drain()
    // The account's last subscriber may have left during the window.
    if (account.empty) return
    const events: Array<{ symbol: string, text: string }> = []
    for (const [symbol, list] of orders) {
      const spec = (this.engine.book(symbol) as OrderBook).spec
      events.push({
        symbol,
        text: JSON.stringify({
          type: 'order_event',
          symbol,
          data: list.map(({ eventType, order }) => ({ event_type: eventType, ...orderView(order, spec) }))
        })
      })
    }
    const fillTexts = fills.map(({ trade, role }) => ({
      symbol: trade.symbol,
      text: JSON.stringify({ type: 'fill', ...fillView(trade, role, (this.engine.book(trade.symbol) as OrderBook).spec, this.engine) })
    }))
    for (const subscriber of account.members.keys()) {
      subscriber.cork?.()
      for (const { symbol, text } of events) if (account.orders.has(subscriber, symbol)) subscriber.send(text)
      for (const { symbol, text } of fillTexts) if (account.fills.has(subscriber, symbol)) subscriber.send(text)
      subscriber.uncork?.()
    }
  }

  /**
   * Hands each subscriber its messages of the window together (delta, then
   * trades), corked, so they leave in one socket write:
   * per-message writes were most of the gateway's time at 1,000 consumers,
   * and sending all deltas before any trade made trades wait for the whole
   * fan-out. Each subscriber is visited once even if it is in several sets.
   */
  private deliver (feed: SymbolFeed, deltas: ReadonlyMap<DepthView, string>, tape: string | null): void {
    const sets: Array<ReadonlySet<Subscriber>> = []
    for (const view of deltas.keys()) sets.push(view.subscribers)
    if (tape !== null) sets.push(feed.trades, this.allTrades)
    for (let i = 0; i < sets.length; i++) {
      for (const subscriber of sets[i]) {
        if (seenEarlier(sets, i, subscriber)) continue
        subscriber.cork?.()
        const view = feed.l2.get(subscriber)
        const delta = view === undefined ? undefined : deltas.get(view)
        if (delta !== undefined) subscriber.send(delta)
        if (tape !== null && (feed.trades.has(subscriber) || this.allTrades.has(subscriber))) subscriber.send(tape)
        subscriber.uncork?.()
      }
    }
  }
}

function seenEarlier (sets: ReadonlyArray<ReadonlySet<Subscriber>>, index: number, subscriber: Subscriber): boolean {
  for (let j = 0; j < index; j++) if (sets[j].has(subscriber)) return true
  return false
}
