/**
 * An l3 consumer as a client would write one, independent of the server's
 * code: it applies a snapshot, then each delta's events in order (add at the
 * back of its level, change in place, delete), checks every message's
 * prev_seq against the seq it holds and every message's checksum against
 * the CRC-32 it computes on its own book, and records every problem.
 */
import { crc32 } from 'node:zlib'
import type { Subscriber } from '../../src/gateway/subscriber.js'
import type { MatchingEngine } from '../../src/engine/index.js'

type Row = [string, string, string]
/** One side: price → (order id → quantity), both maps in insertion order = queue order. */
type Side = Map<string, Map<string, string>>

export class L3Client implements Subscriber {
  readonly texts: string[] = []
  readonly problems: string[] = []
  seq: number | null = null
  private bids: Side = new Map()
  private asks: Side = new Map()
  private readonly symbol: string

  constructor (symbol: string) {
    this.symbol = symbol
  }

  get messages (): Array<Record<string, any>> {
    return this.texts.map((text) => JSON.parse(text))
  }

  send (text: string): void {
    this.texts.push(text)
    const m = JSON.parse(text)
    if (m.symbol !== this.symbol) this.problems.push(`message of ${m.symbol}`)
    if ((m.type === 'l3_update' && m.kind === 'snapshot') || (m.type === 'resync' && m.channel === 'l3')) {
      this.bids = fromRows(m.bids)
      this.asks = fromRows(m.asks)
    } else if (m.type === 'l3_update' && m.kind === 'delta') {
      if (this.seq === null) this.problems.push(`delta ${m.seq} before any snapshot`)
      else if (m.prev_seq !== this.seq) this.problems.push(`gap: held ${this.seq}, delta ${m.prev_seq} → ${m.seq}`)
      if (!(m.seq > m.prev_seq)) this.problems.push(`seq ${m.seq} not after prev_seq ${m.prev_seq}`)
      for (const e of m.events) this.apply(e)
    } else {
      this.problems.push(`unexpected message ${text.slice(0, 80)}`)
      return
    }
    this.seq = m.seq
    const own = crc32(checksumText(this.book())) >>> 0
    if (own !== m.checksum) this.problems.push(`checksum at seq ${m.seq}: message ${m.checksum}, book ${own}`)
  }

  /** The book it holds: [order_id, price, quantity] rows, levels best first, queue order within. */
  book (): { bids: Row[], asks: Row[] } {
    return { bids: rowsOf(this.bids, true), asks: rowsOf(this.asks, false) }
  }

  private apply (e: { action: string, order_id: string, side: string, price: string, quantity: string }): void {
    const side = e.side === 'buy' ? this.bids : this.asks
    const level = side.get(e.price)
    if (e.action === 'add') {
      if (this.has(e.order_id)) this.problems.push(`add of ${e.order_id}, which it holds`)
      if (e.quantity === '0') this.problems.push(`add of ${e.order_id} with 0`)
      if (level === undefined) side.set(e.price, new Map([[e.order_id, e.quantity]]))
      else level.set(e.order_id, e.quantity)
      return
    }
    if (level?.has(e.order_id) !== true) {
      this.problems.push(`${e.action} of ${e.order_id} at ${e.side} ${e.price}, which it does not hold there`)
      return
    }
    if (e.action === 'change') {
      if (e.quantity === '0' || level.get(e.order_id) === e.quantity) this.problems.push(`change of ${e.order_id} to ${e.quantity}`)
      level.set(e.order_id, e.quantity)
    } else if (e.action === 'delete') {
      if (e.quantity !== '0') this.problems.push(`delete of ${e.order_id} with ${e.quantity}`)
      level.delete(e.order_id)
      if (level.size === 0) side.delete(e.price)
    } else {
      this.problems.push(`unknown action ${e.action}`)
    }
  }

  private has (id: string): boolean {
    for (const side of [this.bids, this.asks]) for (const level of side.values()) if (level.has(id)) return true
    return false
  }
}

function fromRows (rows: Row[]): Side {
  const side: Side = new Map()
  for (const [id, price, quantity] of rows) {
    let level = side.get(price)
    if (level === undefined) side.set(price, level = new Map())
    level.set(id, quantity)
  }
  return side
}

function rowsOf (side: Side, descending: boolean): Row[] {
  const prices = [...side.keys()].sort((a, b) => descending ? Number(b) - Number(a) : Number(a) - Number(b))
  return prices.flatMap((price) => [...(side.get(price) as Map<string, string>)].map(([id, q]): Row => [id, price, q]))
}

/** The contract's l3 checksum text, written here from the contract, not from the server's code. */
export function checksumText (book: { bids: Row[], asks: Row[] }): string {
  const side = (rows: Row[]) => {
    const prices = [...new Set(rows.map((r) => r[1]))].slice(0, 10)
    return rows.filter((r) => prices.includes(r[1])).map(([id, price, q]) => `${id}:${price}:${q}`).join(',')
  }
  return side(book.bids) + '|' + side(book.asks)
}

/** The engine's book read directly, in the same rows. */
export function engineRows (engine: MatchingEngine, symbol: string): { bids: Row[], asks: Row[] } {
  const book = engine.book(symbol)!
  const { tick, lot } = book.spec
  const side = (s: typeof book.bids) => {
    const rows: Row[] = []
    for (const level of s.bestFirst()) {
      for (let o = level.head; o !== null; o = o.next) rows.push([o.id, tick.format(level.priceTicks), lot.format(o.visibleLots)])
    }
    return rows
  }
  return { bids: side(book.bids), asks: side(book.asks) }
}
