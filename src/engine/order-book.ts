/**
 * One symbol's book: matching, resting, cancelling, depth and BBO, all in
 * integer ticks and lots. The engine owns ids, the clock, the histories and
 * the index of resting orders by number (shared by every book); the book
 * owns the price levels, its client-id index and its symbol's counters.
 */
import { BookSide } from './book-side.js'
import { CancelReason, Order, OrderStatus, Side, StpMode, TimeInForce, TradingStatus } from './order.js'
import type { AccountRegistry } from './accounts.js'
import type { PriceLevel } from './price-level.js'
import type { SymbolSpec } from './symbols.js'
import { OrderEventType, snapshotOf, type EngineEvent, type LevelChange } from './events.js'
import { orderSeqOf, type OpenOrderIndex } from './open-orders.js'
import { Trade } from './trade.js'
import { UnitCounter } from './volume.js'
import { Fillability, crossesAt, fillabilityOf, type MatchProbe } from './fillability.js'
import { StopBook } from './stop-book.js'
import type { ExpiryQueue } from './expiry-queue.js'
import type { AmendFields } from './validate.js'

export { Fillability, type MatchProbe } from './fillability.js'

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
  /**
   * How many of `trades` are the command's own order's (the one placed or
   * amended): the rest are triggered stops'. -1: all of them.
   */
  ownTrades: number
}

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
  /** Untriggered stops: open orders, off the book. */
  readonly stops = new StopBook()
  /** Open orders by clientKey(account, client order id): a client id is unique among one account's open orders in this book; two accounts may share one. */
  readonly openByClientId = new Map<string, Order>()
  nextTradeSeq = 1
  readonly stats: BookStats = { totalOrders: 0, totalTrades: 0, volumeLots: new UnitCounter(), lastTradePriceTicks: null, lastTradeTime: null }
  /** Told of every order that starts or stops resting (each account's open-order list). */
  private readonly accounts: AccountRegistry
  /** The engine's index of open orders by number, which every book shares. */
  private readonly index: OpenOrderIndex
  /** The engine's GTD orders by expire time, which every book shares. */
  private readonly expiries: ExpiryQueue
  /** Open orders: resting ones and untriggered stops. */
  private resting = 0
  /**
   * Set once the book holds an order larger than the symbol's max quantity
   * (restored or replayed from data written under larger limits): only then
   * can a level total near 2^53, and must every new resting order be checked.
   */
  oversized = false
  /** trading, halted or cancel_only: changed only by a journaled set_trading_status command. */
  tradingStatus: TradingStatus = TradingStatus.TRADING

  constructor (spec: SymbolSpec, accounts: AccountRegistry, index: OpenOrderIndex, expiries: ExpiryQueue) {
    this.spec = spec
    this.accounts = accounts
    this.index = index
    this.expiries = expiries
  }

  /** The open order of an account with this client order id, if any. */
  openByClient (accountId: string, clientOrderId: string): Order | undefined {
    return this.openByClientId.get(clientKey(accountId, clientOrderId))
  }

  get symbol (): string {
    return this.spec.symbol
  }

  /** The open order (resting or untriggered) in this book with this id, if any. */
  openOrder (orderId: string): Order | undefined {
    return this.openBySeq(orderSeqOf(orderId))
  }

  /** The open order in this book with this sequence number, if any. */
  openBySeq (seq: number): Order | undefined {
    const order = this.index.get(seq)
    return order !== undefined && order.symbol === this.spec.symbol ? order : undefined
  }

  /** The open orders of this book, untriggered stops included, lowest number first (not on the matching path: it walks the engine's whole index). */
  * openOrders (): IterableIterator<Order> {
    for (const order of this.index.values()) if (order.symbol === this.spec.symbol) yield order
  }

  /** The untriggered stops, lowest number first. */
  stopOrders (): Order[] {
    return this.stops.values()
  }

  /** How many orders are open in this book (resting and untriggered). */
  get openCount (): number {
    return this.resting
  }

  sideOf (side: Side): BookSide {
    return side === Side.BUY ? this.bids : this.asks
  }

  /**
   * Runs a new order: a stop waits untriggered; anything else is matched
   * (see run), and the stops its trades trigger run in turn, in the same
   * command.
   */
  execute (order: Order, out: CommandOutput, maxFills: number): void {
    this.stats.totalOrders++
    if (order.status === OrderStatus.UNTRIGGERED) {
      this.stops.add(order)
      this.indexOpen(order)
      if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.UNTRIGGERED, order: snapshotOf(order) })
      return
    }
    const from = out.trades.length
    this.run(order, out, maxFills, false)
    out.ownTrades = out.trades.length
    if (this.stops.count > 0 && out.trades.length > from) this.triggerStops(from, out, maxFills)
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

  /** What matching `taker` against the book as it stands would come to, without touching it (see fillabilityOf). */
  fillability (taker: MatchProbe, maxFills: number): Fillability {
    const opposite = taker.side === Side.BUY ? this.asks : this.bids
    // Only an account with open orders can meet its own; otherwise whole levels can be summed.
    return fillabilityOf(taker, opposite, maxFills, taker.stp !== StpMode.NONE && this.accounts.openCount(taker.accountId) > 0)
  }

  /** Whether an order at this price would take liquidity (cross the opposite best) now. */
  wouldTake (side: Side, priceTicks: number): boolean {
    const best = (side === Side.BUY ? this.asks : this.bids).best()
    return best !== undefined && crossesAt(side, priceTicks, best.priceTicks)
  }

  /** Whether the last trade price has already reached a stop price (a stop placed now would trigger at once). */
  stopReached (side: Side, stopPriceTicks: number): boolean {
    const last = this.stats.lastTradePriceTicks
    return last !== null && (side === Side.BUY ? last >= stopPriceTicks : last <= stopPriceTicks)
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
    this.stops.add(order)
    this.resting++
    if (order.clientOrderId !== null) this.openByClientId.set(clientKey(order.accountId, order.clientOrderId), order)
  }

  /** Takes an open order off the book (or an untriggered stop off the stop book); reason null: its owner asked. */
  cancel (order: Order, out: CommandOutput, reason: CancelReason | null = null): void {
    this.takeOff(order, out)
    order.status = OrderStatus.CANCELLED
    order.cancelReason = reason
    this.finish(order, OrderEventType.CANCELLED, out)
  }

  /** An expire command's end of a GTD order. An OCO peer due at the same time expires by itself, so it is let go first. */
  expire (order: Order, timestamp: number, out: CommandOutput): void {
    const peer = order.ocoPeer
    if (peer !== null && (peer.expireAt as number) <= timestamp) unlinkOco(order)
    this.takeOff(order, out)
    order.status = OrderStatus.EXPIRED
    this.finish(order, OrderEventType.EXPIRED, out)
  }

  /**
   * Changes an open order (the engine has checked the change is allowed).
   * A pure reduction keeps the order's place; anything else moves it to the
   * back of its (new) level, trading first when the new price crosses.
   */
  amend (order: Order, change: AmendFields, out: CommandOutput, maxFills: number): void {
    const { quantityLots, priceTicks, stopPriceTicks } = change
    if (order.status === OrderStatus.UNTRIGGERED) {
      this.stops.remove(order)
      if (quantityLots !== null) order.quantityLots = order.visibleLots = quantityLots
      if (priceTicks !== null) order.priceTicks = priceTicks
      if (stopPriceTicks !== null) order.stopPriceTicks = stopPriceTicks
      this.stops.add(order)
      this.amended(order, out)
      return
    }
    const level = order.level as PriceLevel
    if (quantityLots !== null && quantityLots <= order.filledLots) {
      this.takeOff(order, out)
      order.quantityLots = order.filledLots
      order.status = OrderStatus.FILLED
      this.finish(order, OrderEventType.AMENDED, out)
      return
    }
    if (priceTicks === null && quantityLots !== null && quantityLots < order.quantityLots) {
      const visible = Math.min(order.visibleLots, quantityLots - order.filledLots)
      level.totalLots -= order.visibleLots - visible
      order.visibleLots = visible
      order.quantityLots = quantityLots
      if (out.touched !== null) out.touched.push(level)
      this.amended(order, out)
      return
    }
    this.leaveLevel(order, level, out)
    if (quantityLots !== null) order.quantityLots = quantityLots
    if (priceTicks !== null) order.priceTicks = priceTicks
    // All of it until it rests again (rest() shows an iceberg's fresh slice).
    order.visibleLots = order.remainingLots
    this.amended(order, out)
    const from = out.trades.length
    this.run(order, out, maxFills, true)
    out.ownTrades = out.trades.length
    if (this.stops.count > 0 && out.trades.length > from) this.triggerStops(from, out, maxFills)
  }

  /** Changed levels of a command, each with its new total (0 = gone); CommandResults lists each level once. */
  static levelChanges (touched: readonly PriceLevel[]): LevelChange[] {
    return touched.map((level) => ({ side: level.side, priceTicks: level.priceTicks, totalLots: level.totalLots }))
  }

  /**
   * Steps 2 to 4 of an order's execution: post-only refusal, fill-or-kill,
   * matching, then rest or cancel the rest. `open`: the order is already
   * open (indexed), being a triggered stop or an amended order.
   */
  private run (taker: Order, out: CommandOutput, maxFills: number, open: boolean): void {
    const tif = taker.timeInForce
    if (taker.postOnly && this.wouldTake(taker.side, taker.priceTicks as number)) {
      taker.status = OrderStatus.REJECTED
      taker.cancelReason = CancelReason.POST_ONLY_WOULD_TAKE
      this.end(taker, OrderEventType.REJECTED, out, open)
      return
    }
    if (tif === TimeInForce.FOK) {
      const fill = this.fillability(taker, maxFills)
      if (fill !== Fillability.FILLS) {
        taker.status = OrderStatus.REJECTED
        if (fill === Fillability.CAP) taker.cancelReason = CancelReason.MATCH_LIMIT
        // Say why when self-trade prevention, not a lack of liquidity, stopped it (the issue wants the STP
        // outcome visible in the order's status and events; without this it read like a FOK short of liquidity).
        else if (fill === Fillability.STOPPED) taker.cancelReason = CancelReason.SELF_TRADE_PREVENTION
        this.end(taker, OrderEventType.REJECTED, out, open)
        return
      }
    }
    const end = this.match(taker, out, maxFills)
    if (taker.quoteUnits !== null) {
      // A quote-sized order's quantity was only a bound: what it bought is its quantity.
      taker.quantityLots = taker.filledLots
      taker.visibleLots = 0
      taker.status = end === MatchEnd.BUDGET && taker.filledLots > 0 ? OrderStatus.FILLED : OrderStatus.CANCELLED
      taker.cancelReason = reasonOf(end)
      this.end(taker, taker.status === OrderStatus.FILLED ? OrderEventType.FILLED : OrderEventType.CANCELLED, out, open)
    } else if (taker.remainingLots === 0) {
      this.end(taker, OrderEventType.FILLED, out, open)
    } else if (end !== MatchEnd.DONE) {
      taker.status = OrderStatus.CANCELLED
      taker.cancelReason = reasonOf(end)
      this.end(taker, OrderEventType.CANCELLED, out, open)
    } else if ((tif === TimeInForce.GTC || tif === TimeInForce.GTD) && taker.priceTicks !== null) {
      this.rest(taker, out, open)
    } else {
      taker.status = OrderStatus.CANCELLED
      this.end(taker, OrderEventType.CANCELLED, out, open)
    }
  }

  /**
   * The cascade: every trade from `from` on, in order, takes the stops it
   * triggers off the stop book into a queue; each queued stop in turn runs
   * as its limit or market order, and its own trades are checked in turn.
   */
  private triggerStops (from: number, out: CommandOutput, maxFills: number): void {
    const queue: Order[] = []
    let checked = from
    let next = 0
    for (;;) {
      while (checked < out.trades.length && this.stops.count > 0) {
        const first = queue.length
        this.stops.takeTriggered(out.trades[checked++].priceTicks, queue)
        // A triggered OCO leg takes its peer with it, at the moment it triggers.
        for (let i = first; i < queue.length; i++) if (queue[i].ocoPeer !== null) this.cancelPeer(queue[i], out)
      }
      if (next === queue.length) return
      const order = queue[next++]
      order.status = OrderStatus.PENDING
      if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.TRIGGERED, order: snapshotOf(order) })
      this.run(order, out, maxFills, true)
    }
  }

  /** How matching ended with the taker not filled (or a quote-sized taker's budget used up). */
  private match (taker: Order, out: CommandOutput, maxFills: number): MatchEnd {
    const buy = taker.side === Side.BUY
    const opposite = buy ? this.asks : this.bids
    const selfTrade = taker.stp !== StpMode.NONE && this.accounts.openCount(taker.accountId) > 0
    const limit = taker.priceTicks
    // Price protection: a market order trades no further than the band around the last price.
    const last = this.stats.lastTradePriceTicks
    const band = limit === null && this.spec.priceBand !== null && last !== null ? this.spec.bandLimit(buy, last) : -1
    const quote = taker.quoteUnits !== null
    let budget = taker.quoteUnits ?? 0
    let fills = 0
    let level = opposite.best()
    while (level !== undefined && taker.remainingLots > 0 && crossesAt(taker.side, limit, level.priceTicks)) {
      if (band >= 0 && (buy ? level.priceTicks > band : level.priceTicks < band)) return MatchEnd.BAND
      if (fills === maxFills) return MatchEnd.CAPPED
      const price = level.priceTicks
      const fillsBefore = fills
      let maker = level.head
      let stopped = false
      while (maker !== null && taker.remainingLots > 0 && fills < maxFills) {
        let next = maker.next
        let lots = Math.min(taker.remainingLots, maker.visibleLots)
        if (quote) {
          const affordable = affordableLots(budget, price)
          if (affordable === 0) {
            if (out.touched !== null && fills > fillsBefore) out.touched.push(level)
            return MatchEnd.BUDGET
          }
          if (affordable < lots) lots = affordable
        }
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
        if (quote) budget -= lots * price
        level.totalLots -= lots
        maker.fill(lots)
        taker.fill(lots)
        this.recordTrade(taker, maker, lots, out)
        // An OCO leg's first fill ends its list: the other leg is cancelled now.
        if (maker.ocoPeer !== null) this.cancelPeer(maker, out)
        if (taker.ocoPeer !== null) this.cancelPeer(taker, out)
        if (maker.status === OrderStatus.FILLED) {
          level.remove(maker)
          this.unindex(maker)
          this.finish(maker, OrderEventType.FILLED, out)
        } else {
          if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.PARTIALLY_FILLED, order: snapshotOf(maker) })
          if (maker.visibleLots === 0) {
            this.refresh(level, maker, out)
            // It was the last in the queue: it is now the whole rest of the queue.
            if (next === null) next = maker
          }
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
    // A budget spent to the last unit ends a quote-sized order as surely as one too small for the next lot.
    return quote && budget === 0 ? MatchEnd.BUDGET : MatchEnd.DONE
  }

  /** An iceberg's used-up slice: the next one shows, at the back of its level. */
  private refresh (level: PriceLevel, maker: Order, out: CommandOutput): void {
    level.remove(maker)
    maker.visibleLots = Math.min(maker.displayLots, maker.remainingLots)
    level.append(maker)
    if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.REFRESHED, order: snapshotOf(maker) })
  }

  /** A resting order of the taker's own account, cancelled by self-trade prevention (its level stays in `touched`). */
  private cancelMaker (level: PriceLevel, maker: Order, out: CommandOutput): void {
    level.remove(maker)
    this.unindex(maker)
    maker.status = OrderStatus.CANCELLED
    maker.cancelReason = CancelReason.SELF_TRADE_PREVENTION
    this.finish(maker, OrderEventType.CANCELLED, out)
  }

  /** The other leg of an OCO list whose `order` traded, triggered or ended: cancelled with reason OCO. */
  private cancelPeer (order: Order, out: CommandOutput): void {
    const peer = order.ocoPeer as Order
    unlinkOco(order)
    this.cancel(peer, out, CancelReason.OCO)
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

  /** `open`: the order is already indexed (a triggered stop or an amended order). */
  private rest (order: Order, out: CommandOutput, open: boolean): void {
    if (order.quantityLots > this.spec.maxLots) this.oversized = true
    // An order shows all it has until it rests; an iceberg then shows one slice.
    if (order.displayLots > 0) order.visibleLots = Math.min(order.displayLots, order.remainingLots)
    const level = this.sideOf(order.side).getOrCreate(order.priceTicks as number)
    level.append(order)
    if (!open) this.indexOpen(order)
    if (out.touched !== null) out.touched.push(level)
    if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.RESTING, order: snapshotOf(order) })
  }

  /** Off its level or the stop book, and out of every index. */
  private takeOff (order: Order, out: CommandOutput): void {
    if (order.status === OrderStatus.UNTRIGGERED) this.stops.remove(order)
    else this.leaveLevel(order, order.level as PriceLevel, out)
    this.unindex(order)
  }

  private leaveLevel (order: Order, level: PriceLevel, out: CommandOutput): void {
    level.remove(order)
    if (out.touched !== null) out.touched.push(level)
    if (level.isEmpty) this.sideOf(order.side).removeLevel(level)
  }

  private indexOpen (order: Order): void {
    this.index.add(order)
    this.resting++
    if (order.clientOrderId !== null) this.openByClientId.set(clientKey(order.accountId, order.clientOrderId), order)
    if (order.expireAt !== null) this.expiries.add(order)
    this.accounts.rested(order)
  }

  private unindex (order: Order): void {
    this.index.remove(order)
    this.resting--
    if (order.clientOrderId !== null) this.openByClientId.delete(clientKey(order.accountId, order.clientOrderId))
    if (order.expireAt !== null) this.expiries.remove(order)
    this.accounts.left(order)
  }

  private amended (order: Order, out: CommandOutput): void {
    if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.AMENDED, order: snapshotOf(order) })
  }

  /** A terminal end of an order that may already be open (then it leaves the indexes too). */
  private end (order: Order, eventType: OrderEventType, out: CommandOutput, open: boolean): void {
    if (open) this.unindex(order)
    this.finish(order, eventType, out)
  }

  /** Every terminal state passes here: history, the event, and the end of its OCO list. */
  private finish (order: Order, eventType: OrderEventType, out: CommandOutput): void {
    out.retired.push(order)
    if (out.events !== null) out.events.push({ type: 'order', eventType, order: snapshotOf(order) })
    if (order.ocoPeer !== null) this.cancelPeer(order, out)
  }
}

const MatchEnd = { DONE: 0, CAPPED: 1, SELF_TRADE: 2, BAND: 3, BUDGET: 4 } as const
type MatchEnd = typeof MatchEnd[keyof typeof MatchEnd]

/** Why an order that did not fill ended: its matching's end as a cancel reason (null: nothing more crossed, or a quote budget used up). */
function reasonOf (end: MatchEnd): CancelReason | null {
  switch (end) {
    case MatchEnd.CAPPED: return CancelReason.MATCH_LIMIT
    case MatchEnd.SELF_TRADE: return CancelReason.SELF_TRADE_PREVENTION
    case MatchEnd.BAND: return CancelReason.PRICE_BAND
    default: return null
  }
}

/** Both legs of an OCO list let go of each other. */
export function unlinkOco (order: Order): void {
  const peer = order.ocoPeer
  order.ocoPeer = null
  if (peer !== null) peer.ocoPeer = null
}

/** Whole lots a budget of (tick × lot) units buys at `priceTicks`, exact (BigInt when the budget is past 2^50, where a double quotient can round up). */
function affordableLots (budget: number, priceTicks: number): number {
  if (budget < 2 ** 50) return Math.floor(budget / priceTicks)
  return Number(BigInt(budget) / BigInt(priceTicks))
}

/** The key of an open order by its account's client order id. */
export function clientKey (accountId: string, clientOrderId: string): string {
  return accountId + ' ' + clientOrderId
}
