/**
 * A consumer's own l2 book, as issue 13's contract has a client keep it: a snapshot (or an l2 resync)
 * replaces it, each delta sets its [price, quantity] levels ("0" removes one), then the book is cut to
 * the subscription's depth and its checksum (book-checksum.ts) must equal the message's.
 *
 * Books are immutable values, so a thousand consumers that hold the same state share one: the state
 * after applying a message is remembered on the state it was applied to, keyed by the message's exact
 * text. That is the same pure function evaluated once instead of a thousand times, not a shortcut: a
 * consumer whose book differs (a gap, a lost or altered message, another depth) holds another state
 * object, misses the memo and computes its own result, which is then checked against the message.
 */
import { bookChecksum, type Level } from './book-checksum.js'

export class L2Book {
  readonly bids: readonly Level[]
  readonly asks: readonly Level[]
  /** Levels kept per side (the subscription's depth). */
  readonly depth: number
  private sum: number | null = null
  private next: Map<string, L2Book> | null = null

  constructor (bids: readonly Level[], asks: readonly Level[], depth: number) {
    this.bids = bids
    this.asks = asks
    this.depth = depth
  }

  get checksum (): number {
    if (this.sum === null) this.sum = bookChecksum(this.bids, this.asks)
    return this.sum
  }

  /** The book a snapshot or resync shows (its levels need not be sorted). */
  static from (bids: readonly Level[], asks: readonly Level[], depth: number): L2Book {
    return new L2Book(apply([], bids, true, depth), apply([], asks, false, depth), depth)
  }

  /** This book after a delta; `key` (the message text) remembers the result for the next consumer. */
  applyDelta (bids: readonly Level[], asks: readonly Level[], key?: string): L2Book {
    const known = key === undefined ? undefined : this.next?.get(key)
    if (known !== undefined) return known
    const book = new L2Book(apply(this.bids, bids, true, this.depth), apply(this.asks, asks, false, this.depth), this.depth)
    if (key !== undefined) {
      // A few successors at most (one per interval's message); old states are dropped with their consumers.
      if (this.next === null || this.next.size >= 8) this.next = new Map()
      this.next.set(key, book)
    }
    return book
  }
}

/** Snapshots seen, by text, so consumers given the same snapshot share its book. Bounded. */
const snapshots = new Map<string, L2Book>()

export function bookFromSnapshot (bids: readonly Level[], asks: readonly Level[], depth: number, key?: string): L2Book {
  const known = key === undefined ? undefined : snapshots.get(key)
  if (known !== undefined) return known
  const book = L2Book.from(bids, asks, depth)
  if (key !== undefined) {
    if (snapshots.size >= 256) snapshots.clear()
    snapshots.set(key, book)
  }
  return book
}

/** side with the levels set (quantity 0 removes), sorted best first, at most depth levels. */
function apply (side: readonly Level[], levels: readonly Level[], descending: boolean, depth: number): Level[] {
  const out = side.slice()
  for (const level of levels) {
    const price = String(level[0])
    const qty = String(level[1])
    const p = Number(price)
    let i = 0
    // Prices are compared by value (canonical decimals: one string per value); the sides stay short.
    while (i < out.length && (descending ? Number(out[i][0]) > p : Number(out[i][0]) < p)) i++
    const same = i < out.length && Number(out[i][0]) === p
    if (Number(qty) === 0) {
      if (same) out.splice(i, 1)
    } else if (same) {
      out[i] = [price, qty]
    } else {
      out.splice(i, 0, [price, qty])
    }
  }
  return depth > 0 && out.length > depth ? out.slice(0, depth) : out
}
