/**
 * One symbol's market-data state between two flushes: the levels changed in
 * the window (last total wins), the trades and order events in order, the
 * depth views of its l2 subscribers, and who listens to what.
 */
import type { LevelChange, OrderSnapshot, OrderEventType, Trade } from '../engine/index.js'
import type { DepthView } from './depth-view.js'
import type { Subscriber } from './subscriber.js'

export class SymbolFeed {
  readonly symbol: string
  readonly pendingBids = new Map<number, number>()
  readonly pendingAsks = new Map<number, number>()
  pendingTrades: Trade[] = []
  pendingOrders: Array<{ eventType: OrderEventType, order: OrderSnapshot }> = []
  /** Each l2 subscriber's depth view. */
  readonly l2 = new Map<Subscriber, DepthView>()
  /** The views in use, by depth. */
  readonly views = new Map<number, DepthView>()
  /** The last seq of a depth whose view was dropped (no subscriber left), so a new one continues after it. */
  readonly lastSeq = new Map<number, number>()
  readonly trades = new Set<Subscriber>()
  readonly orders = new Set<Subscriber>()
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

  addOrderEvent (eventType: OrderEventType, order: OrderSnapshot): void {
    if (this.orders.size === 0) return
    this.pendingOrders.push({ eventType, order })
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
    const orders = this.pendingOrders
    this.pendingTrades = []
    this.pendingOrders = []
    this.dirty = false
    return { hasLevels, bids, asks, trades, orders }
  }
}
