/**
 * What both histories share: a ring of `limit` entries counted from 0 as
 * they are added (entry n sits at slot n % limit while it is kept, so
 * oldest <= n < added), and writing to the columns a batch at a time.
 *
 * Entries are written to the subclass's columns BATCH at a time, at the
 * latest when anything is read (every reader goes through `added` or
 * flush()): a tight loop of column writes costs far less than the same
 * writes spread between commands (measured in the engine benchmark). A
 * batch is small so that its records still die young, and so that the
 * command which flushes it pays about a microsecond, not the ten that 256
 * entries cost at p99.9.
 */
export abstract class BatchedRing<T> {
  readonly limit: number
  /** Entries written to the columns. */
  private written = 0
  /** written % limit, kept alongside instead of a modulo (an integer division) per entry. */
  private nextSlot = 0
  /** Entries added since the last flush. */
  private readonly pending: T[] = []

  constructor (limit: number, what: string) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`${what} limit must be a positive integer`)
    this.limit = limit
  }

  /** Entries ever added. */
  get added (): number {
    this.flush()
    return this.written
  }

  get size (): number {
    return Math.min(this.added, this.limit)
  }

  /** The number of the oldest entry still kept. */
  get oldest (): number {
    return Math.max(0, this.added - this.limit)
  }

  add (entry: T): void {
    this.pending.push(entry)
    if (this.pending.length === BATCH) this.flush()
  }

  /** Writes what is pending; every read of the columns comes after one. */
  protected flush (): void {
    const pending = this.pending
    if (pending.length === 0) return
    for (let i = 0; i < pending.length; i++) {
      const slot = this.nextSlot
      this.nextSlot = slot + 1 === this.limit ? 0 : slot + 1
      this.write(pending[i], slot, this.written++)
    }
    while (pending.length > 0) pending.pop()
  }

  /** Writes entry number n into slot n % limit (over entry n - limit when n >= limit). */
  protected abstract write (entry: T, slot: number, n: number): void
}

/** Entries written to the columns together. */
const BATCH = 32
