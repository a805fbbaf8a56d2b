/**
 * The refusals of issue 12's order types and commands that depend on the
 * state: checked before a command is journaled, so a refused command never
 * happens and replay never meets one. Plain functions of a book and the
 * command's values.
 */
import { ResultCode, reject, type Rejection } from './codes.js'
import { OrderStatus, Side, TradingStatus, type Order } from './order.js'
import type { OrderBook } from './order-book.js'
import { minNotionalCheck, type AmendFields } from './validate.js'

/** A symbol that does not take new orders now; null when it trades. */
export function pausedRefusal (book: OrderBook): Rejection | null {
  if (book.tradingStatus === TradingStatus.TRADING) return null
  return book.tradingStatus === TradingStatus.HALTED
    ? reject(ResultCode.SYMBOL_HALTED, `${book.symbol} is halted: new orders and amends are refused, cancels work`)
    : reject(ResultCode.SYMBOL_CANCEL_ONLY, `${book.symbol} takes cancels and quantity reductions only`)
}

/** An expire time must lie after the command's time (it would expire at once otherwise). */
export function expiryRefusal (expireAt: number | null | undefined, takenAt: number): Rejection | null {
  if (expireAt === undefined || expireAt === null || expireAt > takenAt) return null
  return reject(ResultCode.INVALID_EXPIRE_TIME, `expire_time must be after the order's time (${takenAt} ms)`)
}

/** A stop whose trigger the last trade price has already reached would enter at once: refused, as major venues do. */
export function stopRefusal (book: OrderBook, side: Side, stopPriceTicks: number): Rejection | null {
  if (!book.stopReached(side, stopPriceTicks)) return null
  return reject(ResultCode.STOP_WOULD_TRIGGER, `the last trade price has already reached stop_price ${book.spec.tick.format(stopPriceTicks)}: ` +
    `a ${side} stop ${side === Side.BUY ? 'above' : 'below'} it would trigger at once`)
}

/**
 * An amend's values with what would not change set to null, or its
 * refusal. Halted symbols are refused before the values are read (by the
 * caller); the rest here, in the contract's order.
 */
export function amendChange (book: OrderBook, order: Order, values: AmendFields): AmendFields | Rejection {
  const change: AmendFields = {
    quantityLots: values.quantityLots === order.quantityLots ? null : values.quantityLots,
    priceTicks: values.priceTicks === order.priceTicks ? null : values.priceTicks,
    stopPriceTicks: values.stopPriceTicks === order.stopPriceTicks ? null : values.stopPriceTicks
  }
  const untriggered = order.status === OrderStatus.UNTRIGGERED
  const reduction = change.priceTicks === null && change.stopPriceTicks === null && change.quantityLots !== null && change.quantityLots < order.quantityLots
  if (book.tradingStatus === TradingStatus.CANCEL_ONLY && !reduction) {
    return reject(ResultCode.SYMBOL_CANCEL_ONLY, `${book.symbol} takes cancels and quantity reductions only`)
  }
  if (order.listSeq !== 0) return reject(ResultCode.INVALID_AMEND, 'an order of an OCO list cannot be amended: cancel the list and place it again')
  if (change.priceTicks !== null && order.priceTicks === null) return reject(ResultCode.INVALID_AMEND, `a ${order.type} order has no price to amend`)
  // A stop price is no value to give a triggered stop or a non-stop, even the one it had.
  if (values.stopPriceTicks !== null && !untriggered) {
    return reject(ResultCode.INVALID_AMEND, order.isStop ? 'the stop has triggered: its stop price is spent' : `a ${order.type} order has no stop price`)
  }
  if (change.quantityLots === null && change.priceTicks === null && change.stopPriceTicks === null) {
    return reject(ResultCode.INVALID_AMEND, 'the amend changes nothing: give a new_quantity, new_price or new_stop_price that differs')
  }
  // The order as amended passes MIN_NOTIONAL like a new one (unless it completes: then it rests no more).
  const priceTicks = change.priceTicks ?? order.priceTicks
  const quantityLots = change.quantityLots ?? order.quantityLots
  if (priceTicks !== null && quantityLots > order.filledLots) {
    const refused = minNotionalCheck(priceTicks, quantityLots, book.spec)
    if (refused !== null) return refused
  }
  if (untriggered && change.stopPriceTicks !== null) {
    const refused = stopRefusal(book, order.side, change.stopPriceTicks)
    if (refused !== null) return refused
  }
  if (!untriggered && order.postOnly && change.priceTicks !== null && book.wouldTake(order.side, change.priceTicks)) {
    return reject(ResultCode.POST_ONLY_WOULD_TAKE, 'the new price would take liquidity, and the order is post-only: it is unchanged')
  }
  return change
}
