/**
 * One symbol's book: matching, resting, cancelling, depth and BBO, all in
 * integer ticks and lots. The engine owns ids, the clock and history; the book
 * owns the price levels, the open-order indexes and its symbol's counters.
 */
import { BookSide } from './book-side.js'
import { CancelReason, Order, OrderStatus, OrderType, Side } from './order.js'
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

/** What matching an order against the book as it stands would come to (see OrderBook.fillability). */
export const Fillability = {
  /** Fills completely within the cap on trades. */
  FILLS: 'fills',
  /** The crossing liquidity runs out first: a limit order would rest the rest. */
  SHORT: 'short',
  /** Needs more trades than the cap: the rest would be cancelled with MATCH_LIMIT. */
  CAP: 'cap'
} as const
export type Fillability = typeof Fillability[keyof typeof Fillability]

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

  /**
   * Runs a new order: match what crosses (at most maxFills trades), then
   * rest, cancel or reject the rest. An order stopped by the cap while more
   * crossing liquidity was there is cancelled with MATCH_LIMIT whatever its
   * type: a limit order cannot rest its remainder, as it would cross the book.
   */
  execute (taker: Order, out: CommandOutput, maxFills: number): void {
    this.stats.totalOrders++
    if (taker.type === OrderType.FOK) {
      const fill = this.fillability(taker.side, taker.priceTicks, taker.quantityLots, maxFills)
      if (fill !== Fillability.FILLS) {
        taker.status = OrderStatus.REJECTED
        if (fill === Fillability.CAP) taker.cancelReason = CancelReason.MATCH_LIMIT
        this.finish(taker, OrderEventType.REJECTED, out)
        return
      }
    }
    const capped = this.match(taker, out, maxFills)
    if (taker.remainingLots === 0) {
      this.finish(taker, OrderEventType.FILLED, out)
    } else if (capped) {
      taker.status = OrderStatus.CANCELLED
      taker.cancelReason = CancelReason.MATCH_LIMIT
      this.finish(taker, OrderEventType.CANCELLED, out)
    } else if (taker.type === OrderType.LIMIT) {
      this.rest(taker, out)
    } else {
      taker.status = OrderStatus.CANCELLED
      this.finish(taker, OrderEventType.CANCELLED, out)
    }
  }

  /**
   * Level totals are safe integers. The engine refuses symbol configurations
   * where max quantity × max open orders could pass 2^53 − 1 lots, so orders
   * validated under the current filters never get here; this check is the
   * defence for books restored from data written under larger limits.
   */
  canRest (side: Side, priceTicks: number, quantityLots: number): boolean {
    const level = this.sideOf(side).get(priceTicks)
    return level === undefined || level.totalLots + quantityLots <= Number.MAX_SAFE_INTEGER
  }

  /**
   * What an order of `quantityLots` at `priceTicks` (null: market) would come
   * to against the book as it stands, without touching it. Bounded like the
   * matching itself: it visits at most maxFills + 1 resting orders or levels.
   */
  fillability (side: Side, priceTicks: number | null, quantityLots: number, maxFills: number): Fillability {
    const opposite = side === Side.BUY ? this.asks : this.bids
    let needed = quantityLots
    let fills = 0
    for (const level of opposite.bestFirst()) {
      if (!crossesAt(side, priceTicks, level.priceTicks)) return Fillability.SHORT
      if (level.totalLots < needed) {
        // The whole level is taken and more is needed after it.
        fills += level.count
        if (fills > maxFills) return Fillability.CAP
        needed -= level.totalLots
        continue
      }
      for (let maker = level.head; maker !== null; maker = maker.next) {
        if (++fills > maxFills) return Fillability.CAP
        needed -= maker.remainingLots
        if (needed <= 0) return Fillability.FILLS
      }
      /* c8 ignore next -- unreachable: this level holds at least `needed` lots and its total is the sum of its makers, so the walk returns FILLS or CAP inside it */
    }
    return Fillability.SHORT
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
    // No duplicates to drop: a command touches each level once (a cancel its one level; a new order
    // each opposite level it matches, then at most its own level on the other side).
    return touched.map((level) => ({ side: level.side, priceTicks: level.priceTicks, totalLots: level.totalLots }))
  }

  /** Returns true when the cap stopped it while crossing liquidity was left. */
  private match (taker: Order, out: CommandOutput, maxFills: number): boolean {
    const opposite = taker.side === Side.BUY ? this.asks : this.bids
    let fills = 0
    let level = opposite.best()
    while (level !== undefined && taker.remainingLots > 0 && crossesAt(taker.side, taker.priceTicks, level.priceTicks)) {
      if (fills === maxFills) return true
      let maker = level.head
      while (maker !== null && taker.remainingLots > 0 && fills < maxFills) {
        const next = maker.next
        const lots = Math.min(taker.remainingLots, maker.remainingLots)
        level.totalLots -= lots
        maker.fill(lots)
        taker.fill(lots)
        fills++
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
      // A level left non-empty means the taker is done or the cap stopped it in this level.
      if (!level.isEmpty) return taker.remainingLots > 0
      opposite.removeLevel(level)
      level = opposite.best()
    }
    return false
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
      makerAccountId: maker.accountId,
      takerAccountId: taker.accountId,
      makerClientOrderId: maker.clientOrderId,
      takerClientOrderId: taker.clientOrderId,
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

/** Whether a taker on `side` with limit `limitTicks` (null: market) trades with a maker at `makerTicks`. */
function crossesAt (side: Side, limitTicks: number | null, makerTicks: number): boolean {
  if (limitTicks === null) return true
  return side === Side.BUY ? makerTicks <= limitTicks : makerTicks >= limitTicks
}
