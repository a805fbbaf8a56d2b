/**
 * The order record. Prices are integer ticks and quantities integer lots.
 * Its id is its integer sequence number, printed only at the edge.
 * The record is also the node of its price level's intrusive FIFO list
 * (prev/next), which is what makes cancel O(1) anywhere in the queue.
 */
import type { PriceLevel } from './price-level.js'

export const Side = { BUY: 'buy', SELL: 'sell' } as const
export type Side = typeof Side[keyof typeof Side]

export const OrderType = { LIMIT: 'limit', MARKET: 'market', IOC: 'ioc', FOK: 'fok' } as const
export type OrderType = typeof OrderType[keyof typeof OrderType]

export const OrderStatus = {
  PENDING: 'pending',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELLED: 'cancelled',
  REJECTED: 'rejected'
} as const
export type OrderStatus = typeof OrderStatus[keyof typeof OrderStatus]

/**
 * Why the engine, not the client, ended an order early. Stable codes: clients
 * may switch on them. null on every order the client itself cancelled, and on
 * the ordinary ends (filled; market/IOC remainder with nothing left to cross;
 * FOK without enough liquidity).
 */
export const CancelReason = {
  /** The order reached the engine's cap on trades per order; the rest was cancelled (or a FOK refused whole). */
  MATCH_LIMIT: 'MATCH_LIMIT',
  /** Self-trade prevention: the order met a resting order of its own account (see StpMode). */
  SELF_TRADE_PREVENTION: 'SELF_TRADE_PREVENTION',
  /** Its account was disabled while it rested. */
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED'
} as const
export type CancelReason = typeof CancelReason[keyof typeof CancelReason]

/**
 * Self-trade prevention: what an incoming order does when it would trade with
 * a resting order of its own account. none lets the trade happen.
 */
export const StpMode = {
  CANCEL_MAKER: 'cancel_maker',
  CANCEL_TAKER: 'cancel_taker',
  CANCEL_BOTH: 'cancel_both',
  NONE: 'none'
} as const
export type StpMode = typeof StpMode[keyof typeof StpMode]
export const STP_MODES: readonly StpMode[] = Object.values(StpMode)

/** The account of every order when identity is off, and of orders journaled before accounts existed. */
export const ANONYMOUS = 'anonymous'

export const SIDES: readonly Side[] = [Side.BUY, Side.SELL]
export const ORDER_TYPES: readonly OrderType[] = [OrderType.LIMIT, OrderType.MARKET, OrderType.IOC, OrderType.FOK]
export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus)
export const CANCEL_REASONS: readonly CancelReason[] = Object.values(CancelReason)

export class Order {
  /** The engine's order sequence number; the id clients see is this number in decimal. */
  readonly seq: number
  readonly symbol: string
  readonly side: Side
  readonly type: OrderType
  /** null only for market orders. */
  readonly priceTicks: number | null
  readonly quantityLots: number
  readonly clientOrderId: string | null
  readonly timestamp: number
  readonly accountId: string
  readonly stp: StpMode
  filledLots = 0
  status: OrderStatus = OrderStatus.PENDING
  cancelReason: CancelReason | null = null
  /** Its level and queue links, set only while the order rests. */
  level: PriceLevel | null = null
  prev: Order | null = null
  next: Order | null = null
  /** Links in its account's list of open orders (oldest first), set only while it rests. */
  accountPrev: Order | null = null
  accountNext: Order | null = null

  constructor (seq: number, symbol: string, side: Side, type: OrderType, priceTicks: number | null,
    quantityLots: number, clientOrderId: string | null, timestamp: number, accountId: string = ANONYMOUS, stp: StpMode = StpMode.NONE) {
    this.seq = seq
    this.symbol = symbol
    this.side = side
    this.type = type
    this.priceTicks = priceTicks
    this.quantityLots = quantityLots
    this.clientOrderId = clientOrderId
    this.timestamp = timestamp
    this.accountId = accountId
    this.stp = stp
  }

  /** Built when asked (at the edge), never on the matching path. */
  get id (): string {
    return String(this.seq)
  }

  get remainingLots (): number {
    return this.quantityLots - this.filledLots
  }

  get isOpen (): boolean {
    return this.status === OrderStatus.PENDING || this.status === OrderStatus.PARTIALLY_FILLED
  }

  /** Status after a fill, for an order that may keep resting. */
  fill (lots: number): void {
    this.filledLots += lots
    this.status = this.filledLots === this.quantityLots ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED
  }
}
