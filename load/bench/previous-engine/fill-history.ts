import type { Side } from './order.js'
import type { Trade } from './events.js'

/**
 * The most recent trades, kept so each account can list its own fills.
 * Bounded: past the limit the oldest goes. Entry n (counting every trade
 * ever added) sits at slot n % limit while it is kept; n is what cursors
 * count in.
 *
 * Kept as columns of numbers (typed arrays) and small integers standing for
 * interned strings, not as the Trade objects themselves: a ring of 100,000
 * live objects made every trade survive the young generation and be copied
 * into the old one, which cost the engine about 40% of its throughput. A
 * Trade is rebuilt only when someone reads one. Account and symbol names
 * are interned (few, and they live as long as the engine); the client order
 * ids, which a client chooses freely, are kept as they are.
 */
export class FillHistory {
  readonly limit: number
  /** Trades ever added. */
  added = 0
  private readonly names: string[] = []
  private readonly nameIndex = new Map<string, number>()
  private readonly symbol: Uint32Array
  private readonly tradeSeq: Float64Array
  private readonly priceTicks: Float64Array
  private readonly quantityLots: Float64Array
  private readonly timestamp: Float64Array
  private readonly buyAggressor: Uint8Array
  private readonly makerOrder: Float64Array
  private readonly takerOrder: Float64Array
  private readonly makerAccount: Uint32Array
  private readonly takerAccount: Uint32Array
  private readonly makerClientOrderId: Array<string | null>
  private readonly takerClientOrderId: Array<string | null>

  constructor (limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error('fill history limit must be a positive integer')
    this.limit = limit
    this.symbol = new Uint32Array(limit)
    this.tradeSeq = new Float64Array(limit)
    this.priceTicks = new Float64Array(limit)
    this.quantityLots = new Float64Array(limit)
    this.timestamp = new Float64Array(limit)
    this.buyAggressor = new Uint8Array(limit)
    this.makerOrder = new Float64Array(limit)
    this.takerOrder = new Float64Array(limit)
    this.makerAccount = new Uint32Array(limit)
    this.takerAccount = new Uint32Array(limit)
    this.makerClientOrderId = new Array<string | null>(limit).fill(null)
    this.takerClientOrderId = new Array<string | null>(limit).fill(null)
  }

  get size (): number {
    return Math.min(this.added, this.limit)
  }

  /** The number of the oldest trade still kept. */
  get oldest (): number {
    return Math.max(0, this.added - this.limit)
  }

  /** Trade ids are `<symbol>-<n>` and order ids decimal numbers, as the books make them; both are stored as numbers. */
  add (trade: Trade): void {
    const slot = this.added % this.limit
    this.symbol[slot] = this.intern(trade.symbol)
    this.tradeSeq[slot] = Number(trade.tradeId.slice(trade.symbol.length + 1))
    this.priceTicks[slot] = trade.priceTicks
    this.quantityLots[slot] = trade.quantityLots
    this.timestamp[slot] = trade.timestamp
    this.buyAggressor[slot] = trade.aggressorSide === 'buy' ? 1 : 0
    this.makerOrder[slot] = Number(trade.makerOrderId)
    this.takerOrder[slot] = Number(trade.takerOrderId)
    this.makerAccount[slot] = this.intern(trade.makerAccountId)
    this.takerAccount[slot] = this.intern(trade.takerAccountId)
    this.makerClientOrderId[slot] = trade.makerClientOrderId
    this.takerClientOrderId[slot] = trade.takerClientOrderId
    this.added++
  }

  /** The symbol of trade n (oldest <= n < added), without rebuilding the trade. */
  symbolAt (n: number): string {
    return this.names[this.symbol[n % this.limit]]
  }

  /** The maker's (or the taker's) account of trade n, without rebuilding the trade. */
  accountAt (n: number, taker: boolean): string {
    const slot = n % this.limit
    return this.names[taker ? this.takerAccount[slot] : this.makerAccount[slot]]
  }

  /** Trade n, rebuilt; only for oldest <= n < added. */
  at (n: number): Trade {
    const slot = n % this.limit
    const symbol = this.names[this.symbol[slot]]
    return {
      tradeId: symbol + '-' + this.tradeSeq[slot],
      symbol,
      priceTicks: this.priceTicks[slot],
      quantityLots: this.quantityLots[slot],
      aggressorSide: (this.buyAggressor[slot] === 1 ? 'buy' : 'sell') as Side,
      makerOrderId: String(this.makerOrder[slot]),
      takerOrderId: String(this.takerOrder[slot]),
      makerAccountId: this.names[this.makerAccount[slot]],
      takerAccountId: this.names[this.takerAccount[slot]],
      makerClientOrderId: this.makerClientOrderId[slot],
      takerClientOrderId: this.takerClientOrderId[slot],
      timestamp: this.timestamp[slot]
    }
  }

  /** Oldest first: the order a snapshot keeps. */
  * values (): IterableIterator<Trade> {
    for (let n = this.oldest; n < this.added; n++) yield this.at(n)
  }

  private intern (name: string): number {
    let index = this.nameIndex.get(name)
    if (index === undefined) {
      index = this.names.length
      this.names.push(name)
      this.nameIndex.set(name, index)
    }
    return index
  }
}
