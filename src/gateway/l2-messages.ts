/**
 * The l2 messages as JSON text: a delta, a snapshot or its resync twin, and
 * a trades resync. Built once per message and sent as the same string to
 * every subscriber it is for.
 */
import { toSeconds } from '../wire/time.js'
import type { Delta } from './delta-merge.js'
import type { DepthView, UpdateInterval } from './depth-view.js'
import type { PublishedBook } from './published-book.js'

export function deltaText (book: PublishedBook, delta: Delta): string {
  return JSON.stringify({
    type: 'l2_update',
    symbol: book.symbol,
    kind: 'delta',
    seq: delta.seq,
    prev_seq: delta.prevSeq,
    bids: book.format(delta.bids),
    asks: book.format(delta.asks),
    checksum: delta.checksum,
    timestamp: toSeconds(delta.time)
  })
}

/** A view's whole state: a snapshot, or the resync sent instead of what a subscriber was owed. */
export function stateText (book: PublishedBook, view: DepthView, interval: UpdateInterval, kind: 'snapshot' | 'resync'): string {
  const symbol = book.symbol
  return JSON.stringify({
    ...(kind === 'snapshot' ? { type: 'l2_update', symbol, kind } : { type: 'resync', channel: 'l2_updates', symbol, reason: 'dropped' }),
    seq: view.seq,
    depth: view.depth,
    interval,
    bids: book.format(Array.from(view.bidLevels)),
    asks: book.format(Array.from(view.askLevels)),
    checksum: view.checksum,
    timestamp: toSeconds(view.time)
  })
}

/** Sent instead of trades a subscriber was owed past its tail: how many were dropped, and the newest ones. */
export function tradesResyncText (symbol: string, dropped: number, recent: readonly unknown[], now: number): string {
  return JSON.stringify({ type: 'resync', channel: 'trades', symbol, reason: 'dropped', dropped, trades: recent, timestamp: toSeconds(now) })
}
