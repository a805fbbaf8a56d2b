import type { Order } from './order.js'

/** Slots per page: a power of two, big enough that most commands touch a page that exists. */
const PAGE_SIZE = 4096
/** A page behind the newest is given up when fewer orders than this rest in it: a page then costs at most 256 bytes per order. */
const DENSE_MIN = PAGE_SIZE / 32
/** Page numbers the page array may span (a slot each, used or not): past that, older pages are given up. */
const MAX_SPAN = 1 << 16

type Page = Array<Order | undefined>

/**
 * Every resting order of the engine, indexed by its integer sequence number
 * (its id is that number in decimal).
 *
 * Pages of PAGE_SIZE consecutive numbers live in an array that starts at
 * the oldest page still in use. New orders always land in the newest page.
 * A page behind the newest one holds only orders that are still resting, so
 * it only ever empties: when fewer than DENSE_MIN of its orders are left,
 * they move to a Map (`sparse`) and the page goes. An order that rests for
 * days therefore pins a Map entry, not a 32 KB page: whoever spaces out
 * their resting orders cannot make the index hold more than a few hundred
 * bytes per order. Nor can numbers that jump far (a snapshot or journal
 * from high up the range) grow the array, which spans at most MAX_SPAN page
 * numbers. The invariant that makes lookups exact: a page number
 * below the newest either has its page, holding all its resting orders, or
 * has none, and its orders are in the Map.
 *
 * This replaced a Map<string, Order>: a string-keyed insert on every resting
 * order and a delete on every fill or cancel were a fifth of the engine's
 * time, and each key was a string built only for the map.
 */
export class OpenOrderIndex {
  private pages: Array<Page | undefined> = []
  /** Resting orders per page, parallel to pages. */
  private live: number[] = []
  /** The page number of pages[0]. */
  private base = 0
  /** The highest page number ever used: only it or a higher one may get a page (again). */
  private newest = -1
  /** The orders of page numbers below the newest that have no page. */
  private readonly sparse = new Map<number, Order>()
  /** Resting orders in all books. */
  size = 0

  get (seq: number): Order | undefined {
    const at = Math.floor(seq / PAGE_SIZE) - this.base
    const page = at >= 0 ? this.pages[at] : undefined
    if (page !== undefined) return page[seq % PAGE_SIZE]
    return this.sparse.size === 0 ? undefined : this.sparse.get(seq)
  }

  /** Orders must come in number order (as the engine makes them, and as a restore sorts them), or older ones go to the Map. */
  add (order: Order): void {
    const seq = order.seq
    const number = Math.floor(seq / PAGE_SIZE)
    this.size++
    if (number < this.newest) {
      const at = number - this.base
      const page = at >= 0 ? this.pages[at] : undefined
      if (page === undefined) {
        this.sparse.set(seq, order)
      } else {
        page[seq % PAGE_SIZE] = order
        this.live[at]++
      }
      return
    }
    if (number > this.newest) {
      const previous = this.newest - this.base
      this.newest = number
      // The page that was the newest gets no more orders: give it up now if few rest in it.
      if (previous >= 0 && this.pages[previous] !== undefined && this.live[previous] < DENSE_MIN) this.giveUp(previous)
      // A far jump in numbers (a snapshot or journal from far up the range) would grow the array by a slot per
      // page number skipped: the older pages are given up instead, and the array starts again at this one.
      if (this.pages.length > 0 && number - this.base >= MAX_SPAN) this.giveUpAll()
    }
    if (this.pages.length === 0) this.base = number
    const at = number - this.base
    while (this.pages.length <= at) {
      this.pages.push(undefined)
      this.live.push(0)
    }
    let page = this.pages[at]
    if (page === undefined) {
      page = new Array<Order | undefined>(PAGE_SIZE).fill(undefined)
      this.pages[at] = page
    }
    page[seq % PAGE_SIZE] = order
    this.live[at]++
  }

  /** Only for an order that add() indexed and remove() has not yet removed. */
  remove (order: Order): void {
    const seq = order.seq
    const number = Math.floor(seq / PAGE_SIZE)
    const at = number - this.base
    const page = at >= 0 ? this.pages[at] : undefined
    this.size--
    if (page === undefined) {
      this.sparse.delete(seq)
      return
    }
    page[seq % PAGE_SIZE] = undefined
    const left = --this.live[at]
    // The newest page stays even when empty: it is where the next orders go.
    if (number === this.newest) return
    if (left === 0) this.drop(at)
    else if (left < DENSE_MIN) this.giveUp(at)
  }

  /** Every indexed order, lowest number first (not on the matching path). */
  * values (): IterableIterator<Order> {
    const orders: Order[] = []
    for (const page of this.pages) {
      if (page === undefined) continue
      for (const order of page) if (order !== undefined) orders.push(order)
    }
    if (this.sparse.size > 0) {
      orders.push(...this.sparse.values())
      orders.sort((a, b) => a.seq - b.seq)
    }
    yield * orders
  }

  /** Pages currently allocated and orders kept in the Map (for tests of the memory bound). */
  get pageCount (): number {
    let count = 0
    for (const page of this.pages) if (page !== undefined) count++
    return count
  }

  /** Page numbers the page array spans, with or without a page (for tests of the memory bound). */
  get spanPages (): number {
    return this.pages.length
  }

  get sparseCount (): number {
    return this.sparse.size
  }

  /** Moves a page's orders to the Map and drops it. */
  private giveUp (at: number): void {
    const page = this.pages[at] as Page
    for (const order of page) if (order !== undefined) this.sparse.set(order.seq, order)
    this.drop(at)
  }

  /** Moves every page's orders to the Map and drops them all. */
  private giveUpAll (): void {
    for (const page of this.pages) {
      if (page === undefined) continue
      for (const order of page) if (order !== undefined) this.sparse.set(order.seq, order)
    }
    this.pages = []
    this.live = []
  }

  private drop (at: number): void {
    this.pages[at] = undefined
    this.live[at] = 0
    // Trim unused pages at the front so the array spans pages in use only (its end is the newest page, never dropped).
    while (this.pages.length > 0 && this.pages[0] === undefined) {
      this.pages.shift()
      this.live.shift()
      this.base++
    }
  }
}

/**
 * The sequence number an order id names, or -1 when the text is not an id
 * the engine could have given: a positive safe integer in canonical decimal
 * (no sign, no leading zero, no spaces), so that "007" and "7" never name
 * the same order.
 */
export function orderSeqOf (orderId: string): number {
  const length = orderId.length
  if (length === 0 || length > 16) return -1
  let value = 0
  for (let i = 0; i < length; i++) {
    const digit = orderId.charCodeAt(i) - 48
    if (digit < 0 || digit > 9 || (digit === 0 && i === 0)) return -1
    value = value * 10 + digit
  }
  return value <= Number.MAX_SAFE_INTEGER ? value : -1
}
