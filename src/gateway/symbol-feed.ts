/**
 * One symbol's public market-data state between two flushes: the levels
 * changed in the window (last total wins), the trades in order, the depth
 * views of its l2 subscribers, and who listens to what. Order events are
 * private: they go to their account's feed (account-feed.ts), never here.
 */
import type { LevelChange, Trade } from '../engine/index.js'
import type { DepthView } from './depth-view.js'
import type { Subscriber } from './subscriber.js'

export class SymbolFeed {
  readonly symbol: string
  readonly pendingBids = new Map<number, number>()
  readonly pendingAsks = new Map<number, number>()
  pendingTrades: Trade[] = []
  /** Each l2 subscriber's depth view. */
  readonly l2 = new Map<Subscriber, DepthView>()
  /** The views in use, by depth. */
  readonly views = new Map<number, DepthView>()
  /** The last seq of a depth whose view was dropped (no subscriber left), so a new one continues after it. */
  readonly lastSeq = new Map<number, number>()
  readonly trades = new Set<Subscriber>()
  dirty = false

  constructor (symbol: string) {
    this.symbol = symbol
  }

  addLevels (changes: readonly LevelChange[]): void {
    // Without a depth view nobody needs the change: a view made later starts from the book as it is then.
    if (this.views.size === 0) return
    for (const change of changes) {
      (change.side === 'buy' ? this.pendingBids : this.pendingAsks).set(change.priceTicks, change.totalLots)
    }
    this.dirty = true
  }

  addTrade (trade: Trade, anyoneForAllSymbols: boolean): void {
    if (this.trades.size === 0 && !anyoneForAllSymbols) return
    this.pendingTrades.push(trade)
    this.dirty = true
  }

  /** Takes the window's contents and resets it. */
  drain () {
    const hasLevels = this.pendingBids.size > 0 || this.pendingAsks.size > 0
    const bids = hasLevels ? [...this.pendingBids].sort((a, b) => b[0] - a[0]) : []
    const asks = hasLevels ? [...this.pendingAsks].sort((a, b) => a[0] - b[0]) : []
    this.pendingBids.clear()
    this.pendingAsks.clear()
    const trades = this.pendingTrades
    this.pendingTrades = []
    this.dirty = false
    return { hasLevels, bids, asks, trades }
  }
}
