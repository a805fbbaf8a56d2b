/**
 * Engine events. They are queued while a command runs and handed to the
 * listeners only when the command has finished, so a listener always sees a
 * complete, consistent book, and one that throws cannot leave it half-done.
 */
import type { CancelReason, Order, OrderStatus, OrderType, Side, StpMode } from './order.js'

export interface Trade {
  readonly tradeId: string
  readonly symbol: string
  readonly priceTicks: number
  readonly quantityLots: number
  readonly aggressorSide: Side
  readonly makerOrderId: string
  readonly takerOrderId: string
  /** Private: who traded. Never on the public tape; each side sees its own in its fills. */
  readonly makerAccountId: string
  readonly takerAccountId: string
  readonly makerClientOrderId: string | null
  readonly takerClientOrderId: string | null
  readonly timestamp: number
}

/** An order frozen at the moment of an event (the live record keeps changing). */
export interface OrderSnapshot {
  readonly id: string
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
  return {
    id: order.id,
    clientOrderId: order.clientOrderId,
    accountId: order.accountId,
    stp: order.stp,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    status: order.status,
    cancelReason: order.cancelReason,
    priceTicks: order.priceTicks,
    quantityLots: order.quantityLots,
    filledLots: order.filledLots,
    timestamp: order.timestamp
  }
}
