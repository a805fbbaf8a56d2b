/**
 * One symbol's public market-data state: the book as last published, the
 * levels changed since (last total wins) with the seq and time of the newest
 * command among them, the trades since in order, the depth views of its l2
 * subscribers, and who listens to what. Order events are private: they go to
 * their account's feed (account-feed.ts), never here.
 */
import type { LevelChange, OrderBook, Trade } from '../engine/index.js'
import { DepthView, type UpdateInterval } from './depth-view.js'
import { PublishedBook, type LevelPair } from './published-book.js'
import type { Subscriber } from './subscriber.js'

/** Public trades kept per symbol for a trades resync. */
export const RECENT_TRADES = 100

/** One closed window of a symbol: its changed levels (each once, best first), their seq and time, its trades. */
export interface FeedWindow {
  readonly feed: SymbolFeed
  readonly bids: LevelPair[]
  readonly asks: LevelPair[]
  /** -1: no level changed. */
  readonly seq: number
  readonly time: number
  readonly trades: Trade[]
}

export interface L2Subscription {
  readonly view: DepthView
  readonly interval: UpdateInterval
}

export class SymbolFeed {
  readonly symbol: string
  readonly published: PublishedBook
  readonly pendingBids = new Map<number, number>()
  readonly pendingAsks = new Map<number, number>()
  pendingSeq = -1
  pendingTime = 0
  pendingTrades: Trade[] = []
  /** Each l2 subscriber's depth view and interval. */
  readonly l2 = new Map<Subscriber, L2Subscription>()
  /** The views in use, by depth. */
  readonly views = new Map<number, DepthView>()
  readonly trades = new Set<Subscriber>()
  /** The newest public trade views (oldest first), for a trades resync. */
  recentTrades: unknown[] = []
  dirty = false

  constructor (book: OrderBook, seq: number, time: number) {
    this.symbol = book.symbol
    this.published = new PublishedBook(book, seq, time)
  }

  /** The depth's view, made from the published book if nobody holds that depth yet. */
  viewFor (depth: number): DepthView {
    let view = this.views.get(depth)
    if (view === undefined) {
      view = new DepthView(this.published, depth)
      this.views.set(depth, view)
    }
    return view
  }

  /** Puts an l2 subscriber on a depth and interval (moving it if it held another). */
  join (subscriber: Subscriber, depth: number, interval: UpdateInterval): void {
    this.leave(subscriber)
    const view = this.viewFor(depth)
    if (interval === 'raw') view.raw.add(subscriber)
    else view.group(interval).subscribers.add(subscriber)
    this.l2.set(subscriber, { view, interval })
  }

  /** Removes an l2 subscriber; a view nobody holds is dropped (it would go stale unwatched). */
  leave (subscriber: Subscriber): boolean {
    const subscription = this.l2.get(subscriber)
    if (subscription === undefined) return false
    this.l2.delete(subscriber)
    const { view, interval } = subscription
    if (interval === 'raw') view.raw.delete(subscriber)
    else {
      const group = view.groups.get(interval)
      group?.subscribers.delete(subscriber)
      // An empty group's merge would miss the deltas until someone joins again: it goes, and a
      // newcomer starts a new one from its own snapshot.
      if (group?.subscribers.size === 0) view.groups.delete(interval)
    }
    if (view.subscriberCount === 0) this.views.delete(view.depth)
    return true
  }

  /** Always kept, subscribers or not: the REST book reads the published state too. */
  addLevels (changes: readonly LevelChange[], seq: number, time: number): void {
    for (const change of changes) {
      (change.side === 'buy' ? this.pendingBids : this.pendingAsks).set(change.priceTicks, change.totalLots)
    }
    this.pendingSeq = seq
    this.pendingTime = time
    this.dirty = true
  }

  addTrade (trade: Trade, anyoneForAllSymbols: boolean, time: number): void {
    if (this.trades.size === 0 && !anyoneForAllSymbols) return
    this.pendingTrades.push(trade)
    if (this.pendingTime < time) this.pendingTime = time
    this.dirty = true
  }

  remember (tradeViews: readonly unknown[]): void {
    this.recentTrades.push(...tradeViews)
    if (this.recentTrades.length > RECENT_TRADES) this.recentTrades = this.recentTrades.slice(-RECENT_TRADES)
  }

  /**
   * Closes the window: takes its contents and resets it. The published book moves to it only when
   * it is published (publish()), once the journal holds every command in it.
   */
  cut (): FeedWindow {
    const seq = this.pendingSeq
    const bids: LevelPair[] = seq >= 0 ? [...this.pendingBids].sort((a, b) => b[0] - a[0]) : []
    const asks: LevelPair[] = seq >= 0 ? [...this.pendingAsks].sort((a, b) => a[0] - b[0]) : []
    const window: FeedWindow = { feed: this, bids, asks, seq, time: this.pendingTime, trades: this.pendingTrades }
    this.pendingBids.clear()
    this.pendingAsks.clear()
    this.pendingSeq = -1
    this.pendingTrades = []
    this.dirty = false
    return window
  }

  /** Moves the published book to a window's state. */
  publish (window: FeedWindow): void {
    if (window.seq >= 0) this.published.apply(window.bids, window.asks, window.seq, window.time)
  }
}
