/**
 * Several consecutive deltas of one depth view merged into one: for each
 * price the last total (0 included), from the state the first applied to
 * (prevSeq) to the state the last produced (seq). Applying the merge to any
 * state the view passed through between prevSeq and seq gives exactly the
 * state at seq, which is what lets a 100 ms subscriber, a subscriber that
 * fell behind, and a client that lined a REST snapshot up with the stream
 * all hold the true book.
 */
import type { LevelPair } from './published-book.js'

/** One view's change from the state at prevSeq to the state at seq. */
export interface Delta {
  readonly seq: number
  readonly prevSeq: number
  /** Epoch ms of the newest command the state at seq reflects. */
  readonly time: number
  /** The book checksum of the state at seq. */
  readonly checksum: number
  readonly bids: readonly LevelPair[]
  readonly asks: readonly LevelPair[]
}

export class DeltaMerge {
  private prevSeq = -1
  private seq = -1
  private time = 0
  private checksum = 0
  private readonly bids = new Map<number, number>()
  private readonly asks = new Map<number, number>()

  /** Prices held on the larger side: what the merge costs to keep. */
  get size (): number {
    return Math.max(this.bids.size, this.asks.size)
  }

  add (delta: Delta): void {
    if (this.prevSeq < 0) this.prevSeq = delta.prevSeq
    for (const [price, lots] of delta.bids) this.bids.set(price, lots)
    for (const [price, lots] of delta.asks) this.asks.set(price, lots)
    this.seq = delta.seq
    this.time = delta.time
    this.checksum = delta.checksum
  }

  /** The merged delta (levels best first), or null when nothing was added; the merge starts empty again. */
  take (): Delta | null {
    if (this.prevSeq < 0) return null
    const delta: Delta = {
      seq: this.seq,
      prevSeq: this.prevSeq,
      time: this.time,
      checksum: this.checksum,
      bids: [...this.bids].sort((a, b) => b[0] - a[0]),
      asks: [...this.asks].sort((a, b) => a[0] - b[0])
    }
    this.clear()
    return delta
  }

  clear (): void {
    this.prevSeq = -1
    this.bids.clear()
    this.asks.clear()
  }
}
