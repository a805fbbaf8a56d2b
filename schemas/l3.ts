/**
 * The `l3` channel's messages (server → client): every resting order by its
 * public order id, as a snapshot, then add / change / delete events in
 * execution order. No account or client ids. Imports only TypeBox.
 */
import { Type, type Static } from '@sinclair/typebox'
import { DecimalString, EpochSeconds } from './common.js'

export const L3_CHANNEL = 'l3'
/** The error code of a subscribe whose snapshot would list more than WS_L3_MAX_ORDERS orders. */
export const L3_TOO_LARGE = 'L3_TOO_LARGE'

const Seq = Type.Integer({ minimum: 0, description: 'the engine command sequence number of the last command this book reflects' })
const Checksum = Type.Integer({
  minimum: 0,
  maximum: 4294967295,
  description: 'CRC-32 of "O1,O2,...|O1,O2,..." over the orders of the best 10 levels per side (bids, then asks; levels best first, ' +
    'orders in queue order), each "order_id:price:quantity", after this message is applied'
})

/** [order_id, price, visible quantity] */
export const L3Order = Type.Tuple([Type.String(), DecimalString, DecimalString])

const BookFields = {
  symbol: Type.String(),
  seq: Seq,
  /** Levels best first (highest bid, lowest ask), orders in queue order within a level. */
  bids: Type.Array(L3Order),
  asks: Type.Array(L3Order),
  checksum: Checksum,
  /** When the newest command this book reflects was taken. */
  timestamp: EpochSeconds
}

export const L3Snapshot = Type.Object({
  type: Type.Literal('l3_update'),
  kind: Type.Literal('snapshot'),
  ...BookFields
})
export type L3Snapshot = Static<typeof L3Snapshot>

export const L3EventAction = Type.Union([Type.Literal('add'), Type.Literal('change'), Type.Literal('delete')], {
  description: 'add: at the back of its level; change: a new visible quantity, same place in the queue; delete: gone (quantity "0")'
})

export const L3Event = Type.Object({
  action: L3EventAction,
  order_id: Type.String(),
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
  price: DecimalString,
  /** The visible quantity (an iceberg's slice); "0" on a delete. */
  quantity: DecimalString
})
export type L3Event = Static<typeof L3Event>

export const L3Delta = Type.Object({
  type: Type.Literal('l3_update'),
  symbol: Type.String(),
  kind: Type.Literal('delta'),
  seq: Seq,
  /** The seq of the book this delta applies to: the previous l3 message's seq. */
  prev_seq: Seq,
  /** In execution order. */
  events: Type.Array(L3Event),
  checksum: Checksum,
  timestamp: EpochSeconds
})
export type L3Delta = Static<typeof L3Delta>

/** A fresh snapshot sent instead of deltas the subscriber could not take: replace your book. */
export const L3Resync = Type.Object({
  type: Type.Literal('resync'),
  channel: Type.Literal(L3_CHANNEL),
  reason: Type.String(),
  ...BookFields
})
export type L3Resync = Static<typeof L3Resync>

export const L3Message = Type.Union([L3Snapshot, L3Delta, L3Resync])
export type L3Message = Static<typeof L3Message>
