/**
 * One symbol's book: matching, resting, cancelling, depth and BBO, all in
 * integer ticks and lots. The engine owns ids, the clock, the histories and
 * the index of resting orders by number (shared by every book); the book
 * owns the price levels, its client-id index and its symbol's counters.
 */
import { BookSide } from './book-side.js'
import { CancelReason, Order, OrderStatus, OrderType, Side, StpMode, TradingStatus } from './order.js'
import type { AccountRegistry } from './accounts.js'
import type { PriceLevel } from './price-level.js'
import type { SymbolSpec } from './symbols.js'
import { OrderEventType, snapshotOf, type EngineEvent, type LevelChange } from './events.js'
import { orderSeqOf, type OpenOrderIndex } from './open-orders.js'
import { Trade } from './trade.js'
import { UnitCounter } from './volume.js'

/**
 * What one command produced; events and touched are null when nobody
 * listens. The engine reuses one of these for every command (see
 * CommandResults.start): only trades, when there are any, and events
 * get arrays of their own, because they outlive the command.
 */
export interface CommandOutput {
  readonly trades: Trade[]
  events: EngineEvent[] | null
  touched: PriceLevel[] | null
  /** Orders that reached a terminal state; the engine moves them to history. */
  readonly retired: Order[]
}

/** What matching an order against the book as it stands would come to (see OrderBook.fillability). */
export const Fillability = {
  /** Fills completely within the cap on trades. */
  FILLS: 'fills',
  /** The crossing liquidity runs out first: a limit order would rest the rest. */
  SHORT: 'short',
  /** Needs more trades than the cap: the rest would be cancelled with MATCH_LIMIT. */
  CAP: 'cap',
  /** Self-trade prevention would cancel the incoming order before it fills (cancel_taker / cancel_both). */
  STOPPED: 'stopped'
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
  /** Open orders by clientKey(account, client order id): a client id is unique among one account's open orders in this book; two accounts may share one. */
  readonly openByClientId = new Map<string, Order>()
  nextTradeSeq = 1
  readonly stats: BookStats = { totalOrders: 0, totalTrades: 0, volumeLots: new UnitCounter(), lastTradePriceTicks: null, lastTradeTime: null }
  /** Told of every order that starts or stops resting (each account's open-order list). */
  private readonly accounts: AccountRegistry
  /** The engine's index of resting orders by number, which every book shares. */
  private readonly index: OpenOrderIndex
  private resting = 0
  /**
   * Set once the book holds an order larger than the symbol's max quantity
   * (restored or replayed from data written under larger limits): only then
   * can a level total near 2^53, and must every new resting order be checked.
   */
  oversized = false
  /** trading, halted or cancel_only: changed only by a journaled set_trading_status command. */
  tradingStatus: TradingStatus = TradingStatus.TRADING

  constructor (spec: SymbolSpec, accounts: AccountRegistry, index: OpenOrderIndex) {
    this.spec = spec
    this.accounts = accounts
    this.index = index
  }

  /** The open order of an account with this client order id, if any. */
  openByClient (accountId: string, clientOrderId: string): Order | undefined {
    return this.openByClientId.get(clientKey(accountId, clientOrderId))
  }

  get symbol (): string {
    return this.spec.symbol
  }

  /** The order resting in this book with this id, if any. */
  openOrder (orderId: string): Order | undefined {
    return this.openBySeq(orderSeqOf(orderId))
  }

  /** The order resting in this book with this sequence number, if any. */
  openBySeq (seq: number): Order | undefined {
    const order = this.index.get(seq)
    return order !== undefined && order.symbol === this.spec.symbol ? order : undefined
  }

  /** The orders resting in this book, lowest number first (not on the matching path: it walks the engine's whole index). */
  * openOrders (): IterableIterator<Order> {
    for (const order of this.index.values()) if (order.symbol === this.spec.symbol) yield order
  }

  /** How many orders rest in this book. */
  get openCount (): number {
    return this.resting
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
      const fill = this.fillability(taker, maxFills)
      if (fill !== Fillability.FILLS) {
        taker.status = OrderStatus.REJECTED
        if (fill === Fillability.CAP) taker.cancelReason = CancelReason.MATCH_LIMIT
        // Say why when self-trade prevention, not a lack of liquidity, stopped it (the issue wants the STP
        // outcome visible in the order's status and events; without this it read like a FOK short of liquidity).
        else if (fill === Fillability.STOPPED) taker.cancelReason = CancelReason.SELF_TRADE_PREVENTION
        this.finish(taker, OrderEventType.REJECTED, out)
        return
      }
    }
    const end = this.match(taker, out, maxFills)
    if (taker.remainingLots === 0) {
      this.finish(taker, OrderEventType.FILLED, out)
    } else if (end === MatchEnd.SELF_TRADE) {
      taker.status = OrderStatus.CANCELLED
      taker.cancelReason = CancelReason.SELF_TRADE_PREVENTION
      this.finish(taker, OrderEventType.CANCELLED, out)
    } else if (end === MatchEnd.CAPPED) {
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
   * What matching `taker` against the book as it stands would come to,
   * without touching it. Bounded like the matching itself: it visits at most
   * maxFills + 1 resting orders or levels. Self-trade prevention counts as
   * the matching does: a resting order of the taker's own account is work
   * (one of maxFills) that fills nothing, and under cancel_taker or
   * cancel_both it ends the taker (STOPPED).
   */
  fillability (taker: MatchProbe, maxFills: number): Fillability {
    const { side, priceTicks, accountId } = taker
    const opposite = side === Side.BUY ? this.asks : this.bids
    // Only an account with resting orders can meet its own; otherwise whole levels can be summed.
    const selfTrade = taker.stp !== StpMode.NONE && this.accounts.openCount(accountId) > 0
    const stopsTaker = taker.stp === StpMode.CANCEL_TAKER || taker.stp === StpMode.CANCEL_BOTH
    let needed = taker.quantityLots
    let fills = 0
    for (let level = opposite.best() ?? null; level !== null; level = level.worse) {
      if (!crossesAt(side, priceTicks, level.priceTicks)) return Fillability.SHORT
      if (!selfTrade && level.totalLots < needed) {
        // The whole level is taken and more is needed after it.
        fills += level.count
        if (fills > maxFills) return Fillability.CAP
        needed -= level.totalLots
        continue
      }
      for (let maker = level.head; maker !== null; maker = maker.next) {
        if (++fills > maxFills) return Fillability.CAP
        if (selfTrade && maker.accountId === accountId) {
          if (stopsTaker) return Fillability.STOPPED
          continue
        }
        needed -= maker.remainingLots
        if (needed <= 0) return Fillability.FILLS
      }
      /* c8 ignore next -- without self-trade prevention unreachable: this level holds at least `needed` lots; with it the walk goes on to the next level */
    }
    return Fillability.SHORT
  }

  /**
   * Puts an order back at the tail of its level without matching (snapshot
   * restore). Its account's list and the engine's index are the restorer's
   * job: both take orders in number order across every book, not in this
   * book's level order.
   */
  restoreResting (order: Order): void {
    if (order.quantityLots > this.spec.maxLots) this.oversized = true
    const level = this.sideOf(order.side).getOrCreate(order.priceTicks as number)
    level.append(order)
    this.resting++
    if (order.clientOrderId !== null) this.openByClientId.set(clientKey(order.accountId, order.clientOrderId), order)
  }

  /** Puts an untriggered stop back (snapshot restore); its index, account list and expiry are the restorer's job (MatchingEngine.restoreOpen). */
  restoreStop (order: Order): void {
    throw new Error(`restoreStop: not implemented (${order.id})`)
  }

  /** Its untriggered stops, by order number (snapshots and the digest). Lead implements: a stub until the stops land. */
  stopOrders (): Iterable<Order> {
    return []
  }

  /** Takes a resting order off the book; reason null: its owner asked. */
  cancel (order: Order, out: CommandOutput, reason: CancelReason | null = null): void {
    const level = order.level as PriceLevel
    level.remove(order)
    if (out.touched !== null) out.touched.push(level)
    if (level.isEmpty) this.sideOf(order.side).removeLevel(level)
    this.unindex(order)
    order.status = OrderStatus.CANCELLED
    order.cancelReason = reason
    this.finish(order, OrderEventType.CANCELLED, out)
  }

  /** Changed levels of a command, each with its new total (0 = gone). */
  static levelChanges (touched: readonly PriceLevel[]): LevelChange[] {
    // No duplicates to drop: a command touches each level once (a cancel its one level; a new order
    // each opposite level it matches, then at most its own level on the other side).
    return touched.map((level) => ({ side: level.side, priceTicks: level.priceTicks, totalLots: level.totalLots }))
  }

  /** How matching ended with the taker not filled: nothing left to cross, the cap, or self-trade prevention. */
  private match (taker: Order, out: CommandOutput, maxFills: number): MatchEnd {
    const opposite = taker.side === Side.BUY ? this.asks : this.bids
    const selfTrade = taker.stp !== StpMode.NONE && this.accounts.openCount(taker.accountId) > 0
    let fills = 0
    let level = opposite.best()
    while (level !== undefined && taker.remainingLots > 0 && crossesAt(taker.side, taker.priceTicks, level.priceTicks)) {
      if (fills === maxFills) return MatchEnd.CAPPED
      let maker = level.head
      let stopped = false
      while (maker !== null && taker.remainingLots > 0 && fills < maxFills) {
        const next = maker.next
        fills++
        if (selfTrade && maker.accountId === taker.accountId) {
          // Self-trade prevention: the taker's mode decides who goes; nothing trades.
          if (taker.stp === StpMode.CANCEL_TAKER) {
            stopped = true
            break
          }
          this.cancelMaker(level, maker, out)
          if (taker.stp === StpMode.CANCEL_BOTH) {
            stopped = true
            break
          }
          maker = next
          continue
        }
        const lots = Math.min(taker.remainingLots, maker.remainingLots)
        level.totalLots -= lots
        maker.fill(lots)
        taker.fill(lots)
        this.recordTrade(taker, maker, lots, out)
        if (maker.status === OrderStatus.FILLED) {
          level.remove(maker)
          this.unindex(maker)
          this.finish(maker, OrderEventType.FILLED, out)
        } else if (out.events !== null) {
          out.events.push({ type: 'order', eventType: OrderEventType.PARTIALLY_FILLED, order: snapshotOf(maker) })
        }
        maker = next
      }
      if (out.touched !== null) out.touched.push(level)
      const empty = level.isEmpty
      if (empty) opposite.removeLevel(level)
      if (stopped) return MatchEnd.SELF_TRADE
      // A level left non-empty means the taker is done or the cap stopped it in this level.
      if (!empty) return taker.remainingLots > 0 ? MatchEnd.CAPPED : MatchEnd.DONE
      level = opposite.best()
    }
    return MatchEnd.DONE
  }

  /** A resting order of the taker's own account, cancelled by self-trade prevention (its level stays in `touched`). */
  private cancelMaker (level: PriceLevel, maker: Order, out: CommandOutput): void {
    level.remove(maker)
    this.unindex(maker)
    maker.status = OrderStatus.CANCELLED
    maker.cancelReason = CancelReason.SELF_TRADE_PREVENTION
    this.finish(maker, OrderEventType.CANCELLED, out)
  }

  private recordTrade (taker: Order, maker: Order, lots: number, out: CommandOutput): void {
    const priceTicks = maker.priceTicks as number
    const trade = new Trade(this.spec.symbol, this.nextTradeSeq++, priceTicks, lots, maker, taker)
    out.trades.push(trade)
    if (out.events !== null) out.events.push({ type: 'trade', trade })
    const stats = this.stats
    stats.totalTrades++
    stats.volumeLots.add(lots)
    stats.lastTradePriceTicks = priceTicks
    stats.lastTradeTime = taker.timestamp
  }

  private rest (order: Order, out: CommandOutput): void {
    if (order.quantityLots > this.spec.maxLots) this.oversized = true
    const level = this.sideOf(order.side).getOrCreate(order.priceTicks as number)
    level.append(order)
    this.indexResting(order)
    if (out.touched !== null) out.touched.push(level)
    if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.RESTING, order: snapshotOf(order) })
  }

  private indexResting (order: Order): void {
    this.index.add(order)
    this.resting++
    if (order.clientOrderId !== null) this.openByClientId.set(clientKey(order.accountId, order.clientOrderId), order)
    this.accounts.rested(order)
  }

  private unindex (order: Order): void {
    this.index.remove(order)
    this.resting--
    if (order.clientOrderId !== null) this.openByClientId.delete(clientKey(order.accountId, order.clientOrderId))
    this.accounts.left(order)
  }

  private finish (order: Order, eventType: OrderEventType, out: CommandOutput): void {
    out.retired.push(order)
    if (out.events !== null) out.events.push({ type: 'order', eventType, order: snapshotOf(order) })
  }
}

/** What fillability() needs of an order (an Order, or validated fields before one exists). */
export interface MatchProbe {
  readonly side: Side
  readonly priceTicks: number | null
  readonly quantityLots: number
  readonly accountId: string
  readonly stp: StpMode
}

const MatchEnd = { DONE: 0, CAPPED: 1, SELF_TRADE: 2 } as const
type MatchEnd = typeof MatchEnd[keyof typeof MatchEnd]

/** The key of an open order by its account's client order id. */
export function clientKey (accountId: string, clientOrderId: string): string {
  return accountId + ' ' + clientOrderId
}

/** Whether a taker on `side` with limit `limitTicks` (null: market) trades with a maker at `makerTicks`. */
function crossesAt (side: Side, limitTicks: number | null, makerTicks: number): boolean {
  if (limitTicks === null) return true
  return side === Side.BUY ? makerTicks <= limitTicks : makerTicks >= limitTicks
}
