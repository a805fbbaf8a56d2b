/**
 * Engine events. They are queued while a command runs and handed to the
 * listeners only when the command has finished, so a listener always sees a
 * complete, consistent book, and one that throws cannot leave it half-done.
 */
import type { CancelReason, Order, OrderStatus, OrderType, Side, StpMode } from './order.js'
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
  private readonly order: Order

  constructor (order: Order) {
    this.order = order
    this.status = order.status
    this.filledLots = order.filledLots
    this.cancelReason = order.cancelReason
  }

  get id (): string { return String(this.order.seq) }
  get clientOrderId (): string | null { return this.order.clientOrderId }
  get accountId (): string { return this.order.accountId }
  get stp (): StpMode { return this.order.stp }
  get symbol (): string { return this.order.symbol }
  get side (): Side { return this.order.side }
  get type (): OrderType { return this.order.type }
  get priceTicks (): number | null { return this.order.priceTicks }
  get quantityLots (): number { return this.order.quantityLots }
  get timestamp (): number { return this.order.timestamp }
}

export const OrderEventType = {
  RESTING: 'resting',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELLED: 'cancelled',
  REJECTED: 'rejected'
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
