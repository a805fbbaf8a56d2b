/**
 * Commands are the engine's only inputs once validated: integer units,
 * engine-assigned id, timestamp and a gap-free sequence number. They are what
 * the journal stores and what replay feeds back, which is why the engine
 * never reads the clock or a counter while executing one.
 */
import type { OrderType, Side, StpMode } from './order.js'
import type { AccountStatus, Permission } from './accounts.js'

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
  /** The account that placed it (ANONYMOUS for records from before accounts existed). */
  readonly accountId: string
  /** Its self-trade prevention mode (none for records from before STP existed). */
  readonly stp: StpMode
}

export interface CancelCommand {
  readonly kind: 'cancel'
  readonly seq: number
  readonly orderId: string
  readonly timestamp: number
  readonly symbol: string
}

/** Cancels the open orders of one account (of one symbol and/or side when given), oldest first. */
export interface CancelAllCommand {
  readonly kind: 'cancel_all'
  readonly seq: number
  readonly timestamp: number
  readonly accountId: string
  readonly symbol: string | null
  readonly side: Side | null
}

export interface CreateAccountCommand {
  readonly kind: 'create_account'
  readonly seq: number
  readonly timestamp: number
  readonly accountId: string
}

/** Disabling also cancels every open order of the account (cancel reason ACCOUNT_DISABLED). */
export interface SetAccountStatusCommand {
  readonly kind: 'set_account_status'
  readonly seq: number
  readonly timestamp: number
  readonly accountId: string
  readonly status: AccountStatus
}

export interface CreateKeyCommand {
  readonly kind: 'create_key'
  readonly seq: number
  readonly timestamp: number
  readonly accountId: string
  readonly keyId: string
  readonly permissions: readonly Permission[]
  /** Proves which master secret derived the key's secret; the secret itself is never in a command. */
  readonly fingerprint: string
}

export interface RevokeKeyCommand {
  readonly kind: 'revoke_key'
  readonly seq: number
  readonly timestamp: number
  readonly keyId: string
}

export type IdentityCommand = CreateAccountCommand | SetAccountStatusCommand | CreateKeyCommand | RevokeKeyCommand
export type Command = NewOrderCommand | CancelCommand | CancelAllCommand | IdentityCommand

/** A validated order before the engine stamps it. */
export type OrderFields = Omit<NewOrderCommand, 'kind' | 'seq' | 'orderId' | 'timestamp' | 'maxFills'>
