import type { Order, Side } from './order.js'

/**
 * One price level: a FIFO of resting orders as an intrusive doubly linked
 * list, so appending, popping the head and unlinking any order are O(1).
 * It is itself a node of its side's best-first list of levels.
 */
export class PriceLevel {
  readonly side: Side
  readonly priceTicks: number
  /** What the level shows: the sum of its orders' visible lots (an iceberg shows only its slice). */
  totalLots = 0
  count = 0
  /** Icebergs among its orders: only then can more lots trade here than totalLots shows. */
  icebergs = 0
  /** The last command that listed this level as changed (see CommandResults.complete), so it is listed once. */
  mark = 0
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

  /** Its orders in queue order, for market-data readers off the matching path (l3 snapshots and checksums). */
  * orders (): IterableIterator<Order> {
    for (let order = this.head; order !== null; order = order.next) yield order
  }

  append (order: Order): void {
    order.level = this
    order.prev = this.tail
    order.next = null
    if (this.tail === null) this.head = order
    else this.tail.next = order
    this.tail = order
    this.totalLots += order.visibleLots
    this.count++
    if (order.displayLots > 0) this.icebergs++
  }

  /** Unlinks an order; the caller has already accounted for filled lots (what it still shows is taken off the total). */
  remove (order: Order): void {
    if (order.prev === null) this.head = order.next
    else order.prev.next = order.next
    if (order.next === null) this.tail = order.prev
    else order.next.prev = order.prev
    order.level = null
    order.prev = null
    order.next = null
    this.totalLots -= order.visibleLots
    this.count--
    if (order.displayLots > 0) this.icebergs--
  }
}
