/**
 * Commands are the engine's only inputs once validated: integer units,
 * engine-assigned id, timestamp and a gap-free sequence number. They are what
 * the journal stores and what replay feeds back, which is why the engine
 * never reads the clock or a counter while executing one.
 */
import type { OrderType, Side, StpMode, TimeInForce, TradingStatus } from './order.js'
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
  /**
   * Issue 12's fields, each absent (undefined) when it has its default, so
   * that commands of the seed's four types look as before:
   * timeInForce (default from the type), postOnly (false), stopPriceTicks
   * (stop types only), displayLots (iceberg slice), expireAt (GTD, epoch ms),
   * quoteUnits (quote-sized market orders: budget in tick × lot units; their
   * quantityLots is the symbol's max lots, a bound, not a wish).
   */
  readonly timeInForce?: TimeInForce
  readonly postOnly?: boolean
  readonly stopPriceTicks?: number | null
  readonly displayLots?: number | null
  readonly expireAt?: number | null
  readonly quoteUnits?: number | null
}

/**
 * An OCO list: a limit order (orderId) and a stop order (the next number) of
 * the same side and quantity, placed together. When either trades, triggers
 * or ends, the other is cancelled (reason OCO) in the same command.
 */
export interface NewOcoCommand {
  readonly kind: 'oco'
  readonly seq: number
  /** The limit leg's id; the stop leg's is the next number, and the list's id is the limit leg's. */
  readonly orderId: string
  readonly timestamp: number
  readonly symbol: string
  readonly side: Side
  readonly quantityLots: number
  /** The limit leg's price. */
  readonly priceTicks: number
  readonly stopPriceTicks: number
  /** The stop leg's limit price: a stop_limit leg; null: a stop_market leg. */
  readonly stopLimitPriceTicks: number | null
  readonly limitClientOrderId: string | null
  readonly stopClientOrderId: string | null
  readonly timeInForce: 'gtc' | 'gtd'
  readonly expireAt: number | null
  readonly maxFills: number
  readonly accountId: string
  readonly stp: StpMode
}

/**
 * Changes an open order. quantityLots is the new total quantity (filled lots
 * included); priceTicks a new limit price; stopPriceTicks a new stop price
 * (untriggered stops only). null: unchanged. A reduction alone keeps the
 * order's place in its queue; anything else moves it to the back.
 */
export interface AmendCommand {
  readonly kind: 'amend'
  readonly seq: number
  readonly orderId: string
  readonly timestamp: number
  readonly symbol: string
  readonly quantityLots: number | null
  readonly priceTicks: number | null
  readonly stopPriceTicks: number | null
  readonly maxFills: number
}

/** Expires every open GTD order whose expire time is at or before the command's timestamp, oldest expiry first (then by number). */
export interface ExpireCommand {
  readonly kind: 'expire'
  readonly seq: number
  readonly timestamp: number
}

export interface SetTradingStatusCommand {
  readonly kind: 'set_trading_status'
  readonly seq: number
  readonly timestamp: number
  readonly symbol: string
  readonly status: TradingStatus
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
/** Sets a symbol's price band (a decimal fraction, null: none); the service journals one at start when the configuration changed it. */
export interface SetPriceBandCommand {
  readonly kind: 'set_price_band'
  readonly seq: number
  readonly timestamp: number
  readonly symbol: string
  readonly band: string | null
}

export type Command = NewOrderCommand | NewOcoCommand | AmendCommand | ExpireCommand | SetTradingStatusCommand | SetPriceBandCommand |
  CancelCommand | CancelAllCommand | IdentityCommand

/** A validated order before the engine stamps it. */
export type OrderFields = Omit<NewOrderCommand, 'kind' | 'seq' | 'orderId' | 'timestamp' | 'maxFills'>
