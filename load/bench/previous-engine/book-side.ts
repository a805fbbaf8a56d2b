import BTreeModule from 'sorted-btree'
import { PriceLevel } from './price-level.js'
import { Side } from './order.js'

// sorted-btree is CommonJS with `exports.default`.
const BTree = BTreeModule.default

const ascending = (a: number, b: number): number => a - b
const descending = (a: number, b: number): number => b - a

/**
 * One side of a book: price levels in a B+tree keyed by integer ticks, with
 * the comparator putting the best price first (highest bid, lowest ask), so
 * "best" is always minKey() on either side.
 */
export class BookSide {
  readonly side: Side
  private readonly levels
  /** Cached best level: read on every aggressor, changed far less often. */
  private bestLevel: PriceLevel | undefined

  constructor (side: Side) {
    this.side = side
    this.levels = new BTree<number, PriceLevel>(undefined, side === Side.BUY ? descending : ascending)
  }

  get levelCount (): number {
    return this.levels.size
  }

  best (): PriceLevel | undefined {
    return this.bestLevel
  }

  get (priceTicks: number): PriceLevel | undefined {
    return this.levels.get(priceTicks)
  }

  getOrCreate (priceTicks: number): PriceLevel {
    let level = this.levels.get(priceTicks)
    if (level === undefined) {
      level = new PriceLevel(this.side, priceTicks)
      this.levels.set(priceTicks, level)
      if (this.bestLevel === undefined || this.isBetter(priceTicks, this.bestLevel.priceTicks)) this.bestLevel = level
    }
    return level
  }

  /** Removes an empty level at once, so the tree never holds dead prices. */
  removeLevel (level: PriceLevel): void {
    this.levels.delete(level.priceTicks)
    if (this.bestLevel === level) {
      const key = this.levels.minKey()
      this.bestLevel = key === undefined ? undefined : this.levels.get(key)
    }
  }

  /** True when a is a better price than b for this side. */
  isBetter (a: number, b: number): boolean {
    return this.side === Side.BUY ? a > b : a < b
  }

  /** Levels best first, at most `limit` of them. */
  * bestFirst (limit = Infinity): IterableIterator<PriceLevel> {
    if (limit <= 0) return
    let n = 0
    for (const [, level] of this.levels.entries()) {
      yield level
      if (++n >= limit) return
    }
  }
}
