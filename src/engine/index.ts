/** The engine's public surface: plugins, tests and benchmarks import from here only. */
export { MatchingEngine } from './engine.js'
export { bandText } from './engine-core.js'
export { OcoOutcome, OrderOutcome } from './command-results.js'
export type { CancelInput, CancelAllInput } from './engine.js'
export {
  DEFAULT_FEE_RATE, DEFAULT_HISTORY_LIMIT, DEFAULT_MAX_FILLS_PER_ORDER, DEFAULT_MAX_OPEN_ORDERS_PER_SYMBOL, DEFAULT_MAX_OPEN_ORDERS_PER_ACCOUNT,
  DEFAULT_FILL_HISTORY_LIMIT, DEFAULT_MAX_LIST_SCAN
} from './engine-options.js'
export type { EngineOptions } from './engine-options.js'
export type { Page, Fill } from './account-lists.js'
export { Account, AccountStatus, Permission, PERMISSIONS, MAX_KEYS_PER_ACCOUNT } from './accounts.js'
export type { ApiKey } from './accounts.js'
export { ResultCode } from './codes.js'
export type { Result, Rejection } from './codes.js'
export type { Command, NewOrderCommand, NewOcoCommand, AmendCommand, ExpireCommand, SetTradingStatusCommand, CancelCommand, CancelAllCommand, IdentityCommand, OrderFields } from './commands.js'
export {
  ANONYMOUS, CancelReason, CANCEL_REASONS, Order, OrderStatus, ORDER_STATUSES, OrderType, Side, SIDES, ORDER_TYPES, StpMode, STP_MODES,
  TimeInForce, TIME_IN_FORCES, TradingStatus, TRADING_STATUSES
} from './order.js'
export { OrderBook } from './order-book.js'
export { SymbolSpec, DEFAULT_SYMBOLS, DEFAULT_LOT_SIZE, DEFAULT_MAX_QUANTITY, DEFAULT_MIN_NOTIONAL } from './symbols.js'
export type { SymbolConfig } from './symbols.js'
export { OrderEventType, OrderSnapshot } from './events.js'
export type { EngineEvent, EngineListener, LevelChange } from './events.js'
export { Trade } from './trade.js'
export { CLIENT_ORDER_ID, validateAmend, validateOco, validateOrder } from './validate.js'
export { normaliseSymbol } from './identifiers.js'
export type { AmendFields, AmendInput, NewOrderInput, OcoFields, OcoInput } from './validate.js'
export { parseDecimal, decimal, formatScaled, product, MAX_SIGNIFICANT_DIGITS } from './decimal.js'
export type { ScaledDecimal, BigNumber } from './decimal.js'
export { exportState, importState, stateDigest, READABLE_STATE_VERSIONS, STATE_VERSION } from './state.js'
export type { EngineState, OrderOptions } from './state.js'
