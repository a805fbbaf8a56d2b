/**
 * One symbol's market-data state between two flushes: the levels changed in
 * the window (last total wins), the trades and order events in order, the
 * delta sequence number, and who listens to what.
 */
import type { LevelChange, OrderSnapshot, OrderEventType, Trade } from '../engine/index.js'
import type { Subscriber } from './subscriber.js'

export class SymbolFeed {
  readonly symbol: string
  /** Sequence of the last delta published (or of the state a snapshot shows). */
  seq = 0
  readonly pendingBids = new Map<number, number>()
  readonly pendingAsks = new Map<number, number>()
  pendingTrades: Trade[] = []
  pendingOrders: Array<{ eventType: OrderEventType, order: OrderSnapshot }> = []
  readonly l2 = new Set<Subscriber>()
  readonly trades = new Set<Subscriber>()
  readonly orders = new Set<Subscriber>()
  dirty = false

  constructor (symbol: string) {
    this.symbol = symbol
  }

  addLevels (changes: readonly LevelChange[]): void {
    // Without l2 subscribers nobody needs a delta: a new subscriber starts from a snapshot. But once
    // something is pending (the last subscriber left mid-window), keep recording: the pending totals
    // go out in the next delta and must still be the true ones for whoever subscribes meanwhile.
    if (this.l2.size === 0 && this.pendingBids.size === 0 && this.pendingAsks.size === 0) return
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
