import type { Order } from './order.js'

/**
 * Terminal orders (filled, cancelled, rejected), kept so their status stays
 * queryable. Bounded: past the limit the oldest entry goes.
 *
 * Age order lives in a ring buffer. The id indexes are built lazily, on the
 * first lookup after new entries arrived: almost every order ends here, but
 * few are ever looked up, so the hot path pays one array store instead of
 * two hash-map updates (a Map insert and delete per order was a fifth of the
 * engine's time). A lookup indexes each entry at most once.
 */
export class OrderHistory {
  readonly limit: number
  private readonly ring: Array<Order | undefined>
  /** Entries ever added; entry n sits at ring[n % limit] while it is kept. */
  private added = 0
  /** Entries [0, indexed) have been put in the maps (those still kept are there). */
  private indexed = 0
  private readonly byId = new Map<string, Order>()
  private readonly byClientId = new Map<string, Order>()

  constructor (limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error('history limit must be a positive integer')
    this.limit = limit
    this.ring = new Array<Order | undefined>(limit)
  }

  get size (): number {
    return Math.min(this.added, this.limit)
  }

  add (order: Order): void {
    const slot = this.added % this.limit
    const oldest = this.ring[slot]
    // The entry being overwritten is number added - limit; only an indexed one is in the maps.
    if (oldest !== undefined && this.added - this.limit < this.indexed) this.forget(oldest)
    this.ring[slot] = order
    this.added++
  }

  get (orderId: string): Order | undefined {
    this.catchUp()
    return this.byId.get(orderId)
  }

  /** The most recent terminal order with this client id. */
  getByClientId (symbol: string, clientOrderId: string): Order | undefined {
    this.catchUp()
    return this.byClientId.get(clientKey(symbol, clientOrderId))
  }

  /** Oldest first: the order a snapshot must keep to evict the same way after restore. */
  * values (): IterableIterator<Order> {
    for (let n = Math.max(0, this.added - this.limit); n < this.added; n++) yield this.ring[n % this.limit] as Order
  }

  private catchUp (): void {
    for (let n = Math.max(this.indexed, this.added - this.limit); n < this.added; n++) {
      const order = this.ring[n % this.limit] as Order
      this.byId.set(order.id, order)
      if (order.clientOrderId !== null) this.byClientId.set(clientKey(order.symbol, order.clientOrderId), order)
    }
    this.indexed = this.added
  }

  private forget (order: Order): void {
    this.byId.delete(order.id)
    if (order.clientOrderId !== null) {
      const key = clientKey(order.symbol, order.clientOrderId)
      if (this.byClientId.get(key) === order) this.byClientId.delete(key)
    }
  }
}

function clientKey (symbol: string, clientOrderId: string): string {
  return symbol + ' ' + clientOrderId
}
