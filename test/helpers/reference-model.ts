/**
 * An obviously correct exchange to check the engine against: plain arrays,
 * sorted in full after every change, linear scans. Slow on purpose; the point
 * is that each rule reads straight off the code. Split in three files:
 * reference-match.ts (one taker against one side), reference-book.ts (one
 * symbol: every order type and command), reference-exchange.ts (symbols and
 * accounts). Tests import from here.
 *
 * Limits, as the engine documents them: an order does at most `maxFills`
 * units of work, a unit being a fill (of an iceberg: of one visible slice) or
 * a resting order of its own account met under self-trade prevention; one
 * stopped by that cap while a crossing order was still there is cancelled
 * with reason MATCH_LIMIT (a FOK is rejected whole instead). At `maxOpen` open
 * orders in the symbol, or `maxPerAccount` open orders of its account
 * (untriggered stops count), an order that would rest is refused; whether it
 * would rest is found by running it on a copy of the book; a stop always
 * would; an OCO list always needs two free places.
 *
 * Self-trade prevention, as issue 10 states it: when an incoming order would
 * trade with a resting order of its own account, its mode decides:
 * cancel_maker cancels the resting order and keeps matching, cancel_taker
 * cancels the rest of the incoming order (trades already made stand),
 * cancel_both does both, none lets the trade happen. A FOK that could not
 * fill completely is rejected whole with nothing changed (no maker cancelled).
 *
 * Issue 12 (its contract, /work/wt/brief/contract-12.md, is the spec): time in
 * force, post-only, stops and their trigger cascade, OCO lists, icebergs, GTD
 * expiry, amend, quote-sized market orders, the price band, trading status.
 * The model takes validated integer input: the validation refusals are
 * validate-reference.ts's; it makes the refusals that need the state.
 *
 * Where the contract is silent, the model assumes (each is marked where it
 * is coded):
 * - matching checks, at the next maker: crossing, the band, the quote budget,
 *   then the cap of work (a maker the order could not take anyway ends it for
 *   that reason, not for the cap); a quote order whose budget is exactly
 *   spent is filled, even with the book empty after it;
 * - a post-only order that would take is rejected, not refused by a full cap;
 * - a stop leaves the untriggered set when a trade takes it into the trigger
 *   queue, and triggers (status pending, its OCO peer cancelled) when its turn
 *   comes; one cancelled (OCO) in between does not trigger;
 * - "an OCO leg" (amend: INVALID_AMEND) is any order placed in a list, even
 *   after the list ended (a triggered stop leg resting as a limit order);
 * - amend: a field given equal to the current value is no change; "pure
 *   reduction" is a lower quantity with no other change; the post-only check
 *   applies to an order on the book (not an untriggered stop_limit);
 *   new_quantity ≤ filled completes the order whatever the other fields;
 * - the engine's expire() returns the expired orders only (not the OCO peers
 *   it cancelled).
 */
export { REF_ANONYMOUS, REF_STP_MODES, remaining } from './reference-match.js'
export type { RefOrder, RefSide, RefStp, RefTif, RefTrade, RefType } from './reference-match.js'
export { ReferenceBook, isOpen } from './reference-book.js'
export type { RefAmendValues, RefLimits, RefOcoInput, RefOcoPlaced, RefOrderInput, RefPlaced, RefResult, RefTradingStatus } from './reference-book.js'
export { ReferenceExchange } from './reference-exchange.js'
export type { RefNewOrder, RefOrderRef } from './reference-exchange.js'
