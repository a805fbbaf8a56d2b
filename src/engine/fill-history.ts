import { BatchedRing } from './batched-ring.js'
import { Interner } from './interner.js'
import { Trade } from './trade.js'

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
export class FillHistory extends BatchedRing<Trade> {
  private readonly symbols = new Interner()
  private readonly accounts = new Interner()
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
    super(limit, 'fill history')
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

  protected write (trade: Trade, slot: number): void {
    this.symbol[slot] = this.symbols.of(trade.symbol)
    this.tradeSeq[slot] = trade.seq
    this.priceTicks[slot] = trade.priceTicks
    this.quantityLots[slot] = trade.quantityLots
    this.timestamp[slot] = trade.timestamp
    this.buyAggressor[slot] = trade.aggressorSide === 'buy' ? 1 : 0
    this.makerOrder[slot] = trade.makerOrderSeq
    this.takerOrder[slot] = trade.takerOrderSeq
    this.makerAccount[slot] = this.accounts.of(trade.makerAccountId)
    this.takerAccount[slot] = this.accounts.of(trade.takerAccountId)
    this.makerClientOrderId[slot] = trade.makerClientOrderId
    this.takerClientOrderId[slot] = trade.takerClientOrderId
  }

  /** The symbol of trade n (oldest <= n < added), without rebuilding the trade. */
  symbolAt (n: number): string {
    this.flush()
    return this.symbols.name(this.symbol[n % this.limit])
  }

  /** The maker's (or the taker's) account of trade n, without rebuilding the trade. */
  accountAt (n: number, taker: boolean): string {
    this.flush()
    const slot = n % this.limit
    return this.accounts.name(taker ? this.takerAccount[slot] : this.makerAccount[slot])
  }

  /** Trade n, rebuilt; only for oldest <= n < added. */
  at (n: number): Trade {
    this.flush()
    const slot = n % this.limit
    return Trade.rebuilt(this.symbols.name(this.symbol[slot]), this.tradeSeq[slot], this.priceTicks[slot], this.quantityLots[slot],
      this.buyAggressor[slot] === 1 ? 'buy' : 'sell', this.makerOrder[slot], this.takerOrder[slot],
      this.accounts.name(this.makerAccount[slot]), this.accounts.name(this.takerAccount[slot]),
      this.makerClientOrderId[slot], this.takerClientOrderId[slot], this.timestamp[slot])
  }

  /** Oldest first: the order a snapshot keeps. */
  * values (): IterableIterator<Trade> {
    for (let n = this.oldest; n < this.added; n++) yield this.at(n)
  }
}
