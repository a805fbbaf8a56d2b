/**
 * Market-data fan-out, transport-agnostic. It listens to the engine,
 * publishes each symbol's changes once per window (once per event-loop turn
 * by default) after the journal has them, builds each message once,
 * serializes it once and hands the same string to every subscriber.
 * Subscribers of a slower interval get the window's deltas merged; one that
 * falls behind gets its own merge (backlog.ts), never a backlog of stale
 * messages. Private data goes through private-fanout.ts.
 */
import type { EngineEvent, MatchingEngine, OrderBook } from '../engine/index.js'
import { publicTradeView } from '../wire/order-views.js'
import { SymbolFeed, type FeedWindow, type L2Subscription } from './symbol-feed.js'
import type { AccountWindow } from './private-fanout.js'
import { PrivateFanout } from './private-fanout.js'
import { DepthView, INTERVAL_MS, type MergedInterval, type UpdateInterval } from './depth-view.js'
import type { Delta } from './delta-merge.js'
import type { Backlog, SymbolBacklog } from './backlog.js'
import { Laggards } from './laggards.js'
import { deltaText, stateText, tradesResyncText } from './l2-messages.js'
import { LatencyRecorder } from '../exchange/latency-recorder.js'
import { Channel, type PrivateChannel, type PublicChannel, type Subscriber } from './subscriber.js'

/** The l2 depth of a subscriber that did not ask for one. */
export const DEFAULT_DEPTH = 100
/** A behind subscriber owed more prices than this many times its depth gets a resync instead. */
const MERGE_FACTOR = 2

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
  /** Unsent bytes past which a subscriber is behind and its public data is merged (default 64 KiB). */
  readonly conflateBytes?: number
  /** Trades a behind subscriber's tail holds per symbol before it is dropped for a resync (default 1000). */
  readonly tradeTail?: number
}

export interface HubStats {
  /** Deltas built (one per depth view that changed per window, however many subscribers share it). */
  deltasPublished: number
  /** Snapshots handed out. */
  snapshotsSent: number
  /** Snapshots serialized: at most one per symbol, depth, interval and seq. */
  snapshotsBuilt: number
  /** Public messages merged into a behind subscriber's backlog instead of sent. */
  conflated: number
  /** Resync messages sent (a behind subscriber's backlog outgrew its bound). */
  resyncs: number
}

/** A REST book: the published state at seq. */
export interface PublishedDepth {
  readonly seq: number
  readonly checksum: number
  readonly bids: Array<[string, string]>
  readonly asks: Array<[string, string]>
}

/** One closed window of every symbol and account that changed in it. */
interface Cut {
  /** The engine seq when it was cut: every command up to it is in it or in a window before. */
  readonly seq: number
  readonly feeds: FeedWindow[]
  readonly accounts: AccountWindow[]
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
  private readonly privates: PrivateFanout
  private readonly laggards: Laggards
  private flushHandle: NodeJS.Timeout | NodeJS.Immediate | null = null
  /** Cut windows waiting for the journal, and the chain that publishes them in order. */
  private inFlight = 0
  private publishing: Promise<void> = Promise.resolve()
  private readonly settledWaiters: Array<{ seq: number, resolve: () => void }> = []
  /** The engine seq at which the last published window was cut. */
  private publishedThrough = -1
  private readonly timers: NodeJS.Timeout[] = []
  private detach: (() => void) | null = null
  private readonly failureListeners: Array<() => void> = []
  /** Set once the journal has failed: nothing more is published, and nothing from memory should be served. */
  failed = false
  readonly stats: HubStats = { deltasPublished: 0, snapshotsSent: 0, snapshotsBuilt: 0, conflated: 0, resyncs: 0 }
  /** Engine time of the newest command a public message reflects → handed to the socket (ms). */
  readonly writeLatency = new LatencyRecorder(16_384)

  constructor (engine: MatchingEngine, options: HubOptions) {
    this.engine = engine
    this.batchMs = options.batchMs
    this.now = options.now ?? Date.now
    this.durable = options.durable ?? (() => Promise.resolve())
    this.onPublishError = options.onPublishError ?? (() => {})
    this.privates = new PrivateFanout(engine)
    this.laggards = new Laggards(options.conflateBytes ?? 65_536, { mergeFactor: MERGE_FACTOR, tradeTail: options.tradeTail ?? 1000 }, (subscriber, backlog) => this.payBacklog(subscriber, backlog))
    const time = this.now()
    for (const book of engine.allBooks()) this.feeds.set(book.symbol, new SymbolFeed(book, engine.sequence, time))
  }

  start (): void {
    if (this.detach !== null) return
    this.detach = this.engine.addListener((events) => this.onEvents(events))
    for (const interval of Object.keys(INTERVAL_MS) as MergedInterval[]) {
      const timer = setInterval(() => this.tick(interval), INTERVAL_MS[interval])
      timer.unref()
      this.timers.push(timer)
    }
  }

  /** Stops listening and drops anything not yet sent. */
  stop (): void {
    this.detach?.()
    this.detach = null
    for (const timer of this.timers.splice(0)) clearInterval(timer)
    this.laggards.stop()
    this.cancelTimer()
    this.release()
  }

  /** Called early (a manual flush, a stop), the window's timer must not fire later for nothing. */
  private cancelTimer (): void {
    if (this.flushHandle === null) return
    if (this.batchMs === 0) clearImmediate(this.flushHandle as NodeJS.Immediate)
    else clearTimeout(this.flushHandle as NodeJS.Timeout)
    this.flushHandle = null
  }

  hasSymbol (symbol: string): boolean {
    return this.feeds.has(symbol)
  }

  /** The symbols it publishes (every configured one). */
  get symbols (): string[] {
    return [...this.feeds.keys()]
  }

  /** Subscribers that fell behind and are owed merged data now. */
  get behindCount (): number {
    return this.laggards.size
  }

  /**
   * Adds a subscription; returns false if it already existed (idempotent). An l2 subscriber
   * sees the top `depth` levels of each side at `interval`; subscribing again with another depth
   * or interval moves it (and it gets a new snapshot).
   */
  subscribe (subscriber: Subscriber, channel: PublicChannel, symbol: string | null, depth = DEFAULT_DEPTH, interval: UpdateInterval = 'raw'): boolean {
    if (channel === Channel.L2) {
      const feed = this.feed(symbol as string)
      const current = feed.l2.get(subscriber)
      if (current?.view.depth === depth && current.interval === interval) return false
      // Leaving its old view voids what it was owed of it: it gets a new snapshot, and its new view's deltas start from it.
      if (current !== undefined) this.leaveView(feed, subscriber)
      feed.join(subscriber, depth, interval)
      return current === undefined
    }
    const set = this.tradesSet(symbol)
    if (set.has(subscriber)) return false
    set.add(subscriber)
    return true
  }

  unsubscribe (subscriber: Subscriber, channel: PublicChannel, symbol: string | null): boolean {
    if (channel === Channel.L2) return this.leaveView(this.feed(symbol as string), subscriber)
    const removed = this.tradesSet(symbol).delete(subscriber)
    const backlog = this.laggards.get(subscriber)
    if (removed && backlog !== undefined) {
      for (const name of symbol === null ? this.feeds.keys() : [symbol]) {
        if (!this.followsTrades(subscriber, this.feed(name))) backlog.forgetTrades(name)
      }
    }
    return removed
  }

  /**
   * Adds a private subscription: the account's own order events or fills, of one symbol or
   * (symbol null) all. The caller has checked who the subscriber speaks for; a subscriber speaks
   * for one account for its whole life. Returns false if it already existed.
   */
  subscribePrivate (subscriber: Subscriber, accountId: string, channel: PrivateChannel, symbol: string | null): boolean {
    return this.privates.subscribe(subscriber, accountId, channel, symbol)
  }

  unsubscribePrivate (subscriber: Subscriber, channel: PrivateChannel, symbol: string | null): boolean {
    return this.privates.unsubscribe(subscriber, channel, symbol)
  }

  removeSubscriber (subscriber: Subscriber): void {
    this.allTrades.delete(subscriber)
    for (const feed of this.feeds.values()) {
      this.leaveView(feed, subscriber)
      feed.trades.delete(subscriber)
    }
    this.privates.remove(subscriber)
    this.laggards.delete(subscriber)
  }

  /** How many accounts have a private subscriber now. */
  get accountCount (): number {
    return this.privates.accountCount
  }

  /**
   * The top `depth` levels as the depth's subscribers hold them, with their seq and checksum.
   * Built once per symbol, depth, interval and seq and shared by everyone who asks meanwhile, so
   * a storm of subscribes costs one serialization per window, not one per request.
   */
  snapshot (symbol: string, depth = DEFAULT_DEPTH, interval: UpdateInterval = 'raw'): string {
    return this.stateText(symbol, this.feed(symbol).viewFor(depth), interval, 'snapshot')
  }

  /** The published book's top `levels` per side, at its seq: what a REST snapshot shows. */
  book (symbol: string, levels: number): PublishedDepth {
    const published = this.feed(symbol).published
    return {
      seq: published.seq,
      checksum: published.checksum(),
      bids: published.format(published.bids.top(levels)),
      asks: published.format(published.asks.top(levels))
    }
  }

  /** True while a window is open or waits for the journal to be published. */
  get pending (): boolean {
    return this.flushHandle !== null || this.inFlight > 0
  }

  /**
   * Resolves once what the engine has executed so far is published (at once when nothing is
   * pending): when a window cut at or after this call's engine seq has gone out, however busy the
   * engine stays meanwhile.
   */
  settled (): Promise<void> {
    if (!this.pending || this.detach === null) return Promise.resolve()
    const seq = this.engine.sequence
    return new Promise((resolve) => this.settledWaiters.push({ seq, resolve }))
  }

  subscriberCount (): number {
    const all = new Set<Subscriber>(this.allTrades)
    for (const feed of this.feeds.values()) {
      for (const s of feed.l2.keys()) all.add(s)
      for (const s of feed.trades) all.add(s)
    }
    for (const s of this.privates.subscribers()) all.add(s)
    return all.size
  }

  /** Publishes everything pending now, without waiting for the journal (tests drive windows with it). */
  flush (): void {
    this.cancelTimer()
    this.publishCut(this.cut())
  }

  /** Closes the window: what it holds is published once the journal holds it, after the windows before it. */
  private cut (): Cut {
    return { seq: this.engine.sequence, feeds: this.dirty.splice(0).map((feed) => feed.cut()), accounts: this.privates.cut() }
  }

  private publishCut (cut: Cut): void {
    for (const window of cut.feeds) {
      // One symbol's failure must not take the others down, nor escape as an unhandled rejection.
      try {
        this.publish(window)
      } catch (error) {
        this.onPublishError(error)
      }
    }
    this.privates.publish(cut.accounts, this.onPublishError)
    this.publishedThrough = cut.seq
    this.release()
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

  /** Sends each slower-interval group its merged deltas of the window. */
  tick (interval: MergedInterval): void {
    for (const feed of this.feeds.values()) {
      for (const view of feed.views.values()) {
        const group = view.groups.get(interval)
        const delta = group?.merge.take() ?? null
        if (group === undefined || delta === null) continue
        const text = deltaText(feed.published, delta)
        for (const subscriber of group.subscribers) this.deliver(subscriber, feed, view, delta, text, null, 0)
      }
    }
  }

  /** Hands each subscriber that is no longer behind what it is owed (also what a timer calls). */
  catchUp (): void {
    this.laggards.catchUp()
  }

  /** A subscriber that caught up: per symbol its merged delta (or a resync), then its trades (or a trades resync). */
  private payBacklog (subscriber: Subscriber, backlog: Backlog): void {
    subscriber.cork?.()
    for (const [symbol, owed] of backlog.symbols) {
      const feed = this.feed(symbol)
      const l2 = feed.l2.get(subscriber)
      const owedBook = l2 === undefined ? null : this.owedBook(l2.view, owed)
      if (owedBook === 'resync') {
        const { view, interval } = l2 as L2Subscription
        this.stats.resyncs++
        this.write(subscriber, this.stateText(symbol, view, interval, 'resync'), view.time)
      } else if (owedBook !== null) {
        this.write(subscriber, owedBook.text, owedBook.time)
      }
      if (owed.droppedTrades > 0) {
        this.stats.resyncs++
        this.write(subscriber, tradesResyncText(symbol, owed.droppedTrades, feed.recentTrades, this.now()), null)
      } else {
        for (const text of owed.tradeTexts) this.write(subscriber, text, null)
      }
    }
    subscriber.uncork?.()
  }

  /** What a caught-up subscriber is owed of a book: nothing, a delta's text (shared when it held a seq others held), or a resync. */
  private owedBook (view: DepthView, owed: SymbolBacklog): { text: string, time: number } | 'resync' | null {
    if (owed.bookResync) return 'resync'
    if (owed.heldSeq !== null) {
      const catchUp = view.catchUp(owed.heldSeq, view.depth * MERGE_FACTOR)
      if (catchUp.kind === 'resync') return 'resync'
      return { text: view.text(`catch-up:${owed.heldSeq}`, () => deltaText(this.feed(view.symbol).published, catchUp.delta)).text, time: catchUp.delta.time }
    }
    const delta = owed.merge.take()
    return delta === null ? null : { text: deltaText(this.feed(view.symbol).published, delta), time: delta.time }
  }

  private feed (symbol: string): SymbolFeed {
    return this.feeds.get(symbol) as SymbolFeed
  }

  /** Resolves the settled() waiters whose commands are published (all of them once nothing is pending, or the hub stopped). */
  private release (): void {
    const all = !this.pending || this.detach === null
    for (let i = 0; i < this.settledWaiters.length;) {
      const waiter = this.settledWaiters[i]
      if (all || waiter.seq <= this.publishedThrough) {
        this.settledWaiters.splice(i, 1)
        waiter.resolve()
      } else i++
    }
  }

  /**
   * The window's timer: the window is cut now, and what it holds waits for the journal to hold every
   * command in it (the durable() asked now covers exactly those), then goes out after the windows
   * before it. Commands that run meanwhile fall in the next window. A journal that failed has
   * acknowledged nothing more: the cut is dropped and the hub stops.
   */
  private flushWhenDurable (): void {
    this.flushHandle = null
    const cut = this.cut()
    const durable = this.durable()
    this.inFlight++
    this.publishing = this.publishing.then(() => durable).then(() => {
      this.inFlight--
      if (!this.failed) this.publishCut(cut)
    }, () => {
      this.inFlight--
      this.fail()
    })
  }

  private stateText (symbol: string, view: DepthView, interval: UpdateInterval, kind: 'snapshot' | 'resync'): string {
    const { text, built } = view.text(`${kind}:${interval}`, () => stateText(this.feed(symbol).published, view, interval, kind))
    if (kind === 'snapshot') {
      if (built) this.stats.snapshotsBuilt++
      this.stats.snapshotsSent++
    }
    return text
  }

  private tradesSet (symbol: string | null): Set<Subscriber> {
    if (symbol === null) return this.allTrades
    return this.feed(symbol).trades
  }

  private followsTrades (subscriber: Subscriber, feed: SymbolFeed): boolean {
    return feed.trades.has(subscriber) || this.allTrades.has(subscriber)
  }

  /** Removes an l2 subscriber and what it was owed of that book. */
  private leaveView (feed: SymbolFeed, subscriber: Subscriber): boolean {
    if (!feed.leave(subscriber)) return false
    this.laggards.get(subscriber)?.forgetBook(feed.symbol)
    return true
  }

  private onEvents (events: readonly EngineEvent[]): void {
    const allTrades = this.allTrades.size > 0
    const seq = this.engine.sequence
    const time = this.now()
    for (const event of events) {
      let feed: SymbolFeed | undefined
      if (event.type === 'trade') {
        feed = this.feeds.get(event.trade.symbol)
        feed?.addTrade(event.trade, allTrades, time)
      } else if (event.type === 'levels') {
        feed = this.feeds.get(event.symbol)
        feed?.addLevels(event.changes, seq, time)
      }
      this.privates.onEvent(event)
      if (feed?.dirty === true && !this.dirty.includes(feed)) this.dirty.push(feed)
    }
    if ((this.dirty.length > 0 || this.privates.pending) && this.flushHandle === null) {
      this.flushHandle = this.batchMs === 0 ? setImmediate(() => this.flushWhenDurable()) : setTimeout(() => this.flushWhenDurable(), this.batchMs)
    }
  }

  private publish (window: FeedWindow): void {
    const { feed, bids, asks, trades, time } = window
    feed.publish(window)
    const deltas = new Map<DepthView, { delta: Delta, text: string | null }>()
    if (bids.length > 0 || asks.length > 0) {
      for (const view of feed.views.values()) {
        // A view made by snapshot() for nobody: drop it rather than keep it in step.
        if (view.subscriberCount === 0) {
          feed.views.delete(view.depth)
          continue
        }
        const delta = view.advance(bids, asks)
        if (delta === null) continue
        this.stats.deltasPublished++
        deltas.set(view, { delta, text: view.raw.size > 0 ? deltaText(feed.published, delta) : null })
      }
    }
    let tape: string | null = null
    if (trades.length > 0) {
      const book = this.engine.book(feed.symbol) as OrderBook
      const views = trades.map((trade) => publicTradeView(trade, book.spec, this.engine))
      feed.remember(views)
      tape = JSON.stringify({ type: 'trade', symbol: feed.symbol, data: views })
    }
    // Each subscriber is visited once, with its delta then the trades, corked: one socket write.
    const visited = new Set<Subscriber>()
    const visit = (subscriber: Subscriber) => {
      if (visited.has(subscriber)) return
      visited.add(subscriber)
      const l2 = feed.l2.get(subscriber)
      const raw = l2?.interval === 'raw' ? deltas.get(l2.view) : undefined
      const follows = tape !== null && this.followsTrades(subscriber, feed)
      this.deliver(subscriber, feed, l2?.view ?? null, raw?.delta ?? null, raw?.text ?? null, follows ? tape : null, trades.length, time)
    }
    for (const [view, { text }] of deltas) if (text !== null) for (const s of view.raw) visit(s)
    if (tape !== null) {
      for (const s of feed.trades) visit(s)
      for (const s of this.allTrades) visit(s)
    }
  }

  /**
   * One subscriber's public messages of a window: sent (corked, delta first) if it keeps up,
   * merged into its backlog if it is behind.
   */
  private deliver (subscriber: Subscriber, feed: SymbolFeed, view: DepthView | null, delta: Delta | null, text: string | null, tape: string | null, trades: number, tapeTime = 0): void {
    const backlog = this.laggards.backlogOf(subscriber)
    if (backlog !== undefined) {
      if (delta !== null && view !== null) {
        this.stats.conflated++
        if (feed.l2.get(subscriber)?.interval === 'raw') backlog.hold(feed.symbol, delta)
        else backlog.addDelta(feed.symbol, delta, view.depth)
      }
      if (tape !== null) {
        this.stats.conflated++
        backlog.addTrades(feed.symbol, tape, trades)
      }
      return
    }
    subscriber.cork?.()
    if (text !== null && delta !== null) this.write(subscriber, text, delta.time)
    if (tape !== null) this.write(subscriber, tape, tapeTime)
    subscriber.uncork?.()
  }

  /** Sends and records the server-side latency from the engine time the message reflects (null: not timed). */
  private write (subscriber: Subscriber, text: string, time: number | null): void {
    subscriber.send(text)
    if (time !== null && time > 0) this.writeLatency.record(this.now() - time)
  }
}
