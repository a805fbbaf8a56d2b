/**
 * One symbol's book as the l2 subscribers of one depth see it: the top
 * `depth` levels of each side as last published, with its own sequence
 * number. Its deltas say exactly how that top-N changed (a level pushed out
 * of the depth is sent as "0", one moved into it with its total), so a client
 * that applies its snapshot and then every delta holds the true top-N, never
 * a stale level beyond it. A depth's delta and snapshot are built once and
 * shared by all its subscribers.
 */
import type { OrderBook } from '../engine/index.js'
import type { Subscriber } from './subscriber.js'

/** [price ticks, total lots], best first; 0 lots = the level left this view. */
export type LevelPair = [number, number]

type BookSide = OrderBook['bids']

/** The subscriber's view of one side: levels best first (Map keeps insertion order). */
class SideView {
  levels = new Map<number, number>()
  /** The worst price in the view, when it is full. */
  private worst: number | undefined

  load (side: BookSide, depth: number): void {
    this.levels.clear()
    for (const level of side.bestFirst(depth)) this.levels.set(level.priceTicks, level.totalLots)
    this.worst = undefined
    for (const price of this.levels.keys()) this.worst = price
  }

  /**
   * The changes to this side's top-N after a window that changed `changed` levels of the book.
   * The top-N moves only if a change is at or better than its worst level, or it is not full;
   * otherwise nothing is read from the book.
   */
  advance (side: BookSide, depth: number, changed: readonly LevelPair[]): LevelPair[] {
    if (!this.touches(side, depth, changed)) return []
    const before = this.levels
    this.levels = new Map()
    this.load(side, depth)
    const out: LevelPair[] = []
    for (const [price, lots] of this.levels) if (before.get(price) !== lots) out.push([price, lots])
    for (const price of before.keys()) if (!this.levels.has(price)) out.push([price, 0])
    return out.sort((a, b) => side.isBetter(a[0], b[0]) ? -1 : 1)
  }

  private touches (side: BookSide, depth: number, changed: readonly LevelPair[]): boolean {
    if (changed.length === 0) return false
    const worst = this.worst
    if (this.levels.size < depth || worst === undefined) return true
    return changed.some(([price]) => price === worst || side.isBetter(price, worst))
  }
}

export class DepthView {
  readonly depth: number
  /** Sequence of the state this view holds: its last delta's, or where it started. */
  seq: number
  readonly subscribers = new Set<Subscriber>()
  private readonly bids = new SideView()
  private readonly asks = new SideView()
  /** The serialized snapshot of the current seq, once someone asked for it. */
  private snapshotText: string | null = null

  constructor (book: OrderBook, depth: number, seq: number) {
    this.depth = depth
    this.seq = seq
    this.bids.load(book.bids, depth)
    this.asks.load(book.asks, depth)
  }

  /** Applies a window's changed levels; returns the delta, or null when this top-N did not move. */
  advance (book: OrderBook, bids: readonly LevelPair[], asks: readonly LevelPair[]): { bids: LevelPair[], asks: LevelPair[] } | null {
    const delta = { bids: this.bids.advance(book.bids, this.depth, bids), asks: this.asks.advance(book.asks, this.depth, asks) }
    if (delta.bids.length === 0 && delta.asks.length === 0) return null
    this.seq++
    this.snapshotText = null
    return delta
  }

  /** The snapshot of the current seq: built by `build` at most once per seq, then shared. */
  snapshot (build: (bids: ReadonlyMap<number, number>, asks: ReadonlyMap<number, number>) => string): { text: string, built: boolean } {
    if (this.snapshotText !== null) return { text: this.snapshotText, built: false }
    this.snapshotText = build(this.bids.levels, this.asks.levels)
    return { text: this.snapshotText, built: true }
  }
}
