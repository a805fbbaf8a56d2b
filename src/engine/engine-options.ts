/**
 * What a MatchingEngine can be built with, and the defaults it uses for
 * what is left out.
 */
import type { Command } from './commands.js'
import { decimal, type BigNumber } from './decimal.js'
import type { ListenerErrorHandler } from './events.js'
import type { SymbolConfig } from './symbols.js'

export interface EngineOptions {
  readonly symbols?: readonly SymbolConfig[]
  readonly makerFeeRate?: string
  readonly takerFeeRate?: string
  /** Terminal orders kept queryable. */
  readonly historyLimit?: number
  /**
   * Most trades one order may produce. An order that reaches it with crossing
   * liquidity left is cancelled with cancelReason MATCH_LIMIT (a FOK that
   * would need more is rejected whole). Bounds the work of one command.
   */
  readonly maxFillsPerOrder?: number
  /**
   * Most resting orders per symbol. At the cap a limit order that would rest
   * is refused with TOO_MANY_OPEN_ORDERS; orders that do not rest still run.
   */
  readonly maxOpenOrdersPerSymbol?: number
  /**
   * Most open orders per account; null or absent: no cap (the service sets
   * DEFAULT_MAX_OPEN_ORDERS_PER_ACCOUNT unless AUTH=off, whose anonymous
   * account is everyone). Checked like the per-symbol cap, before the
   * command is journaled.
   */
  readonly maxOpenOrdersPerAccount?: number | null
  /** Trades kept for the accounts' fill lists. */
  readonly fillHistoryLimit?: number
  /**
   * History entries (or fill slots) one list call looks at, at most: the
   * histories are shared by every account, so this bounds the work one read
   * can cost the matching thread. Default DEFAULT_MAX_LIST_SCAN.
   */
  readonly maxListScan?: number
  /** Milliseconds since the epoch. */
  readonly clock?: () => number
  /** Sees every accepted command before it runs: the journal's hook. */
  readonly onCommand?: (command: Command) => void
  readonly onListenerError?: ListenerErrorHandler
}

export const DEFAULT_FEE_RATE = '0.001'
export const DEFAULT_HISTORY_LIMIT = 100_000
export const DEFAULT_MAX_FILLS_PER_ORDER = 1000
/** About 1.8 KB per resting order: 100,000 hold about 180 MB per symbol. */
export const DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL = 100_000
export const DEFAULT_MAX_OPEN_ORDERS_PER_ACCOUNT = 1000
export const DEFAULT_FILL_HISTORY_LIMIT = 100_000
/** About 0.1 ms of scanning per list call. */
export const DEFAULT_MAX_LIST_SCAN = 10_000

/** A fee rate option read exactly: a decimal in [0, 1). */
export function feeRate (text: string, which: string): BigNumber {
  const rate = decimal(text)
  if (!rate.isFinite() || rate.lt(0) || rate.gte(1)) throw new Error(`${which} fee rate must be a decimal in [0, 1), got ${text}`)
  return rate
}

/** A limit option: a positive safe integer. */
export function positiveLimit (value: number, which: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${which} must be a positive integer, got ${value}`)
  return value
}
