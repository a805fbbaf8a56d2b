/**
 * Open GTD orders of every book by expire time, then number: the adapter's
 * timer asks for the first, an expire command takes every one that is due.
 */
import BTreeModule from 'sorted-btree'
import type { Order } from './order.js'

// sorted-btree is CommonJS with `exports.default`.
const BTree = BTreeModule.default

const byExpiry = (a: Order, b: Order): number => (a.expireAt as number) - (b.expireAt as number) || a.seq - b.seq

export class ExpiryQueue {
  private readonly tree = new BTree<Order, undefined>(undefined, byExpiry)

  add (order: Order): void {
    this.tree.set(order, undefined)
  }

  remove (order: Order): void {
    this.tree.delete(order)
  }

  /** When the first order expires (epoch ms); null when none waits. */
  next (): number | null {
    const first = this.tree.minKey()
    return first === undefined ? null : first.expireAt
  }

  /** The orders due at `timestamp` (expire time at or before it), in expiry order; the queue is unchanged. */
  due (timestamp: number): Order[] {
    const due: Order[] = []
    for (const order of this.tree.keys()) {
      if ((order.expireAt as number) > timestamp) break
      due.push(order)
    }
    return due
  }
}
