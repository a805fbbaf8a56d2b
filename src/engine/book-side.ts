import BTreeModule from 'sorted-btree'
import { PriceLevel } from './price-level.js'
import { Side } from './order.js'

// sorted-btree is CommonJS with `exports.default`.
const BTree = BTreeModule.default

const ascending = (a: number, b: number): number => a - b
const descending = (a: number, b: number): number => b - a
/** Levels walked down from the best before asking the tree where a new level goes. */
const NEAR_TOP = 8

/**
 * One side of a book. Three views of the same levels, each for what it is
 * fastest at:
 * - a B+tree keyed by integer ticks, with the comparator putting the best
 *   price first (highest bid, lowest ask): it orders a new level among the
 *   others, and is touched only when a level appears or goes;
 * - a hash from ticks to level, for the lookups of every rest and cancel;
 * - a doubly linked list of the levels best first (PriceLevel.better and
 *   .worse), whose head is the best level: matching walks it without a
 *   comparator call, a generator or a tree lookup, and the next best level
 *   is always one link away when a level empties.
 */
export class BookSide {
  readonly side: Side
  private readonly tree
  private readonly byPrice = new Map<number, PriceLevel>()
  private bestLevel: PriceLevel | undefined
  /** Reused by the tree's neighbour lookups, which would otherwise allocate a pair each. */
  private readonly pair: [number, PriceLevel] = [0, undefined as unknown as PriceLevel]

  constructor (side: Side) {
    this.side = side
    this.tree = new BTree<number, PriceLevel>(undefined, side === Side.BUY ? descending : ascending)
  }

  get levelCount (): number {
    return this.byPrice.size
  }

  best (): PriceLevel | undefined {
    return this.bestLevel
  }

  get (priceTicks: number): PriceLevel | undefined {
    return this.byPrice.get(priceTicks)
  }

  getOrCreate (priceTicks: number): PriceLevel {
    const existing = this.byPrice.get(priceTicks)
    if (existing !== undefined) return existing
    const level = new PriceLevel(this.side, priceTicks)
    this.byPrice.set(priceTicks, level)
    this.tree.set(priceTicks, level)
    const best = this.bestLevel
    if (best === undefined || this.isBetter(priceTicks, best.priceTicks)) {
      level.worse = best ?? null
      if (best !== undefined) best.better = level
      this.bestLevel = level
    } else {
      // The new level goes right after the next better one (the best one at least). New levels are
      // mostly near the top of the book: a few steps down the list find it without a comparator call.
      let better = best
      for (let steps = 0; steps < NEAR_TOP && better.worse !== null && this.isBetter(better.worse.priceTicks, priceTicks); steps++) better = better.worse
      if (better.worse !== null && this.isBetter(better.worse.priceTicks, priceTicks)) {
        better = (this.tree.nextLowerPair(priceTicks, this.pair) as [number, PriceLevel])[1]
      }
      level.better = better
      level.worse = better.worse
      if (better.worse !== null) better.worse.better = level
      better.worse = level
    }
    return level
  }

  /** Removes an empty level at once, so no view ever holds dead prices. */
  removeLevel (level: PriceLevel): void {
    this.byPrice.delete(level.priceTicks)
    this.tree.delete(level.priceTicks)
    if (level.better === null) this.bestLevel = level.worse ?? undefined
    else level.better.worse = level.worse
    if (level.worse !== null) level.worse.better = level.better
    level.better = null
    level.worse = null
  }

  /** True when a is a better price than b for this side. */
  isBetter (a: number, b: number): boolean {
    return this.side === Side.BUY ? a > b : a < b
  }

  /** Levels best first, at most `limit` of them (for readers off the matching path). */
  * bestFirst (limit = Infinity): IterableIterator<PriceLevel> {
    let n = 0
    for (let level = this.bestLevel ?? null; level !== null && n < limit; level = level.worse, n++) yield level
  }
}
