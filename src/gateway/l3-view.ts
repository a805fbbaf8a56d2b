/**
 * The l3 book as the wire shows it, read from the engine's book: every
 * resting order as [order_id, price, visible quantity], levels best first and
 * orders in queue order within a level, and the l3 checksum of its top
 * levels. Public only: no account or client ids.
 */
import type { OrderBook } from '../engine/index.js'
import { CHECKSUM_LEVELS, checksumOf } from './checksum.js'

/** [order_id, price, quantity] */
export type L3Row = [string, string, string]

type BookSide = OrderBook['bids']

/** Every resting order of one side, best level first, in queue order. */
export function l3Rows (book: OrderBook, side: BookSide): L3Row[] {
  const { tick, lot } = book.spec
  const rows: L3Row[] = []
  for (const level of side.bestFirst()) {
    const price = tick.format(level.priceTicks)
    for (const order of level.orders()) rows.push([order.id, price, lot.format(order.visibleLots)])
  }
  return rows
}

/**
 * The exact text the l3 checksum hashes: `O1,O2,...|O1,O2,...`, the orders of
 * the best 10 levels of the bids then of the asks, each `order_id:price:quantity`.
 */
export function l3ChecksumText (book: OrderBook): string {
  return sideText(book, book.bids) + '|' + sideText(book, book.asks)
}

export function l3Checksum (book: OrderBook): number {
  return checksumOf(l3ChecksumText(book))
}

/** The same text from rows a client holds (levels best first, queue order): what a consumer computes to check a message. */
export function l3ChecksumOfRows (bids: readonly L3Row[], asks: readonly L3Row[]): number {
  return checksumOf(rowsText(bids) + '|' + rowsText(asks))
}

function sideText (book: OrderBook, side: BookSide): string {
  const { tick, lot } = book.spec
  const items: string[] = []
  for (const level of side.bestFirst(CHECKSUM_LEVELS)) {
    const price = tick.format(level.priceTicks)
    for (const order of level.orders()) items.push(order.id + ':' + price + ':' + lot.format(order.visibleLots))
  }
  return items.join(',')
}

function rowsText (rows: readonly L3Row[]): string {
  const items: string[] = []
  let levels = 0
  let price: string | null = null
  for (const [id, rowPrice, quantity] of rows) {
    if (rowPrice !== price) {
      if (++levels > CHECKSUM_LEVELS) break
      price = rowPrice
    }
    items.push(id + ':' + rowPrice + ':' + quantity)
  }
  return items.join(',')
}
