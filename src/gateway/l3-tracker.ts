/**
 * One symbol's order-by-order (l3) changes, derived from the engine's order
 * events in execution order: what each event did to the queues the public
 * sees. It keeps, for each order resting in the book, the little the events
 * do not carry: its side, price, visible lots and filled lots as the book
 * last showed them. Built from the book when a symbol gets its first l3
 * subscriber, then kept in step by every command's events.
 *
 * How an event maps (order-book.ts, book-core.ts):
 * - resting: add at the back of its level, showing its remaining lots (an
 *   iceberg its slice);
 * - partially_filled (always a maker): change, keeping its place; a slice
 *   used up to 0 is followed by refreshed;
 * - refreshed: delete + add (the next slice goes to the back);
 * - amended, still resting (a reduction): change, keeping its place, if what
 *   it shows changed; amended and then run again (a new price or a larger
 *   quantity: the same command has a later event of that order): delete, and
 *   its later resting event adds it; amended down to what it has filled: delete;
 * - filled, cancelled, expired: delete, if it rested.
 * Untriggered stops are not in the book: their events (and those of takers
 * that never rested) change nothing.
 */
import { OrderEventType, OrderStatus, type EngineEvent, type OrderBook, type OrderSnapshot, type Side } from '../engine/index.js'

export const L3Action = { ADD: 'add', CHANGE: 'change', DELETE: 'delete' } as const
export type L3Action = typeof L3Action[keyof typeof L3Action]

/** One change to the public queues, in integer ticks and lots; a delete shows 0 lots. */
export interface L3Change {
  readonly action: L3Action
  readonly orderId: string
  readonly side: Side
  readonly priceTicks: number
  readonly lots: number
}

type OrderEvent = Extract<EngineEvent, { type: 'order' }>

interface Resting {
  readonly side: Side
  readonly priceTicks: number
  visibleLots: number
  filledLots: number
}

export class L3Tracker {
  private readonly resting = new Map<string, Resting>()

  constructor (book: OrderBook) {
    for (const side of [book.bids, book.asks]) {
      for (const level of side.bestFirst()) {
        for (const order of level.orders()) {
          this.resting.set(order.id, { side: order.side, priceTicks: level.priceTicks, visibleLots: order.visibleLots, filledLots: order.filledLots })
        }
      }
    }
  }

  /** Appends the l3 changes of events[index], an order event of this tracker's symbol, to `out`. */
  apply (events: readonly EngineEvent[], index: number, out: L3Change[]): void {
    const event = events[index] as OrderEvent
    const order = event.order
    const id = order.id
    if (event.eventType === OrderEventType.RESTING) {
      this.add(id, order, out)
      return
    }
    const known = this.resting.get(id)
    // An untriggered or triggered stop, or a taker that never rested.
    if (known === undefined) return
    switch (event.eventType) {
      case OrderEventType.PARTIALLY_FILLED: {
        known.visibleLots -= order.filledLots - known.filledLots
        known.filledLots = order.filledLots
        // A used-up iceberg slice: the refreshed event that follows deletes and adds it.
        if (known.visibleLots > 0) out.push(change(L3Action.CHANGE, id, known))
        return
      }
      case OrderEventType.REFRESHED:
        this.remove(id, known, out)
        this.add(id, order, out)
        return
      case OrderEventType.AMENDED:
        if (order.status !== OrderStatus.FILLED && !runsAgain(events, index, id)) {
          const visible = Math.min(known.visibleLots, order.quantityLots - order.filledLots)
          if (visible === known.visibleLots) return
          known.visibleLots = visible
          out.push(change(L3Action.CHANGE, id, known))
          return
        }
        this.remove(id, known, out)
        return
      default:
        // filled, cancelled or expired: it leaves the book.
        this.remove(id, known, out)
    }
  }

  private add (id: string, order: OrderSnapshot, out: L3Change[]): void {
    const remaining = order.quantityLots - order.filledLots
    const known: Resting = {
      side: order.side,
      priceTicks: order.priceTicks as number,
      visibleLots: order.displayLots > 0 ? Math.min(order.displayLots, remaining) : remaining,
      filledLots: order.filledLots
    }
    this.resting.set(id, known)
    out.push(change(L3Action.ADD, id, known))
  }

  private remove (id: string, known: Resting, out: L3Change[]): void {
    this.resting.delete(id)
    out.push({ action: L3Action.DELETE, orderId: id, side: known.side, priceTicks: known.priceTicks, lots: 0 })
  }
}

function change (action: L3Action, orderId: string, known: Resting): L3Change {
  return { action, orderId, side: known.side, priceTicks: known.priceTicks, lots: known.visibleLots }
}

/**
 * Whether the command has a later event of this order: an amend that moves
 * an order takes it off its level and runs it again, which always ends in an
 * event of it (resting, filled, cancelled or rejected); an amend that keeps
 * its place is the command's only event of it.
 */
function runsAgain (events: readonly EngineEvent[], index: number, id: string): boolean {
  for (let i = index + 1; i < events.length; i++) {
    const event = events[i]
    if (event.type === 'order' && event.order.id === id) return true
  }
  return false
}
