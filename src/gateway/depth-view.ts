/**
 * One symbol's book as the l2 subscribers of one depth see it: the top
 * `depth` levels of each side of the published book, labelled with the seq
 * of the state they show. Its deltas say exactly how that top-N changed (a
 * level pushed out of the depth is sent as "0", one moved into it with its
 * total), so a client that applies its snapshot and then every delta holds
 * the true top-N, never a stale level beyond it. A depth's delta, checksum
 * and snapshot are built once and shared by all its subscribers; raw
 * subscribers get every delta, those of a slower interval a merge of them.
 */
import type { Subscriber } from './subscriber.js'
import { DeltaMerge, type Delta } from './delta-merge.js'
import { checksumOf, type LevelPair, type PublishedBook, type PublishedSide } from './published-book.js'

export type { LevelPair } from './published-book.js'

/** How often a subscription gets its deltas: every published change, or merged per window. */
export const UPDATE_INTERVALS = ['raw', '100ms', '1000ms'] as const
export type UpdateInterval = typeof UPDATE_INTERVALS[number]
export type MergedInterval = Exclude<UpdateInterval, 'raw'>
export const INTERVAL_MS: Readonly<Record<MergedInterval, number>> = { '100ms': 100, '1000ms': 1000 }

/** The subscriber's view of one side: levels best first (Map keeps insertion order). */
class SideView {
  levels = new Map<number, number>()
  /** The worst price in the view, when it is full. */
  private worst: number | undefined

  load (side: PublishedSide, depth: number): void {
    this.levels.clear()
    for (const [price, lots] of side.top(depth)) this.levels.set(price, lots)
    this.worst = undefined
    for (const price of this.levels.keys()) this.worst = price
  }

  /**
   * The changes to this side's top-N after a window that changed `changed` levels of the book.
   * The top-N moves only if a change is at or better than its worst level, or it is not full;
   * otherwise nothing is read from the book.
   */
  advance (side: PublishedSide, depth: number, changed: readonly LevelPair[]): LevelPair[] {
    if (!this.touches(side, depth, changed)) return []
    const before = this.levels
    this.levels = new Map()
    this.load(side, depth)
    const out: LevelPair[] = []
    for (const [price, lots] of this.levels) if (before.get(price) !== lots) out.push([price, lots])
    for (const price of before.keys()) if (!this.levels.has(price)) out.push([price, 0])
    return out.sort((a, b) => side.isBetter(a[0], b[0]) ? -1 : 1)
  }

  private touches (side: PublishedSide, depth: number, changed: readonly LevelPair[]): boolean {
    if (changed.length === 0) return false
    const worst = this.worst
    if (this.levels.size < depth || worst === undefined) return true
    return changed.some(([price]) => price === worst || side.isBetter(price, worst))
  }
}

/** The subscribers of one depth and one slower interval, and the deltas merged since their last window. */
export class IntervalGroup {
  readonly subscribers = new Set<Subscriber>()
  readonly merge = new DeltaMerge()
}

/** Deltas a view keeps for subscribers that fell behind; one behind by more gets a resync. */
export const VIEW_HISTORY = 1024

/** What a subscriber that holds some seq is owed: a merged delta, or a resync (a snapshot). */
export type CatchUp = { readonly kind: 'delta', readonly delta: Delta } | { readonly kind: 'resync' }

export class DepthView {
  readonly depth: number
  /** Seq of the state this view holds: its last delta's, or where it started. */
  seq: number
  /** Epoch ms of the newest command that state reflects. */
  time: number
  readonly raw = new Set<Subscriber>()
  readonly groups = new Map<MergedInterval, IntervalGroup>()
  private readonly book: PublishedBook
  private readonly bids = new SideView()
  private readonly asks = new SideView()
  private checksumValue: number
  /** The latest deltas, oldest first, each applying to the one before: what behind subscribers are owed. */
  private readonly history: Delta[] = []
  /** Catch-ups of the current seq by the seq held, shared by every subscriber that held it. */
  private readonly catchUps = new Map<number, CatchUp>()
  /** Serialized snapshots (and resyncs) of the current seq, by kind and interval, once someone asked. */
  private readonly texts = new Map<string, string>()

  constructor (book: PublishedBook, depth: number) {
    this.book = book
    this.depth = depth
    this.seq = book.seq
    this.time = book.time
    this.bids.load(book.bids, depth)
    this.asks.load(book.asks, depth)
    this.checksumValue = checksumOf(book, this.bids.levels, this.asks.levels)
  }

  get symbol (): string {
    return this.book.symbol
  }

  get subscriberCount (): number {
    let n = this.raw.size
    for (const group of this.groups.values()) n += group.subscribers.size
    return n
  }

  get checksum (): number {
    return this.checksumValue
  }

  get bidLevels (): ReadonlyMap<number, number> {
    return this.bids.levels
  }

  get askLevels (): ReadonlyMap<number, number> {
    return this.asks.levels
  }

  /** The group of an interval, made when first asked for. */
  group (interval: MergedInterval): IntervalGroup {
    let group = this.groups.get(interval)
    if (group === undefined) {
      group = new IntervalGroup()
      this.groups.set(interval, group)
    }
    return group
  }

  /**
   * Moves to the published book's state after a window that changed these levels; returns the
   * delta (also merged into every slower group), or null when this top-N did not move.
   */
  advance (bids: readonly LevelPair[], asks: readonly LevelPair[]): Delta | null {
    const changedBids = this.bids.advance(this.book.bids, this.depth, bids)
    const changedAsks = this.asks.advance(this.book.asks, this.depth, asks)
    if (changedBids.length === 0 && changedAsks.length === 0) return null
    const prevSeq = this.seq
    this.seq = this.book.seq
    this.time = this.book.time
    this.texts.clear()
    this.checksumValue = checksumOf(this.book, this.bids.levels, this.asks.levels)
    const delta: Delta = { seq: this.seq, prevSeq, time: this.time, checksum: this.checksumValue, bids: changedBids, asks: changedAsks }
    this.history.push(delta)
    if (this.history.length > VIEW_HISTORY) this.history.shift()
    this.catchUps.clear()
    for (const group of this.groups.values()) {
      if (group.subscribers.size > 0) group.merge.add(delta)
    }
    return delta
  }

  /**
   * What a raw subscriber that holds `held` (a seq before the current one: it missed a delta) is
   * owed to reach the current seq: its deltas since, merged (computed once per held seq and
   * current seq), or a resync when the history no longer reaches back to it or the merge would
   * hold more than `maxPrices` prices on a side.
   */
  catchUp (held: number, maxPrices: number): CatchUp {
    const cached = this.catchUps.get(held)
    if (cached !== undefined) return cached
    const from = this.history.findIndex((delta) => delta.prevSeq === held)
    let owed: CatchUp = { kind: 'resync' }
    if (from >= 0) {
      const merge = new DeltaMerge()
      for (let i = from; i < this.history.length; i++) merge.add(this.history[i])
      if (merge.size <= maxPrices) owed = { kind: 'delta', delta: merge.take() as Delta }
    }
    this.catchUps.set(held, owed)
    return owed
  }

  /** A serialized state message of the current seq (snapshot or resync): built by `build` at most once per seq and key, then shared. */
  text (key: string, build: () => string): { text: string, built: boolean } {
    const cached = this.texts.get(key)
    if (cached !== undefined) return { text: cached, built: false }
    const text = build()
    this.texts.set(key, text)
    return { text, built: true }
  }
}
