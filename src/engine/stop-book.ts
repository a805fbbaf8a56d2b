/**
 * One book's untriggered stop orders, off the book and out of market data.
 * Buy stops trigger when a trade's price reaches up to them, sell stops when
 * it reaches down to them, so each side is a B+tree ordered the way a moving
 * price meets them: buys by stop price ascending, sells descending, then by
 * order number. A trade takes its triggered stops off the front.
 */
import BTreeModule from 'sorted-btree'
import { Side, type Order } from './order.js'

// sorted-btree is CommonJS with `exports.default`.
const BTree = BTreeModule.default

const stopOf = (order: Order): number => order.stopPriceTicks as number
const buysFirstMet = (a: Order, b: Order): number => stopOf(a) - stopOf(b) || a.seq - b.seq
const sellsFirstMet = (a: Order, b: Order): number => stopOf(b) - stopOf(a) || a.seq - b.seq

export class StopBook {
  private readonly buys = new BTree<Order, undefined>(undefined, buysFirstMet)
  private readonly sells = new BTree<Order, undefined>(undefined, sellsFirstMet)

  /** Kept here: the trees' own size walks their nodes, and every order that trades asks. */
  private stops = 0

  get count (): number {
    return this.stops
  }

  add (order: Order): void {
    if (this.sideOf(order).set(order, undefined)) this.stops++
  }

  remove (order: Order): void {
    if (this.sideOf(order).delete(order)) this.stops--
  }

  /**
   * Takes off every stop a trade at `priceTicks` triggers and appends them to
   * `into` in trigger order: buys (stop ≤ price) by stop price ascending, then
   * sells (stop ≥ price) by stop price descending, each then by number.
   */
  takeTriggered (priceTicks: number, into: Order[]): void {
    for (let first = this.buys.minKey(); first !== undefined && stopOf(first) <= priceTicks; first = this.buys.minKey()) {
      this.buys.delete(first)
      this.stops--
      into.push(first)
    }
    for (let first = this.sells.minKey(); first !== undefined && stopOf(first) >= priceTicks; first = this.sells.minKey()) {
      this.sells.delete(first)
      this.stops--
      into.push(first)
    }
  }

  /** Every stop, lowest number first (snapshots and listings, not the matching path). */
  values (): Order[] {
    return [...this.buys.keys(), ...this.sells.keys()].sort((a, b) => a.seq - b.seq)
  }

  private sideOf (order: Order) {
    return order.side === Side.BUY ? this.buys : this.sells
  }
}
