import { BatchedRing } from './batched-ring.js'
import { Interner } from './interner.js'
import { orderSeqOf } from './open-orders.js'
import { ANONYMOUS, CANCEL_REASONS, ORDER_STATUSES, ORDER_TYPES, Order, SIDES, STP_MODES } from './order.js'
import { applyOptions, optionsOf, type OrderOptions } from './order-options.js'

/**
 * Terminal orders (filled, cancelled, rejected), kept so their status stays
 * queryable. Bounded: past the limit the oldest entry goes. Entry n
 * (counting every order ever added) sits at slot n % limit while it is kept.
 *
 * Kept as columns (typed arrays, small-integer codes and interned names),
 * not as the Order records: a ring of 100,000 live records made every order
 * survive the young generation and be copied into the old one, which was
 * most of the engine's garbage-collection time. An Order is rebuilt only
 * when someone reads one; the records themselves die young.
 *
 * The id indexes are built lazily, on the first lookup after new entries
 * arrived: almost every order ends here, but few are ever looked up, so the
 * hot path pays a few array stores instead of two hash-map updates.
 */
export class OrderHistory extends BatchedRing<Order> {
  /** Entries [0, indexed) have been put in the maps (those still kept are there). */
  private indexed = 0
  private readonly bySeq = new Map<number, number>()
  private readonly byClientId = new Map<string, number>()
  private readonly symbols = new Interner()
  private readonly accounts = new Interner()
  private readonly seq: Float64Array
  private readonly symbol: Uint32Array
  private readonly account: Uint32Array
  private readonly codes: Uint8Array
  /** NaN for a market order's absent price. */
  private readonly priceTicks: Float64Array
  private readonly quantityLots: Float64Array
  private readonly filledLots: Float64Array
  private readonly timestamp: Float64Array
  private readonly clientOrderId: Array<string | null>
  /** Issue 12's fields of the orders that have any (time in force, stop price, ...); undefined for plain orders. */
  private readonly options: Array<OrderOptions | undefined>

  constructor (limit: number) {
    super(limit, 'history')
    this.seq = new Float64Array(limit)
    this.symbol = new Uint32Array(limit)
    this.account = new Uint32Array(limit)
    this.codes = new Uint8Array(limit * CODES)
    this.priceTicks = new Float64Array(limit)
    this.quantityLots = new Float64Array(limit)
    this.filledLots = new Float64Array(limit)
    this.timestamp = new Float64Array(limit)
    this.clientOrderId = new Array<string | null>(limit).fill(null)
    this.options = new Array<OrderOptions | undefined>(limit).fill(undefined)
  }

  protected write (order: Order, slot: number, n: number): void {
    // The entry being overwritten is number n - limit; only an indexed one is in the maps.
    if (n >= this.limit && n - this.limit < this.indexed) this.forget(slot, n - this.limit)
    this.seq[slot] = order.seq
    this.symbol[slot] = this.symbols.of(order.symbol)
    this.account[slot] = this.accounts.of(order.accountId)
    const c = slot * CODES
    this.codes[c] = order.side === SIDES[0] ? 0 : 1
    this.codes[c + 1] = codeOf(ORDER_TYPES, order.type)
    this.codes[c + 2] = codeOf(ORDER_STATUSES, order.status)
    this.codes[c + 3] = order.cancelReason === null ? NONE : codeOf(CANCEL_REASONS, order.cancelReason)
    this.codes[c + 4] = codeOf(STP_MODES, order.stp)
    this.priceTicks[slot] = order.priceTicks ?? NaN
    this.quantityLots[slot] = order.quantityLots
    this.filledLots[slot] = order.filledLots
    this.timestamp[slot] = order.timestamp
    this.clientOrderId[slot] = order.clientOrderId
    this.options[slot] = optionsOf(order)
  }

  get (orderId: string): Order | undefined {
    this.catchUp()
    const n = this.bySeq.get(orderSeqOf(orderId))
    return n === undefined ? undefined : this.at(n)
  }

  /** The most recent terminal order of an account with this client id in a symbol. */
  getByClientId (symbol: string, clientOrderId: string, accountId: string = ANONYMOUS): Order | undefined {
    this.catchUp()
    const n = this.byClientId.get(clientKey(symbol, accountId, clientOrderId))
    return n === undefined ? undefined : this.at(n)
  }

  /** The symbol of entry n (oldest <= n < added), without rebuilding the order. */
  symbolAt (n: number): string {
    this.flush()
    return this.symbolOf(n)
  }

  /** The account of entry n (oldest <= n < added), without rebuilding the order. */
  accountAt (n: number): string {
    this.flush()
    return this.accountOf(n)
  }

  /** Entry number n, rebuilt; only for oldest <= n < added. */
  at (n: number): Order {
    this.flush()
    const slot = n % this.limit
    const c = slot * CODES
    const price = this.priceTicks[slot]
    const order = new Order(this.seq[slot], this.symbols.name(this.symbol[slot]), SIDES[this.codes[c]], ORDER_TYPES[this.codes[c + 1]],
      Number.isNaN(price) ? null : price, this.quantityLots[slot], this.clientOrderId[slot], this.timestamp[slot],
      this.accounts.name(this.account[slot]), STP_MODES[this.codes[c + 4]])
    order.filledLots = this.filledLots[slot]
    order.status = ORDER_STATUSES[this.codes[c + 2]]
    const reason = this.codes[c + 3]
    order.cancelReason = reason === NONE ? null : CANCEL_REASONS[reason]
    applyOptions(order, this.options[slot])
    return order
  }

  /** Oldest first: the order a snapshot must keep to evict the same way after restore. */
  * values (): IterableIterator<Order> {
    for (let n = this.oldest; n < this.added; n++) yield this.at(n)
  }

  /** symbolAt and accountAt without the flush, for the writing itself (forget) and the indexing of written entries. */
  private symbolOf (n: number): string {
    return this.symbols.name(this.symbol[n % this.limit])
  }

  private accountOf (n: number): string {
    return this.accounts.name(this.account[n % this.limit])
  }

  private catchUp (): void {
    for (let n = Math.max(this.indexed, this.oldest); n < this.added; n++) {
      const slot = n % this.limit
      this.bySeq.set(this.seq[slot], n)
      const clientOrderId = this.clientOrderId[slot]
      if (clientOrderId !== null) this.byClientId.set(clientKey(this.symbolOf(n), this.accountOf(n), clientOrderId), n)
    }
    this.indexed = this.added
  }

  private forget (slot: number, n: number): void {
    if (this.bySeq.get(this.seq[slot]) === n) this.bySeq.delete(this.seq[slot])
    const clientOrderId = this.clientOrderId[slot]
    if (clientOrderId !== null) {
      const key = clientKey(this.symbolOf(n), this.accountOf(n), clientOrderId)
      if (this.byClientId.get(key) === n) this.byClientId.delete(key)
    }
  }
}

/** Code bytes per entry: side, type, status, cancel reason, stp. */
const CODES = 5
/** The cancel-reason code of null. */
const NONE = 255

/**
 * The position of a value in its short list of constants. A plain loop: the
 * values are interned strings, so each test is one pointer compare, where
 * Array.prototype.indexOf is a call into a builtin every time.
 */
function codeOf<T> (values: readonly T[], value: T): number {
  // The value is one of them (the order's types say so): the last needs no compare.
  const last = values.length - 1
  for (let i = 0; i < last; i++) if (values[i] === value) return i
  return last
}

function clientKey (symbol: string, accountId: string, clientOrderId: string): string {
  return symbol + ' ' + accountId + ' ' + clientOrderId
}
