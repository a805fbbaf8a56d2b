import type { Order, Side } from './order.js'

/**
 * One price level: a FIFO of resting orders as an intrusive doubly linked
 * list, so appending, popping the head and unlinking any order are O(1).
 * It is itself a node of its side's best-first list of levels.
 */
export class PriceLevel {
  readonly side: Side
  readonly priceTicks: number
  totalLots = 0
  count = 0
  head: Order | null = null
  tail: Order | null = null
  /** Neighbours in its side's best-first list (the next better and the next worse price), set while the level exists. */
  better: PriceLevel | null = null
  worse: PriceLevel | null = null
  /** In its side's list of levels; false while it is parked empty for reuse (see BookSide). */
  listed = false

  constructor (side: Side, priceTicks: number) {
    this.side = side
    this.priceTicks = priceTicks
  }

  get isEmpty (): boolean {
    return this.head === null
  }

  append (order: Order): void {
    order.level = this
    order.prev = this.tail
    order.next = null
    if (this.tail === null) this.head = order
    else this.tail.next = order
    this.tail = order
    this.totalLots += order.remainingLots
    this.count++
  }

  /** Unlinks an order; the caller has already accounted for filled lots. */
  remove (order: Order): void {
    if (order.prev === null) this.head = order.next
    else order.prev.next = order.next
    if (order.next === null) this.tail = order.prev
    else order.next.prev = order.prev
    order.level = null
    order.prev = null
    order.next = null
    this.totalLots -= order.remainingLots
    this.count--
  }
}
