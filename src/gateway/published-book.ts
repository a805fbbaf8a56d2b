/**
 * One symbol's book as market data has published it: every level's total as
 * of the last published window, with that window's `seq` (the engine command
 * sequence of the newest command it reflects). The depth views, the REST
 * book and the checksums all read this, never the live engine book, which
 * may already hold commands that are not yet journaled or not yet published:
 * a snapshot is then always a state the stream passed through, so a client
 * can line a REST snapshot up with the stream's deltas by seq.
 */
import BTreeModule from 'sorted-btree'
import type { OrderBook } from '../engine/index.js'
import { bookChecksum, CHECKSUM_LEVELS, type TextLevel } from './checksum.js'

// sorted-btree is CommonJS with `exports.default`.
const BTree = BTreeModule.default

/** [price ticks, total lots]; 0 lots = the level is gone. */
export type LevelPair = [number, number]

const ascending = (a: number, b: number): number => a - b
const descending = (a: number, b: number): number => b - a

/** One side, best first, keyed by integer ticks. */
export class PublishedSide {
  readonly isBid: boolean
  private readonly tree

  constructor (isBid: boolean) {
    this.isBid = isBid
    this.tree = new BTree<number, number>(undefined, isBid ? descending : ascending)
  }

  /** True when price a is better than price b on this side. */
  isBetter (a: number, b: number): boolean {
    return this.isBid ? a > b : a < b
  }

  set (priceTicks: number, totalLots: number): void {
    if (totalLots === 0) this.tree.delete(priceTicks)
    else this.tree.set(priceTicks, totalLots)
  }

  /** The best `limit` levels, best first. */
  top (limit: number): LevelPair[] {
    const out: LevelPair[] = []
    if (limit <= 0) return out
    this.tree.forEachPair((price, lots) => {
      out.push([price, lots])
      return out.length >= limit ? { break: true } : undefined
    })
    return out
  }
}

export class PublishedBook {
  readonly symbol: string
  readonly bids = new PublishedSide(true)
  readonly asks = new PublishedSide(false)
  /** Engine sequence of the newest command this state reflects. */
  seq: number
  /** Epoch ms at which that command ran. */
  time: number
  private readonly book: OrderBook
  private checksumSeq = -1
  private checksumValue = 0

  /** Starts from the engine book as it is (after recovery: durable by construction). */
  constructor (book: OrderBook, seq: number, time: number) {
    this.book = book
    this.symbol = book.symbol
    this.seq = seq
    this.time = time
    for (const level of book.bids.bestFirst()) this.bids.set(level.priceTicks, level.totalLots)
    for (const level of book.asks.bestFirst()) this.asks.set(level.priceTicks, level.totalLots)
  }

  /** Applies one window's level totals (each price once) and moves to its seq. */
  apply (bids: readonly LevelPair[], asks: readonly LevelPair[], seq: number, time: number): void {
    for (const [price, lots] of bids) this.bids.set(price, lots)
    for (const [price, lots] of asks) this.asks.set(price, lots)
    this.seq = seq
    this.time = time
  }

  formatPrice (ticks: number): string {
    return this.book.spec.tick.format(ticks)
  }

  formatQuantity (lots: number): string {
    return this.book.spec.lot.format(lots)
  }

  /** Levels as the wire shows them. */
  format (levels: readonly LevelPair[]): Array<[string, string]> {
    const { tick, lot } = this.book.spec
    return levels.map(([p, q]) => [tick.format(p), lot.format(q)])
  }

  /** The checksum of this state, computed once per seq. */
  checksum (): number {
    if (this.checksumSeq !== this.seq) {
      this.checksumValue = bookChecksum(this.format(this.bids.top(CHECKSUM_LEVELS)), this.format(this.asks.top(CHECKSUM_LEVELS)))
      this.checksumSeq = this.seq
    }
    return this.checksumValue
  }
}

/** The checksum of levels held as ticks and lots (a depth view's state). */
export function checksumOf (book: PublishedBook, bids: Iterable<LevelPair>, asks: Iterable<LevelPair>): number {
  return bookChecksum(formatTop(book, bids), formatTop(book, asks))
}

function * formatTop (book: PublishedBook, levels: Iterable<LevelPair>): Iterable<TextLevel> {
  let n = 0
  for (const [price, lots] of levels) {
    if (n++ === CHECKSUM_LEVELS) return
    yield [book.formatPrice(price), book.formatQuantity(lots)]
  }
}
