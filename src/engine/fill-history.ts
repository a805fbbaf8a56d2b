import type { Trade } from './events.js'

/**
 * The most recent trades, kept so each account can list its own fills.
 * Bounded: past the limit the oldest goes. Entry n (counting every trade
 * ever added) sits at ring[n % limit] while it is kept; n is what cursors
 * count in.
 */
export class FillHistory {
  readonly limit: number
  private readonly ring: Array<Trade | undefined>
  /** Trades ever added. */
  added = 0

  constructor (limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error('fill history limit must be a positive integer')
    this.limit = limit
    this.ring = new Array<Trade | undefined>(limit)
  }

  get size (): number {
    return Math.min(this.added, this.limit)
  }

  /** The number of the oldest trade still kept. */
  get oldest (): number {
    return Math.max(0, this.added - this.limit)
  }

  add (trade: Trade): void {
    this.ring[this.added % this.limit] = trade
    this.added++
  }

  /** Trade number n; only for oldest <= n < added. */
  at (n: number): Trade {
    return this.ring[n % this.limit] as Trade
  }

  /** Oldest first: the order a snapshot keeps. */
  * values (): IterableIterator<Trade> {
    for (let n = this.oldest; n < this.added; n++) yield this.at(n)
  }
}
