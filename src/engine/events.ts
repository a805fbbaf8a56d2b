/**
 * Engine events. They are queued while a command runs and handed to the
 * listeners only when the command has finished, so a listener always sees a
 * complete, consistent book, and one that throws cannot leave it half-done.
 */
import type { CancelReason, Order, OrderStatus, OrderType, Side, StpMode } from './order.js'
import type { Trade } from './trade.js'

/** An order frozen at the moment of an event (the live record keeps changing); its id is built when read. */
export class OrderSnapshot {
  readonly seq: number
  readonly clientOrderId: string | null
  readonly accountId: string
  readonly stp: StpMode
  readonly symbol: string
  readonly side: Side
  readonly type: OrderType
  readonly status: OrderStatus
  readonly cancelReason: CancelReason | null
  readonly priceTicks: number | null
  readonly quantityLots: number
  readonly filledLots: number
  readonly timestamp: number

  constructor (order: Order) {
    this.seq = order.seq
    this.clientOrderId = order.clientOrderId
    this.accountId = order.accountId
    this.stp = order.stp
    this.symbol = order.symbol
    this.side = order.side
    this.type = order.type
    this.status = order.status
    this.cancelReason = order.cancelReason
    this.priceTicks = order.priceTicks
    this.quantityLots = order.quantityLots
    this.filledLots = order.filledLots
    this.timestamp = order.timestamp
  }

  get id (): string {
    return String(this.seq)
  }
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
