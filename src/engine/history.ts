import type { Order } from './order.js'

/**
 * Terminal orders (filled, cancelled, rejected), kept so their status stays
 * queryable. Bounded: the oldest entry goes when the limit is passed. A Map
 * iterates in insertion order, which is exactly "oldest first".
 */
export class OrderHistory {
  readonly limit: number
  private readonly byId = new Map<string, Order>()
  private readonly byClientId = new Map<string, Order>()

  constructor (limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error('history limit must be a positive integer')
    this.limit = limit
  }

  get size (): number {
    return this.byId.size
  }

  add (order: Order): void {
    this.byId.set(order.id, order)
    if (order.clientOrderId !== null) this.byClientId.set(clientKey(order.symbol, order.clientOrderId), order)
    if (this.byId.size > this.limit) this.evictOldest()
  }

  get (orderId: string): Order | undefined {
    return this.byId.get(orderId)
  }

  /** The most recent terminal order with this client id. */
  getByClientId (symbol: string, clientOrderId: string): Order | undefined {
    return this.byClientId.get(clientKey(symbol, clientOrderId))
  }

  /** Oldest first: the order a snapshot must keep to evict the same way after restore. */
  values (): IterableIterator<Order> {
    return this.byId.values()
  }

  private evictOldest (): void {
    const oldest = this.byId.values().next().value as Order
    this.byId.delete(oldest.id)
    if (oldest.clientOrderId !== null) {
      const key = clientKey(oldest.symbol, oldest.clientOrderId)
      if (this.byClientId.get(key) === oldest) this.byClientId.delete(key)
    }
  }
}

function clientKey (symbol: string, clientOrderId: string): string {
  return symbol + ' ' + clientOrderId
}
