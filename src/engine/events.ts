/**
 * Engine events. They are queued while a command runs and handed to the
 * listeners only when the command has finished, so a listener always sees a
 * complete, consistent book, and one that throws cannot leave it half-done.
 */
import type { CancelReason, Order, OrderStatus, OrderType, Side, StpMode, TimeInForce } from './order.js'
import type { Trade } from './trade.js'

/**
 * An order as it was at the moment of an event. Only what changes over an
 * order's life (status, filled lots, cancel reason) is copied; the rest is
 * read from the order itself, where it never changes, and the id is built
 * when read: a snapshot is four fields, not thirteen.
 */
export class OrderSnapshot {
  readonly status: OrderStatus
  readonly filledLots: number
  readonly cancelReason: CancelReason | null
  /** An amend can change these three: copied too. */
  readonly priceTicks: number | null
  readonly quantityLots: number
  readonly stopPriceTicks: number | null
  private readonly order: Order

  constructor (order: Order) {
    this.order = order
    this.status = order.status
    this.filledLots = order.filledLots
    this.cancelReason = order.cancelReason
    this.priceTicks = order.priceTicks
    this.quantityLots = order.quantityLots
    this.stopPriceTicks = order.stopPriceTicks
  }

  get id (): string { return String(this.order.seq) }
  get clientOrderId (): string | null { return this.order.clientOrderId }
  get accountId (): string { return this.order.accountId }
  get stp (): StpMode { return this.order.stp }
  get symbol (): string { return this.order.symbol }
  get side (): Side { return this.order.side }
  get type (): OrderType { return this.order.type }
  get timestamp (): number { return this.order.timestamp }
  get timeInForce (): TimeInForce { return this.order.timeInForce }
  get postOnly (): boolean { return this.order.postOnly }
  get displayLots (): number { return this.order.displayLots }
  get expireAt (): number | null { return this.order.expireAt }
  get quoteUnits (): number | null { return this.order.quoteUnits }
  get listSeq (): number { return this.order.listSeq }
}

export const OrderEventType = {
  RESTING: 'resting',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELLED: 'cancelled',
  REJECTED: 'rejected',
  /** A stop was accepted and waits, off the book. */
  UNTRIGGERED: 'untriggered',
  /** A stop's trigger price was reached: it enters as its limit or market order (its next events follow in the same batch). */
  TRIGGERED: 'triggered',
  /** A GTD order's expire time came. */
  EXPIRED: 'expired',
  /** An amend changed the order (its next events, if it traded, follow in the same batch). */
  AMENDED: 'amended',
  /** An iceberg's visible slice was used up and the next slice was shown, at the back of its level. */
  REFRESHED: 'refreshed'
} as const
export type OrderEventType = typeof OrderEventType[keyof typeof OrderEventType]

/** A price level's new total after a command; 0 means the level is gone. */
export interface LevelChange {
  readonly side: Side
  readonly priceTicks: number
  readonly totalLots: number
}

export type EngineEvent =
  | { readonly type: 'trade', readonly trade: Trade }
  | { readonly type: 'order', readonly eventType: OrderEventType, readonly order: OrderSnapshot }
  | { readonly type: 'levels', readonly symbol: string, readonly changes: readonly LevelChange[] }

/** Called once per command with that command's events, in order. */
export type EngineListener = (events: readonly EngineEvent[]) => void

/** Reports a listener failure; the engine itself never logs. */
export type ListenerErrorHandler = (error: unknown) => void

export function snapshotOf (order: Order): OrderSnapshot {
  return new OrderSnapshot(order)
}
