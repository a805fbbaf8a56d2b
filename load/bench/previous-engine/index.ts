/**
 * FROZEN COPY of src/engine as it was before issue 11 (commit f6fd55a), kept
 * only as that before/after baseline: the `previous*` runs of
 * `npm run bench:engine` and the old-vs-new equivalence test
 * (test/engine/previous-engine.test.ts). Do not edit or fix it; drop the
 * whole folder once the new engine has proven itself. It imports nothing
 * outside this folder but npm packages (sorted-btree, bignumber.js) and
 * node:crypto.
 */
export { MatchingEngine } from './engine.js'
export type { CancelInput, CancelAllInput, OrderOutcome } from './engine.js'
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
export type { Command, NewOrderCommand, CancelCommand, CancelAllCommand, IdentityCommand, OrderFields } from './commands.js'
export { ANONYMOUS, CancelReason, Order, OrderStatus, OrderType, Side, SIDES, ORDER_TYPES, StpMode, STP_MODES } from './order.js'
export { OrderBook } from './order-book.js'
export { SymbolSpec, DEFAULT_SYMBOLS, DEFAULT_LOT_SIZE, DEFAULT_MAX_QUANTITY, DEFAULT_MIN_NOTIONAL } from './symbols.js'
export type { SymbolConfig } from './symbols.js'
export { OrderEventType } from './events.js'
export type { EngineEvent, EngineListener, LevelChange, OrderSnapshot, Trade } from './events.js'
export { CLIENT_ORDER_ID, validateOrder } from './validate.js'
export { normaliseSymbol } from './identifiers.js'
export type { NewOrderInput } from './validate.js'
export { parseDecimal, decimal, formatScaled, product, MAX_SIGNIFICANT_DIGITS } from './decimal.js'
export type { ScaledDecimal, BigNumber } from './decimal.js'
export { exportState, importState, stateDigest, STATE_VERSION } from './state.js'
export type { EngineState } from './state.js'
