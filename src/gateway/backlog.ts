/**
 * What a subscriber that fell behind is owed, kept as the current state
 * rather than as a queue of stale messages: per symbol one merged l2 delta
 * (exact, see delta-merge.ts) and the trade messages in order, both bounded.
 * Past a bound the pending data is dropped and the subscriber is owed a
 * resync instead: a fresh snapshot of the book, or the latest trades.
 */
import { DeltaMerge, type Delta } from './delta-merge.js'

export interface BacklogLimits {
  /** Prices a merged delta may hold per side, as a multiple of the subscription's depth, before it becomes a resync. */
  readonly mergeFactor: number
  /** Trades a symbol's tail may hold before it is dropped for a resync. */
  readonly tradeTail: number
}

export class SymbolBacklog {
  /**
   * Raw subscriptions: the seq of the book the subscriber holds. What it is owed is the view's own
   * deltas since (depth-view.ts history), merged once for everyone who holds that seq: nothing is
   * kept per subscriber while it is behind.
   */
  heldSeq: number | null = null
  /** Slower intervals: their merged deltas, merged again. */
  readonly merge = new DeltaMerge()
  /** The merge outgrew its bound: a snapshot is owed instead. */
  bookResync = false
  /** Trade messages in order, and how many trades they hold. */
  tradeTexts: string[] = []
  tradeCount = 0
  /** Trades dropped because the tail overflowed (a trade resync is owed when > 0). */
  droppedTrades = 0
}

export class Backlog {
  readonly symbols = new Map<string, SymbolBacklog>()
  private readonly limits: BacklogLimits

  constructor (limits: BacklogLimits) {
    this.limits = limits
  }

  private of (symbol: string): SymbolBacklog {
    let entry = this.symbols.get(symbol)
    if (entry === undefined) {
      entry = new SymbolBacklog()
      this.symbols.set(symbol, entry)
    }
    return entry
  }

  /** Merges a delta of a subscription of this depth; past the bound the merge becomes an owed resync. */
  addDelta (symbol: string, delta: Delta, depth: number): void {
    const entry = this.of(symbol)
    if (entry.bookResync) return
    entry.merge.add(delta)
    if (entry.merge.size <= depth * this.limits.mergeFactor) return
    entry.merge.clear()
    entry.bookResync = true
  }

  /** A raw subscription's delta was not sent: the subscriber still holds its prev_seq (the first one counts). */
  hold (symbol: string, delta: Delta): void {
    const entry = this.of(symbol)
    entry.heldSeq ??= delta.prevSeq
  }

  /** Queues a trade message; past the tail everything queued is dropped and a resync is owed. */
  addTrades (symbol: string, text: string, trades: number): void {
    const entry = this.of(symbol)
    if (entry.droppedTrades > 0) {
      entry.droppedTrades += trades
      return
    }
    entry.tradeTexts.push(text)
    entry.tradeCount += trades
    if (entry.tradeCount <= this.limits.tradeTail) return
    entry.droppedTrades = entry.tradeCount
    entry.tradeTexts = []
    entry.tradeCount = 0
  }

  /** The subscriber left a symbol's book: what it was owed of it goes. */
  forgetBook (symbol: string): void {
    const entry = this.symbols.get(symbol)
    if (entry === undefined) return
    entry.merge.clear()
    entry.heldSeq = null
    entry.bookResync = false
  }

  forgetTrades (symbol: string): void {
    const entry = this.symbols.get(symbol)
    if (entry === undefined) return
    entry.tradeTexts = []
    entry.tradeCount = 0
    entry.droppedTrades = 0
  }
}
