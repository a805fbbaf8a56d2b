/**
 * Commands are the engine's only inputs once validated: integer units,
 * engine-assigned id, timestamp and a gap-free sequence number. They are what
 * the journal stores and what replay feeds back, which is why the engine
 * never reads the clock or a counter while executing one.
 */
import type { OrderType, Side } from './order.js'

export interface NewOrderCommand {
  readonly kind: 'new'
  readonly seq: number
  readonly orderId: string
  readonly timestamp: number
  readonly symbol: string
  readonly side: Side
  readonly orderType: OrderType
  readonly priceTicks: number | null
  readonly quantityLots: number
  readonly clientOrderId: string | null
  /**
   * The cap on trades this order ran under (the engine's maxFillsPerOrder
   * when it was accepted), so replay gives the same result after a restart
   * with another cap. null: no cap (records from before the cap existed).
   */
  readonly maxFills: number | null
}

export interface CancelCommand {
  readonly kind: 'cancel'
  readonly seq: number
  readonly orderId: string
  readonly timestamp: number
  readonly symbol: string
}

export type Command = NewOrderCommand | CancelCommand

/** A validated order before the engine stamps it. */
export type OrderFields = Omit<NewOrderCommand, 'kind' | 'seq' | 'orderId' | 'timestamp' | 'maxFills'>
