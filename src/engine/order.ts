/**
 * The order record. Prices are integer ticks and quantities integer lots.
 * Its id is its integer sequence number, printed only at the edge.
 * The record is also the node of its price level's intrusive FIFO list
 * (prev/next), which is what makes cancel O(1) anywhere in the queue.
 */
import type { PriceLevel } from './price-level.js'

export const Side = { BUY: 'buy', SELL: 'sell' } as const
export type Side = typeof Side[keyof typeof Side]

/**
 * The seed's four types (ioc and fok are limit orders with that time in
 * force) and two stop types: a stop rests off the book, untriggered, until
 * the last trade price reaches its stop price, then enters as its limit or
 * market order.
 */
export const OrderType = {
  LIMIT: 'limit',
  MARKET: 'market',
  IOC: 'ioc',
  FOK: 'fok',
  STOP_LIMIT: 'stop_limit',
  STOP_MARKET: 'stop_market'
} as const
export type OrderType = typeof OrderType[keyof typeof OrderType]

/**
 * How long an order may work: gtc until filled or cancelled, ioc and fok at
 * once (ioc cancels the rest, fok trades all or nothing), gtd until its
 * expire time (an expiry is a journaled command, never a clock read).
 */
export const TimeInForce = { GTC: 'gtc', IOC: 'ioc', FOK: 'fok', GTD: 'gtd' } as const
export type TimeInForce = typeof TimeInForce[keyof typeof TimeInForce]
export const TIME_IN_FORCES: readonly TimeInForce[] = Object.values(TimeInForce)

/** Per symbol: trading; halted (no new orders or amends, cancels work); cancel_only (cancels and quantity-reducing amends only). */
export const TradingStatus = { TRADING: 'trading', HALTED: 'halted', CANCEL_ONLY: 'cancel_only' } as const
export type TradingStatus = typeof TradingStatus[keyof typeof TradingStatus]
export const TRADING_STATUSES: readonly TradingStatus[] = Object.values(TradingStatus)

export const OrderStatus = {
  /** A stop waiting for its trigger, off the book. */
  UNTRIGGERED: 'untriggered',
  PENDING: 'pending',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELLED: 'cancelled',
  REJECTED: 'rejected',
  /** A GTD order whose expire time came (by an expire command). */
  EXPIRED: 'expired'
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
  ACCOUNT_DISABLED: 'ACCOUNT_DISABLED',
  /** A post-only order that would have taken liquidity: rejected whole, nothing traded. */
  POST_ONLY_WOULD_TAKE: 'POST_ONLY_WOULD_TAKE',
  /** The other order of its OCO list traded, triggered or ended. */
  OCO: 'OCO',
  /** Price protection: a market or stop-market order reached the symbol's band around the last trade price; the rest was cancelled. */
  PRICE_BAND: 'PRICE_BAND'
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
export const ORDER_TYPES: readonly OrderType[] = Object.values(OrderType)
export const ORDER_STATUSES: readonly OrderStatus[] = Object.values(OrderStatus)
export const CANCEL_REASONS: readonly CancelReason[] = Object.values(CancelReason)

export class Order {
  /** The engine's order sequence number; the id clients see is this number in decimal. */
  readonly seq: number
  readonly symbol: string
  readonly side: Side
  readonly type: OrderType
  /** null only for market and stop-market orders. Changed only by an amend. */
  priceTicks: number | null
  /** Changed only by an amend. For a quote-sized market order: the filled lots once it has run. */
  quantityLots: number
  readonly clientOrderId: string | null
  readonly timestamp: number
  readonly accountId: string
  readonly stp: StpMode
  filledLots = 0
  status: OrderStatus = OrderStatus.PENDING
  cancelReason: CancelReason | null = null
  /**
   * What the book shows of it: its remaining lots, or for an iceberg the rest
   * of its current slice. Its level's total is the sum of these.
   */
  visibleLots: number
  /**
   * Issue 12's fields that most orders leave at their defaults, in an object
   * of their own made only for an order that sets one: a plain order stays
   * the size it was (seven fields smaller), which the young generation feels
   * at a million orders a second. Read and written through the accessors below.
   */
  private options: OrderOptionFields | null = null
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
    this.visibleLots = quantityLots
  }

  /** Its own when set (options), else its type's: gtc for limit and stop orders, ioc for ioc and market, fok for fok. */
  get timeInForce (): TimeInForce {
    if (this.options !== null && this.options.timeInForce !== null) return this.options.timeInForce
    return defaultTimeInForce(this.type)
  }

  set timeInForce (value: TimeInForce) {
    if (value !== defaultTimeInForce(this.type) || this.options !== null) this.optionFields().timeInForce = value
  }

  /** Post-only: rejected whole rather than take liquidity. */
  get postOnly (): boolean { return this.options !== null && this.options.postOnly }
  set postOnly (value: boolean) { if (value || this.options !== null) this.optionFields().postOnly = value }

  /** Stop orders only (changed by an amend); null otherwise. */
  get stopPriceTicks (): number | null { return this.options === null ? null : this.options.stopPriceTicks }
  set stopPriceTicks (value: number | null) { if (value !== null || this.options !== null) this.optionFields().stopPriceTicks = value }

  /** Iceberg: the slice shown in the book; 0 for an ordinary order, which shows all it has. */
  get displayLots (): number { return this.options === null ? 0 : this.options.displayLots }
  set displayLots (value: number) { if (value !== 0 || this.options !== null) this.optionFields().displayLots = value }

  /** GTD only: when it expires, epoch ms. */
  get expireAt (): number | null { return this.options === null ? null : this.options.expireAt }
  set expireAt (value: number | null) { if (value !== null || this.options !== null) this.optionFields().expireAt = value }

  /** Quote-sized market orders only: the budget in (tick × lot) units; quantityLots is then the symbol's max until it has run. */
  get quoteUnits (): number | null { return this.options === null ? null : this.options.quoteUnits }
  set quoteUnits (value: number | null) { if (value !== null || this.options !== null) this.optionFields().quoteUnits = value }

  /** The other order of its OCO list while both are open; null otherwise. */
  get ocoPeer (): Order | null { return this.options === null ? null : this.options.ocoPeer }
  set ocoPeer (value: Order | null) { if (value !== null || this.options !== null) this.optionFields().ocoPeer = value }

  /** Its OCO list's id (the number of the list's first order); 0 when not in a list. */
  get listSeq (): number { return this.options === null ? 0 : this.options.listSeq }
  set listSeq (value: number) { if (value !== 0 || this.options !== null) this.optionFields().listSeq = value }

  /** False while no field kept apart was ever set (most orders): then each has its default, and readers can skip them all. */
  get hasOptionFields (): boolean {
    return this.options !== null
  }

  private optionFields (): OrderOptionFields {
    this.options ??= { timeInForce: null, postOnly: false, stopPriceTicks: null, displayLots: 0, expireAt: null, quoteUnits: null, ocoPeer: null, listSeq: 0 }
    return this.options
  }

  /** Built when asked (at the edge), never on the matching path. */
  get id (): string {
    return String(this.seq)
  }

  get remainingLots (): number {
    return this.quantityLots - this.filledLots
  }

  /** Resting in the book or waiting for its trigger. */
  get isOpen (): boolean {
    return this.status === OrderStatus.PENDING || this.status === OrderStatus.PARTIALLY_FILLED || this.status === OrderStatus.UNTRIGGERED
  }

  get isStop (): boolean {
    return this.type === OrderType.STOP_LIMIT || this.type === OrderType.STOP_MARKET
  }

  /** Status after a fill, for an order that may keep resting. */
  fill (lots: number): void {
    this.filledLots += lots
    this.visibleLots -= lots
    this.status = this.filledLots === this.quantityLots ? OrderStatus.FILLED : OrderStatus.PARTIALLY_FILLED
  }
}

/** The fields an Order keeps apart (see Order.options). */
interface OrderOptionFields {
  /** null: its type's. */
  timeInForce: TimeInForce | null
  postOnly: boolean
  stopPriceTicks: number | null
  displayLots: number
  expireAt: number | null
  quoteUnits: number | null
  ocoPeer: Order | null
  listSeq: number
}

/** What an order of this type runs as when it names no time in force. */
export function defaultTimeInForce (type: OrderType): TimeInForce {
  if (type === OrderType.FOK) return TimeInForce.FOK
  return type === OrderType.IOC || type === OrderType.MARKET ? TimeInForce.IOC : TimeInForce.GTC
}

/** gtc or gtd: what an order cannot fill at once rests in the book (ioc and fok end instead). */
export function restsWhenShort (timeInForce: TimeInForce): boolean {
  return timeInForce === TimeInForce.GTC || timeInForce === TimeInForce.GTD
}
