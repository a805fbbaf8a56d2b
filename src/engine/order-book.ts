/**
 * One symbol's book: matching, resting, cancelling, depth and BBO, all in
 * integer ticks and lots. The engine owns ids, the clock, the histories and
 * the indexes of open orders by number and by expiry (shared by every book);
 * the book owns the price levels, its stops, its client-id index and its
 * symbol's counters (BookCore). This file is the matching: a new order's
 * run, the stops its trades trigger, amends, icebergs' refreshes.
 */
import { BookCore, type CommandOutput } from './book-core.js'
import { CancelReason, OrderStatus, Side, StpMode, TimeInForce, restsWhenShort, type Order } from './order.js'
import type { PriceLevel } from './price-level.js'
import { OrderEventType, snapshotOf } from './events.js'
import { Fillability, crossesAt } from './fillability.js'
import type { AmendFields } from './validate.js'
import { bandLimit } from './symbols.js'

export { BookCore, clientKey, unlinkOco, type BookStats, type CommandOutput } from './book-core.js'
export { Fillability, type MatchProbe } from './fillability.js'

export class OrderBook extends BookCore {
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
    } else if (restsWhenShort(tif) && taker.priceTicks !== null) {
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
      while (checked < out.trades.length && this.stops.count > 0) this.stops.takeTriggered(out.trades[checked++].priceTicks, queue)
      if (next === queue.length) return
      const order = queue[next++]
      // An OCO leg whose peer traded while it waited in the queue was cancelled with it: it never triggers.
      if (order.status !== OrderStatus.UNTRIGGERED) continue
      // A triggering OCO leg takes its peer with it, when its turn comes.
      if (order.ocoPeer !== null) this.cancelPeer(order, out)
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
    const band = limit === null && this.priceBand !== null && last !== null ? bandLimit(this.priceBand, buy, last) : -1
    const quote = taker.quoteUnits !== null
    let budget = taker.quoteUnits ?? 0
    let fills = 0
    let level = opposite.best()
    while (level !== undefined && taker.remainingLots > 0 && crossesAt(taker.side, limit, level.priceTicks)) {
      if (band >= 0 && (buy ? level.priceTicks > band : level.priceTicks < band)) return MatchEnd.BAND
      const price = level.priceTicks
      // A budget that buys nothing here ends the order as spent, before the cap is looked at.
      if (quote && affordableLots(budget, price) === 0) return MatchEnd.BUDGET
      if (fills === maxFills) return MatchEnd.CAPPED
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
          } else if (taker.remainingLots > 0) {
            // Only a quote-sized taker leaves a maker part-filled and wants more: its budget buys no more lots at this price.
            if (out.touched !== null) out.touched.push(level)
            return MatchEnd.BUDGET
          }
        }
        maker = next
      }
      if (out.touched !== null) out.touched.push(level)
      const empty = level.isEmpty
      if (empty) opposite.removeLevel(level)
      if (stopped) return MatchEnd.SELF_TRADE
      // A level left non-empty means the taker is done or the cap stopped it in this level (or its budget).
      if (!empty) return taker.remainingLots === 0 ? MatchEnd.DONE : quote && affordableLots(budget, price) === 0 ? MatchEnd.BUDGET : MatchEnd.CAPPED
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

/** Whole lots a budget of (tick × lot) units buys at `priceTicks`, exact (BigInt when the budget is past 2^50, where a double quotient can round up). */
function affordableLots (budget: number, priceTicks: number): number {
  if (budget < 2 ** 50) return Math.floor(budget / priceTicks)
  return Number(BigInt(budget) / BigInt(priceTicks))
}
