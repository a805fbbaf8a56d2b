/**
 * One account's lists, newest first, a page at a time: its open orders (its
 * own list), its terminal orders and its fills (both from histories every
 * account shares). A page holds at most `limit` items; `next` is the cursor
 * of the following, older page (a position in the list it came from), null
 * on the last one.
 */
import type { AccountOrders } from './accounts.js'
import type { Trade } from './events.js'
import type { FillHistory } from './fill-history.js'
import type { OrderHistory } from './history.js'
import type { Order } from './order.js'

export interface Page<T> {
  readonly items: T[]
  readonly next: number | null
}

/** One account's side of a trade. */
export interface Fill {
  readonly trade: Trade
  readonly role: 'maker' | 'taker'
}

/** Open orders of one symbol if given; before: an order number (the previous page's cursor). */
export function openOrdersOf (orders: AccountOrders, symbol: string | null, limit: number, before: number | null): Page<Order> {
  const items: Order[] = []
  let order = orders.tail
  if (before !== null) while (order !== null && Number(order.id) >= before) order = order.accountPrev
  for (; order !== null; order = order.accountPrev) {
    if (symbol !== null && order.symbol !== symbol) continue
    if (items.length === limit) return { items, next: Number(items[items.length - 1].id) }
    items.push(order)
  }
  return { items, next: null }
}

/**
 * Terminal orders still in the history; before: a history entry number.
 * The history is shared by every account, so one call looks at no more than
 * maxScan entries: a page may then hold fewer than `limit` (even none) with
 * a next cursor to go on from.
 */
export function closedOrdersOf (history: OrderHistory, accountId: string, symbol: string | null, limit: number, before: number | null, maxScan: number): Page<Order> {
  const items: Order[] = []
  const start = before === null ? history.added - 1 : Math.min(before, history.added) - 1
  const end = Math.max(history.oldest, start - maxScan + 1)
  for (let n = start; n >= history.oldest; n--) {
    if (n < end) return { items, next: n + 1 }
    const order = history.at(n)
    if (order.accountId !== accountId || (symbol !== null && order.symbol !== symbol)) continue
    if (items.length === limit) return { items, next: n + 1 }
    items.push(order)
  }
  return { items, next: null }
}

/**
 * Fills still in the fill history. A trade is two fill slots (2n + 1 its
 * taker side, 2n its maker side), so a trade between two orders of one
 * account is two fills; before: a slot number. Like closedOrdersOf, one call
 * looks at no more than maxScan slots, and compares names without
 * rebuilding the trades it passes over.
 */
export function fillsOf (fills: FillHistory, accountId: string, symbol: string | null, limit: number, before: number | null, maxScan: number): Page<Fill> {
  const items: Fill[] = []
  const start = before === null ? 2 * fills.added - 1 : Math.min(before, 2 * fills.added) - 1
  const end = Math.max(2 * fills.oldest, start - maxScan + 1)
  for (let slot = start; slot >= 2 * fills.oldest; slot--) {
    if (slot < end) return { items, next: slot + 1 }
    const n = slot >> 1
    const taker = (slot & 1) === 1
    if (fills.accountAt(n, taker) !== accountId || (symbol !== null && fills.symbolAt(n) !== symbol)) continue
    if (items.length === limit) return { items, next: slot + 1 }
    items.push({ trade: fills.at(n), role: taker ? 'taker' : 'maker' })
  }
  return { items, next: null }
}
