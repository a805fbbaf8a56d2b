/**
 * What one symbol's book holds and how an order enters and leaves it: the
 * price levels, the untriggered stops, the client-id index and the
 * symbol's counters, and the bookkeeping of every order that rests, ends or
 * is cancelled (indexes, history, events, OCO lists). The matching itself
 * is OrderBook's (order-book.ts), built on this.
 */
import { BookSide } from './book-side.js'
import { CancelReason, Order, OrderStatus, Side, StpMode, TradingStatus } from './order.js'
import type { AccountRegistry } from './accounts.js'
import type { PriceLevel } from './price-level.js'
import type { SymbolSpec } from './symbols.js'
import type { ScaledDecimal } from './decimal.js'
import { OrderEventType, snapshotOf, type EngineEvent, type LevelChange } from './events.js'
import { orderSeqOf, type OpenOrderIndex } from './open-orders.js'
import { LaterTrade, Trade } from './trade.js'
import { UnitCounter } from './volume.js'
import { Fillability, crossesAt, fillabilityOf, type MatchProbe } from './fillability.js'
import { StopBook } from './stop-book.js'
import type { ExpiryQueue } from './expiry-queue.js'

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
  /** When the command was taken: every trade it makes happens then. */
  timestamp: number
}

export interface BookStats {
  totalOrders: number
  totalTrades: number
  readonly volumeLots: UnitCounter
  lastTradePriceTicks: number | null
  lastTradeTime: number | null
}

export class BookCore {
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
  protected readonly accounts: AccountRegistry
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
  /**
   * Price protection for market orders, as state: the symbol's configured
   * band when the engine is built, then changed only by a journaled
   * set_price_band command, so that replay applies the band each command ran under.
   */
  priceBand: ScaledDecimal | null

  constructor (spec: SymbolSpec, accounts: AccountRegistry, index: OpenOrderIndex, expiries: ExpiryQueue) {
    this.spec = spec
    this.accounts = accounts
    this.index = index
    this.expiries = expiries
    this.priceBand = spec.priceBand
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

  /** How many orders rest in the book: what the public sees (untriggered stops are not market data). */
  get restingCount (): number {
    return this.resting - this.stops.count
  }

  /** How many orders are open in this book (resting and untriggered). */
  get openCount (): number {
    return this.resting
  }

  sideOf (side: Side): BookSide {
    return side === Side.BUY ? this.bids : this.asks
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

  /** Changed levels of a command, each with its new total (0 = gone); CommandResults lists each level once. */
  static levelChanges (touched: readonly PriceLevel[]): LevelChange[] {
    return touched.map((level) => ({ side: level.side, priceTicks: level.priceTicks, totalLots: level.totalLots }))
  }

  /** The other leg of an OCO list whose `order` traded, triggered or ended: cancelled with reason OCO. */
  protected cancelPeer (order: Order, out: CommandOutput): void {
    const peer = order.ocoPeer as Order
    unlinkOco(order)
    this.cancel(peer, out, CancelReason.OCO)
  }

  protected recordTrade (taker: Order, maker: Order, lots: number, out: CommandOutput): void {
    const priceTicks = maker.priceTicks as number
    const at = out.timestamp
    const trade = at === taker.timestamp
      ? new Trade(this.spec.symbol, this.nextTradeSeq++, priceTicks, lots, maker, taker)
      : new LaterTrade(this.spec.symbol, this.nextTradeSeq++, priceTicks, lots, maker, taker, at)
    out.trades.push(trade)
    if (out.events !== null) out.events.push({ type: 'trade', trade })
    const stats = this.stats
    stats.totalTrades++
    stats.volumeLots.add(lots)
    stats.lastTradePriceTicks = priceTicks
    stats.lastTradeTime = out.timestamp
  }

  /** `open`: the order is already indexed (a triggered stop or an amended order). */
  protected rest (order: Order, out: CommandOutput, open: boolean): void {
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
  protected takeOff (order: Order, out: CommandOutput): void {
    if (order.status === OrderStatus.UNTRIGGERED) this.stops.remove(order)
    else this.leaveLevel(order, order.level as PriceLevel, out)
    this.unindex(order)
  }

  protected leaveLevel (order: Order, level: PriceLevel, out: CommandOutput): void {
    level.remove(order)
    if (out.touched !== null) out.touched.push(level)
    if (level.isEmpty) this.sideOf(order.side).removeLevel(level)
  }

  protected indexOpen (order: Order): void {
    this.index.add(order)
    this.resting++
    if (order.clientOrderId !== null) this.openByClientId.set(clientKey(order.accountId, order.clientOrderId), order)
    if (order.expireAt !== null) this.expiries.add(order)
    this.accounts.rested(order)
  }

  protected unindex (order: Order): void {
    this.index.remove(order)
    this.resting--
    if (order.clientOrderId !== null) this.openByClientId.delete(clientKey(order.accountId, order.clientOrderId))
    if (order.expireAt !== null) this.expiries.remove(order)
    this.accounts.left(order)
  }

  protected amended (order: Order, out: CommandOutput): void {
    if (out.events !== null) out.events.push({ type: 'order', eventType: OrderEventType.AMENDED, order: snapshotOf(order) })
  }

  /** A terminal end of an order that may already be open (then it leaves the indexes too). */
  protected end (order: Order, eventType: OrderEventType, out: CommandOutput, open: boolean): void {
    if (open) this.unindex(order)
    this.finish(order, eventType, out)
  }

  /** Every terminal state passes here: history, the event, and the end of its OCO list. */
  protected finish (order: Order, eventType: OrderEventType, out: CommandOutput): void {
    out.retired.push(order)
    if (out.events !== null) out.events.push({ type: 'order', eventType, order: snapshotOf(order) })
    if (order.ocoPeer !== null) this.cancelPeer(order, out)
  }
}

/** Both legs of an OCO list let go of each other. */
export function unlinkOco (order: Order): void {
  const peer = order.ocoPeer
  order.ocoPeer = null
  if (peer !== null) peer.ocoPeer = null
}

/** The key of an open order by its account's client order id. */
export function clientKey (accountId: string, clientOrderId: string): string {
  return accountId + ' ' + clientOrderId
}
