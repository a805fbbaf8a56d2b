import BTreeModule from 'sorted-btree'
import { PriceLevel } from './price-level.js'
import { Side } from './order.js'

// sorted-btree is CommonJS with `exports.default`.
const BTree = BTreeModule.default

const ascending = (a: number, b: number): number => a - b
const descending = (a: number, b: number): number => b - a
/** Levels walked down from the best before asking the tree where a new level goes. */
const NEAR_TOP = 8
/** Empty levels kept for reuse at least; more when the side lists more levels. */
const PARKED_MIN = 64

/**
 * One side of a book. Three views of the same levels, each for what it is
 * fastest at:
 * - a B+tree keyed by integer ticks, with the comparator putting the best
 *   price first (highest bid, lowest ask): it orders a new level among the
 *   others when the list below cannot place it in a few steps;
 * - a hash from ticks to level, for the lookups of every rest and cancel;
 * - a doubly linked list of the levels best first (PriceLevel.better and
 *   .worse), whose head is the best level: matching walks it without a
 *   comparator call, a generator or a tree lookup, and the next best level
 *   is always one link away when a level empties.
 *
 * A level that empties leaves the list at once (no reader ever sees an empty
 * level) but stays parked in the tree and the hash, so that the price coming
 * back, which it does all the time near the top of a book, costs no
 * allocation and no tree insert or delete. Parked levels are bounded: when
 * they outnumber max(PARKED_MIN, listed levels), all of them are dropped.
 */
export class BookSide {
  readonly side: Side
  private readonly tree
  private readonly byPrice = new Map<number, PriceLevel>()
  private bestLevel: PriceLevel | undefined
  private listed = 0
  private parked = 0
  /** Reused by the tree's neighbour lookups, which would otherwise allocate a pair each. */
  private readonly pair: [number, PriceLevel] = [0, undefined as unknown as PriceLevel]

  constructor (side: Side) {
    this.side = side
    this.tree = new BTree<number, PriceLevel>(undefined, side === Side.BUY ? descending : ascending)
  }

  /** Levels holding orders. */
  get levelCount (): number {
    return this.listed
  }

  /** Empty levels kept for reuse (for tests of the bound). */
  get parkedCount (): number {
    return this.parked
  }

  best (): PriceLevel | undefined {
    return this.bestLevel
  }

  get (priceTicks: number): PriceLevel | undefined {
    const level = this.byPrice.get(priceTicks)
    return level !== undefined && level.listed ? level : undefined
  }

  getOrCreate (priceTicks: number): PriceLevel {
    let level = this.byPrice.get(priceTicks)
    if (level !== undefined && level.listed) return level
    if (level === undefined) {
      level = new PriceLevel(this.side, priceTicks)
      this.byPrice.set(priceTicks, level)
      this.tree.set(priceTicks, level)
    } else {
      this.parked--
    }
    this.link(level)
    return level
  }

  /** Takes an empty level out of the list (no reader ever sees it again) and parks it for reuse. */
  removeLevel (level: PriceLevel): void {
    if (level.better === null) this.bestLevel = level.worse ?? undefined
    else level.better.worse = level.worse
    if (level.worse !== null) level.worse.better = level.better
    level.better = null
    level.worse = null
    level.listed = false
    this.listed--
    if (++this.parked > Math.max(PARKED_MIN, this.listed)) this.dropParked()
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

  private link (level: PriceLevel): void {
    const priceTicks = level.priceTicks
    level.listed = true
    this.listed++
    const best = this.bestLevel
    if (best === undefined || this.isBetter(priceTicks, best.priceTicks)) {
      level.better = null
      level.worse = best ?? null
      if (best !== undefined) best.better = level
      this.bestLevel = level
      return
    }
    // The level goes right after the next better listed one (the best one at least). New levels are
    // mostly near the top of the book: a few steps down the list find it without a comparator call.
    let better = best
    for (let steps = 0; steps < NEAR_TOP && better.worse !== null && this.isBetter(better.worse.priceTicks, priceTicks); steps++) better = better.worse
    if (better.worse !== null && this.isBetter(better.worse.priceTicks, priceTicks)) better = this.betterListed(priceTicks)
    level.better = better
    level.worse = better.worse
    if (better.worse !== null) better.worse.better = level
    better.worse = level
  }

  /**
   * The nearest listed level better than priceTicks, which exists (the caller has seen one), through the tree.
   * A parked level in the way is dropped as it is passed: otherwise a block of parked levels (up to as many
   * as are listed) would cost a tree lookup each on every placement below it, as often as a client likes.
   */
  private betterListed (priceTicks: number): PriceLevel {
    let key = priceTicks
    for (;;) {
      const [nextKey, level] = this.tree.nextLowerPair(key, this.pair) as [number, PriceLevel]
      if (level.listed) return level
      this.tree.delete(nextKey)
      this.byPrice.delete(nextKey)
      this.parked--
      key = nextKey
    }
  }

  private dropParked (): void {
    for (const level of this.byPrice.values()) {
      if (level.listed) continue
      this.byPrice.delete(level.priceTicks)
      this.tree.delete(level.priceTicks)
    }
    this.parked = 0
  }
}
