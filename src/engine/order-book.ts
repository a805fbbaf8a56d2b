/**
 * One symbol's book: matching, resting, cancelling, depth and BBO, all in
 * integer ticks and lots. The engine owns ids, the clock and history; the book
 * owns the price levels, the open-order indexes and its symbol's counters.
 */
import { BookSide } from './book-side.js'
import { Order, OrderStatus, OrderType, Side } from './order.js'
import type { PriceLevel } from './price-level.js'
import type { SymbolSpec } from './symbols.js'
import { OrderEventType, snapshotOf, type EngineEvent, type LevelChange, type Trade } from './events.js'
import { UnitCounter } from './volume.js'

/** What one command produced; events is null when nobody listens. */
export interface CommandOutput {
  /** Starts as the shared empty array; the first trade gives it its own. */
  trades: Trade[]
  readonly events: EngineEvent[] | null
  readonly touched: PriceLevel[] | null
  /** Orders that reached a terminal state; the engine moves them to history. */
  readonly retired: Order[]
}

/** Most commands trade nothing: they share this (never mutated) empty list instead of allocating one. */
export const NO_TRADES: Trade[] = []

export interface BookStats {
  totalOrders: number
  totalTrades: number
  readonly volumeLots: UnitCounter
  lastTradePriceTicks: number | null
  lastTradeTime: number | null
}

export class OrderBook {
  readonly spec: SymbolSpec
  readonly bids = new BookSide(Side.BUY)
  readonly asks = new BookSide(Side.SELL)
  readonly open = new Map<string, Order>()
  readonly openByClientId = new Map<string, Order>()
  nextTradeSeq = 1
  readonly stats: BookStats = { totalOrders: 0, totalTrades: 0, volumeLots: new UnitCounter(), lastTradePriceTicks: null, lastTradeTime: null }

  constructor (spec: SymbolSpec) {
    this.spec = spec
  }

  get symbol (): string {
    return this.spec.symbol
  }

  sideOf (side: Side): BookSide {
    return side === Side.BUY ? this.bids : this.asks
  }

  /** Runs a new order: match what crosses, then rest, cancel or reject the rest. */
  execute (taker: Order, out: CommandOutput): void {
    this.stats.totalOrders++
    if (taker.type === OrderType.FOK && !this.canFillCompletely(taker)) {
      taker.status = OrderStatus.REJECTED
      this.finish(taker, OrderEventType.REJECTED, out)
      return
    }
    this.match(taker, out)
    if (taker.remainingLots === 0) {
      this.finish(taker, OrderEventType.FILLED, out)
    } else if (taker.type === OrderType.LIMIT) {
      this.rest(taker, out)
    } else {
      taker.status = OrderStatus.CANCELLED
      this.finish(taker, OrderEventType.CANCELLED, out)
    }
  }

  /**
   * Level totals are safe integers: an order that could push its level past
   * 2^53 lots (about 90 maximum-size orders at one price) is refused before
   * it is journaled, rather than silently losing exactness.
   */
  canRest (side: Side, priceTicks: number, quantityLots: number): boolean {
    const level = this.sideOf(side).get(priceTicks)
    return level === undefined || level.totalLots + quantityLots <= Number.MAX_SAFE_INTEGER
  }

  /** Puts an order back at the tail of its level without matching (snapshot restore). */
  restoreResting (order: Order): void {
    const level = this.sideOf(order.side).getOrCreate(order.priceTicks as number)
    level.append(order)
    this.open.set(order.id, order)
    if (order.clientOrderId !== null) this.openByClientId.set(order.clientOrderId, order)
  }

  /** Takes a resting order off the book. */
  cancel (order: Order, out: CommandOutput): void {
    const level = this.sideOf(order.side).get(order.priceTicks as number) as PriceLevel
    level.remove(order)
    if (out.touched !== null) out.touched.push(level)
    if (level.isEmpty) this.sideOf(order.side).removeLevel(level)
    this.open.delete(order.id)
    if (order.clientOrderId !== null) this.openByClientId.delete(order.clientOrderId)
    order.status = OrderStatus.CANCELLED
    this.finish(order, OrderEventType.CANCELLED, out)
  }

  /** Changed levels of a command, each with its new total (0 = gone). */
  static levelChanges (touched: readonly PriceLevel[]): LevelChange[] {
    const changes: LevelChange[] = []
    const seen = new Set<PriceLevel>()
    for (const level of touched) {
      if (seen.has(level)) continue
      seen.add(level)
      changes.push({ side: level.side, priceTicks: level.priceTicks, totalLots: level.totalLots })
    }
    return changes
  }

  private canFillCompletely (taker: Order): boolean {
    const opposite = taker.side === Side.BUY ? this.asks : this.bids
    let available = 0
    for (const level of opposite.bestFirst()) {
      if (!this.crosses(taker, level.priceTicks)) return false
      available += level.totalLots
      if (available >= taker.quantityLots) return true
    }
    return false
  }

  private crosses (taker: Order, makerPriceTicks: number): boolean {
    if (taker.priceTicks === null) return true
    return taker.side === Side.BUY ? makerPriceTicks <= taker.priceTicks : makerPriceTicks >= taker.priceTicks
  }

  private match (taker: Order, out: CommandOutput): void {
    const opposite = taker.side === Side.BUY ? this.asks : this.bids
    let level = opposite.best()
    while (level !== undefined && taker.remainingLots > 0 && this.crosses(taker, level.priceTicks)) {
      let maker = level.head
      while (maker !== null && taker.remainingLots > 0) {
        const next = maker.next
        const lots = Math.min(taker.remainingLots, maker.remainingLots)
        level.totalLots -= lots
        maker.fill(lots)
        taker.fill(lots)
        this.recordTrade(taker, maker, lots, out)
        if (maker.status === OrderStatus.FILLED) {
          level.remove(maker)
          this.open.delete(maker.id)
          if (maker.clientOrderId !== null) this.openByClientId.delete(maker.clientOrderId)
          this.finish(maker, OrderEventType.FILLED, out)
        } else if (out.events !== null) {
          out.events.push({ type: 'order', eventType: OrderEventType.PARTIALLY_FILLED, order: snapshotOf(maker) })
        }
        maker = next
      }
      if (out.touched !== null) out.touched.push(level)
      if (!level.isEmpty) break
      opposite.removeLevel(level)
      level = opposite.best()
    }
  }

  private recordTrade (taker: Order, maker: Order, lots: number, out: CommandOutput): void {
    const priceTicks = maker.priceTicks as number
    const trade: Trade = {
      tradeId: this.symbol + '-' + this.nextTradeSeq++,
      symbol: this.symbol,
      priceTicks,
      quantityLots: lots,
      aggressorSide: taker.side,
      makerOrderId: maker.id,
      takerOrderId: taker.id,
      timestamp: taker.timestamp
    }
    if (out.trades === NO_TRADES) out.trades = [trade]
    else out.trades.push(trade)
    if (out.events !== null) out.events.push({ type: 'trade', trade })
    const stats = this.stats
    stats.totalTrades++
    stats.volumeLots.add(lots)
    stats.lastTradePriceTicks = priceTicks
    stats.lastTradeTime = taker.timestamp
  }

  private rest (order: Order, out: CommandOutput): void {
    const level = this.sideOf(order.side).getOrCreate(order.priceTicks as number)
    level.append(order)
    this.open.set(order.id, order)
    if (order.clientOrderId !== null) this.openByClientId.set(order.clientOrderId, order)
    if (out.touched !== null) out.touched.push(level)
    if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.RESTING, order: snapshotOf(order) })
  }

  private finish (order: Order, eventType: OrderEventType, out: CommandOutput): void {
    out.retired.push(order)
    if (out.events !== null) out.events.push({ type: 'order', eventType, order: snapshotOf(order) })
  }
}
