import { ANONYMOUS, type Order } from './order.js'

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
  private count = 0
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
    return Math.min(this.count, this.limit)
  }

  add (order: Order): void {
    const slot = this.count % this.limit
    const oldest = this.ring[slot]
    // The entry being overwritten is number added - limit; only an indexed one is in the maps.
    if (oldest !== undefined && this.count - this.limit < this.indexed) this.forget(oldest)
    this.ring[slot] = order
    this.count++
  }

  get (orderId: string): Order | undefined {
    this.catchUp()
    return this.byId.get(orderId)
  }

  /** The most recent terminal order of an account with this client id in a symbol. */
  getByClientId (symbol: string, clientOrderId: string, accountId: string = ANONYMOUS): Order | undefined {
    this.catchUp()
    return this.byClientId.get(clientKey(symbol, accountId, clientOrderId))
  }

  /** Entries ever added: entry n is kept while oldest <= n < added. */
  get added (): number {
    return this.count
  }

  get oldest (): number {
    return Math.max(0, this.count - this.limit)
  }

  /** Entry number n; only for oldest <= n < added. */
  at (n: number): Order {
    return this.ring[n % this.limit] as Order
  }

  /** Oldest first: the order a snapshot must keep to evict the same way after restore. */
  * values (): IterableIterator<Order> {
    for (let n = Math.max(0, this.count - this.limit); n < this.count; n++) yield this.ring[n % this.limit] as Order
  }

  private catchUp (): void {
    for (let n = Math.max(this.indexed, this.count - this.limit); n < this.count; n++) {
      const order = this.ring[n % this.limit] as Order
      this.byId.set(order.id, order)
      if (order.clientOrderId !== null) this.byClientId.set(clientKey(order.symbol, order.accountId, order.clientOrderId), order)
    }
    this.indexed = this.count
  }

  private forget (order: Order): void {
    this.byId.delete(order.id)
    if (order.clientOrderId !== null) {
      const key = clientKey(order.symbol, order.accountId, order.clientOrderId)
      if (this.byClientId.get(key) === order) this.byClientId.delete(key)
    }
  }
}

function clientKey (symbol: string, accountId: string, clientOrderId: string): string {
  return symbol + ' ' + accountId + ' ' + clientOrderId
}
