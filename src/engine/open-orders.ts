import type { Order } from './order.js'

/** Slots per page: a power of two, big enough that most commands touch a page that exists. */
const PAGE_SIZE = 4096

type Page = Array<Order | undefined>

/**
 * Every resting order of the engine, indexed by its integer sequence number
 * (its id is that number in decimal). Pages of PAGE_SIZE consecutive numbers
 * live in a dense array that starts at the page of the oldest resting order;
 * a page is dropped as soon as it holds nothing, so memory follows the span
 * of live order numbers, not their history.
 *
 * This replaced a Map<string, Order>: a string-keyed insert on every resting
 * order and a delete on every fill or cancel were a fifth of the engine's
 * time, and each key was a string built only for the map.
 */
export class OpenOrderIndex {
  private pages: Array<Page | undefined> = []
  /** Live orders per page, parallel to pages. */
  private live: number[] = []
  /** The page number of pages[0]. */
  private base = 0
  /** Resting orders in all books. */
  size = 0

  get (seq: number): Order | undefined {
    const page = this.pages[Math.floor(seq / PAGE_SIZE) - this.base]
    return page === undefined ? undefined : page[seq % PAGE_SIZE]
  }

  add (order: Order): void {
    const seq = order.seq
    const number = Math.floor(seq / PAGE_SIZE)
    if (this.pages.length === 0) this.base = number
    // Orders restored from a snapshot or a journal come in any order: grow the array at whichever end.
    while (number < this.base) {
      this.pages.unshift(undefined)
      this.live.unshift(0)
      this.base--
    }
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
    this.size++
  }

  /** Only for an order that add() indexed and remove() has not yet removed. */
  remove (order: Order): void {
    const at = Math.floor(order.seq / PAGE_SIZE) - this.base
    const page = this.pages[at] as Page
    page[order.seq % PAGE_SIZE] = undefined
    this.size--
    if (--this.live[at] > 0) return
    this.pages[at] = undefined
    // Trim empty pages at both ends so the array spans live pages only.
    while (this.pages.length > 0 && this.pages[0] === undefined) {
      this.pages.shift()
      this.live.shift()
      this.base++
    }
    while (this.pages.length > 0 && this.pages[this.pages.length - 1] === undefined) {
      this.pages.pop()
      this.live.pop()
    }
  }

  /** Every indexed order, lowest number first. */
  * values (): IterableIterator<Order> {
    for (const page of this.pages) {
      if (page === undefined) continue
      for (const order of page) if (order !== undefined) yield order
    }
  }

  /** Pages currently allocated (for tests of the memory bound). */
  get pageCount (): number {
    let count = 0
    for (const page of this.pages) if (page !== undefined) count++
    return count
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
