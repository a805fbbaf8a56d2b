/**
 * The "bignumber.js in the hot path" baseline: a minimal but correct
 * price-time book for one symbol whose prices and quantities are BigNumber
 * values end to end. Same structure as the engine (B+tree of levels with a
 * cached best level, intrusive FIFO list per level, id map for cancels), same
 * limit / market / ioc / fok semantics, same order ids (a counter per new
 * order), one trade record per fill, so the only difference the benchmark
 * sees is decimal objects versus integer ticks and lots. Deliberately left
 * out: history of terminal orders, events, client order ids, statistics.
 */
import BigNumberModule from 'bignumber.js'
import BTreeModule from 'sorted-btree'

// Same configuration as the engine's decimal edge (src/engine/decimal.ts).
export const BigNumber = BigNumberModule.clone({ DECIMAL_PLACES: 40, EXPONENTIAL_AT: 1e9 })
export type BigNumber = InstanceType<typeof BigNumber>
// sorted-btree is CommonJS with `exports.default`.
const BTree = BTreeModule.default

export type BnSide = 'buy' | 'sell'
export type BnOrderType = 'limit' | 'market' | 'ioc' | 'fok'
export type BnStatus = 'open' | 'filled' | 'cancelled' | 'rejected'

const ZERO = new BigNumber(0)
const ascending = (a: BigNumber, b: BigNumber): number => a.comparedTo(b) as number
const descending = (a: BigNumber, b: BigNumber): number => b.comparedTo(a) as number

export class BnOrder {
  readonly id: string
  readonly side: BnSide
  readonly type: BnOrderType
  readonly price: BigNumber | null
  readonly quantity: BigNumber
  remaining: BigNumber
  status: BnStatus = 'open'
  prev: BnOrder | null = null
  next: BnOrder | null = null

  constructor (id: string, side: BnSide, type: BnOrderType, price: BigNumber | null, quantity: BigNumber) {
    this.id = id
    this.side = side
    this.type = type
    this.price = price
    this.quantity = quantity
    this.remaining = quantity
  }
}

export interface BnTrade {
  readonly tradeId: number
  readonly price: BigNumber
  readonly quantity: BigNumber
  readonly aggressorSide: BnSide
  readonly makerOrderId: string
  readonly takerOrderId: string
}

export interface BnOutcome {
  readonly order: BnOrder
  readonly trades: BnTrade[]
}

class BnLevel {
  readonly price: BigNumber
  total: BigNumber = ZERO
  head: BnOrder | null = null
  tail: BnOrder | null = null

  constructor (price: BigNumber) {
    this.price = price
  }

  append (order: BnOrder): void {
    order.prev = this.tail
    order.next = null
    if (this.tail === null) this.head = order
    else this.tail.next = order
    this.tail = order
    this.total = this.total.plus(order.remaining)
  }

  /** Unlinks an order; filled quantity is already taken off the total. */
  remove (order: BnOrder): void {
    if (order.prev === null) this.head = order.next
    else order.prev.next = order.next
    if (order.next === null) this.tail = order.prev
    else order.next.prev = order.prev
    order.prev = null
    order.next = null
    this.total = this.total.minus(order.remaining)
  }
}

class BnBookSide {
  readonly side: BnSide
  readonly levels
  best: BnLevel | undefined

  constructor (side: BnSide) {
    this.side = side
    this.levels = new BTree<BigNumber, BnLevel>(undefined, side === 'buy' ? descending : ascending)
  }

  getOrCreate (price: BigNumber): BnLevel {
    let level = this.levels.get(price)
    if (level === undefined) {
      level = new BnLevel(price)
      this.levels.set(price, level)
      if (this.best === undefined || (this.side === 'buy' ? price.gt(this.best.price) : price.lt(this.best.price))) this.best = level
    }
    return level
  }

  removeLevel (level: BnLevel): void {
    this.levels.delete(level.price)
    if (this.best === level) {
      const key = this.levels.minKey()
      this.best = key === undefined ? undefined : this.levels.get(key)
    }
  }
}

export class BigNumberBook {
  readonly bids = new BnBookSide('buy')
  readonly asks = new BnBookSide('sell')
  readonly open = new Map<string, BnOrder>()
  nextOrderSeq = 1
  nextTradeSeq = 1

  place (side: BnSide, type: BnOrderType, price: BigNumber | null, quantity: BigNumber): BnOutcome {
    const taker = new BnOrder(String(this.nextOrderSeq++), side, type, price, quantity)
    const trades: BnTrade[] = []
    if (type === 'fok' && !this.canFillCompletely(taker)) {
      taker.status = 'rejected'
      return { order: taker, trades }
    }
    this.match(taker, trades)
    if (taker.remaining.isZero()) {
      taker.status = 'filled'
    } else if (type === 'limit') {
      this.sideOf(side).getOrCreate(price as BigNumber).append(taker)
      this.open.set(taker.id, taker)
    } else {
      taker.status = 'cancelled'
    }
    return { order: taker, trades }
  }

  /** False when no open order has that id. */
  cancel (orderId: string): boolean {
    const order = this.open.get(orderId)
    if (order === undefined) return false
    const side = this.sideOf(order.side)
    const level = side.levels.get(order.price as BigNumber) as BnLevel
    level.remove(order)
    if (level.head === null) side.removeLevel(level)
    this.open.delete(orderId)
    order.status = 'cancelled'
    return true
  }

  private sideOf (side: BnSide): BnBookSide {
    return side === 'buy' ? this.bids : this.asks
  }

  private crosses (taker: BnOrder, makerPrice: BigNumber): boolean {
    if (taker.price === null) return true
    return taker.side === 'buy' ? makerPrice.lte(taker.price) : makerPrice.gte(taker.price)
  }

  private canFillCompletely (taker: BnOrder): boolean {
    const opposite = taker.side === 'buy' ? this.asks : this.bids
    let available = ZERO
    for (const [price, level] of opposite.levels.entries()) {
      if (!this.crosses(taker, price)) return false
      available = available.plus(level.total)
      if (available.gte(taker.quantity)) return true
    }
    return false
  }

  private match (taker: BnOrder, trades: BnTrade[]): void {
    const opposite = taker.side === 'buy' ? this.asks : this.bids
    let level = opposite.best
    while (level !== undefined && taker.remaining.gt(0) && this.crosses(taker, level.price)) {
      let maker = level.head
      while (maker !== null && taker.remaining.gt(0)) {
        const next = maker.next
        const quantity = taker.remaining.lte(maker.remaining) ? taker.remaining : maker.remaining
        level.total = level.total.minus(quantity)
        maker.remaining = maker.remaining.minus(quantity)
        taker.remaining = taker.remaining.minus(quantity)
        trades.push({
          tradeId: this.nextTradeSeq++,
          price: level.price,
          quantity,
          aggressorSide: taker.side,
          makerOrderId: maker.id,
          takerOrderId: taker.id
        })
        if (maker.remaining.isZero()) {
          maker.status = 'filled'
          level.remove(maker)
          this.open.delete(maker.id)
        }
        maker = next
      }
      if (level.head !== null) break
      opposite.removeLevel(level)
      level = opposite.best
    }
  }
}
