/**
 * A client's l2 book for hub-level tests, applying messages by the README's
 * rules: a snapshot or an l2 resync replaces the book; a delta whose seq is
 * not past the book's is old and dropped; one whose prev_seq is past the
 * book's seq is a gap (thrown); after every message the book's checksum must
 * be the message's (computed here from the README's string with zlib's
 * CRC-32, independently of the server's code).
 */
import { crc32 } from 'node:zlib'

type Level = [string, string]

export class ClientBook {
  bids = new Map<string, string>()
  asks = new Map<string, string>()
  seq = -1
  applied = 0
  dropped = 0

  apply (m: Record<string, any>): void {
    const l2 = m.type === 'l2_update' || (m.type === 'resync' && m.channel === 'l2_updates')
    if (!l2) return
    if (m.kind === 'snapshot' || m.type === 'resync') {
      this.bids = new Map(m.bids)
      this.asks = new Map(m.asks)
      this.seq = m.seq
    } else {
      if (this.seq < 0) throw new Error('a delta before any snapshot')
      if (m.seq <= this.seq) {
        this.dropped++
        return
      }
      if (m.prev_seq > this.seq) throw new Error(`gap: held ${this.seq}, delta from ${m.prev_seq} to ${m.seq}`)
      this.seq = m.seq
      this.applied++
      for (const [price, qty] of m.bids as Level[]) set(this.bids, price, qty)
      for (const [price, qty] of m.asks as Level[]) set(this.asks, price, qty)
    }
    const mine = checksumOf(this.levels())
    if (mine !== m.checksum) throw new Error(`checksum at seq ${m.seq}: server ${m.checksum}, client ${mine}`)
  }

  applyAll (messages: ReadonlyArray<Record<string, any>>): this {
    for (const m of messages) this.apply(m)
    return this
  }

  levels (): { bids: Level[], asks: Level[] } {
    return {
      bids: [...this.bids].sort((a, b) => Number(b[0]) - Number(a[0])),
      asks: [...this.asks].sort((a, b) => Number(a[0]) - Number(b[0]))
    }
  }
}

/** The README's checksum of a book held as text levels, best first. */
export function checksumOf (book: { bids: Level[], asks: Level[] }): number {
  const side = (levels: Level[]) => levels.slice(0, 10).map(([p, q]) => `${p}:${q}`).join(',')
  return crc32(`${side(book.bids)}|${side(book.asks)}`)
}

function set (side: Map<string, string>, price: string, qty: string): void {
  if (qty === '0') side.delete(price)
  else side.set(price, qty)
}
