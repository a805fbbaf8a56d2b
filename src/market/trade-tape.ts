/** The newest trades of one symbol: a fixed ring, so a trade costs one store and no allocation. */
import { Trade, type Side } from '../engine/index.js'

/** [trade seq, priceTicks, quantityLots, aggressor side, timestamp (epoch ms)]: the public fields, as a snapshot stores them. */
export type TapeTuple = [number, number, number, Side, number]

export class TradeTape {
  private readonly ring: Array<Trade | undefined>
  /** Where the next trade goes. */
  private next = 0
  private count = 0

  constructor (capacity: number) {
    this.ring = new Array<Trade | undefined>(capacity)
  }

  get size (): number {
    return this.count
  }

  add (trade: Trade): void {
    this.ring[this.next] = trade
    this.next = (this.next + 1) % this.ring.length
    if (this.count < this.ring.length) this.count++
  }

  /** The newest `limit` trades, newest first. */
  newest (limit: number): Trade[] {
    const out: Trade[] = []
    const n = Math.min(limit, this.count)
    for (let i = 1; i <= n; i++) out.push(this.ring[(this.next - i + this.ring.length) % this.ring.length] as Trade)
    return out
  }

  /** Oldest first. */
  toTuples (): TapeTuple[] {
    return this.newest(this.count).reverse().map((t) => [t.seq, t.priceTicks, t.quantityLots, t.aggressorSide, t.timestamp])
  }

  /**
   * Trades rebuilt from a snapshot carry only their public fields: the tape never shows who
   * traded (order ids, accounts), so those are left empty.
   */
  load (symbol: string, tuples: readonly TapeTuple[]): void {
    this.ring.fill(undefined)
    this.next = 0
    this.count = 0
    for (const [seq, priceTicks, quantityLots, side, timestamp] of tuples.slice(-this.ring.length)) {
      this.add(Trade.rebuilt(symbol, seq, priceTicks, quantityLots, side, 0, 0, '', '', null, null, timestamp))
    }
  }
}
