// L2 order book for one symbol, built from a snapshot plus sequenced deltas.
// Levels are keyed by the canonical price string; sorting and running totals
// use Number() because they are for display only. A delta applies to the
// state its prev_seq names (seqs are not consecutive); a server without
// prev_seq numbers its deltas one by one.
import { canon } from './format.js'
import { bookChecksum, CHECKSUM_LEVELS } from './crc32.js'

export const DELTA = Object.freeze({
  APPLIED: 'applied',
  STALE: 'stale', // seq <= last applied: a duplicate or pre-snapshot delta
  GAP: 'gap', // seq skipped: the book is no longer trustworthy
  NOT_READY: 'not-ready' // no snapshot yet (or waiting for a fresh one)
})

export class OrderBook {
  constructor (symbol) {
    this.symbol = symbol
    this.reset()
  }

  reset () {
    this.bids = new Map()
    this.asks = new Map()
    this.seq = null
    this.ready = false
    this.updatedAt = null
    this.version = 0
    this._sorted = { bids: null, asks: null }
  }

  applySnapshot (msg) {
    this.reset()
    setLevels(this.bids, msg.bids)
    setLevels(this.asks, msg.asks)
    this.seq = Number(msg.seq)
    this.ready = true
    this._touch(msg.timestamp)
  }

  applyDelta (msg) {
    if (!this.ready) return DELTA.NOT_READY
    const seq = Number(msg.seq)
    if (seq <= this.seq) return DELTA.STALE
    // The README's rule: a delta applies to the seq held or an earlier one (a merged delta that began
    // before the snapshot); a prev_seq past the held seq is a gap. Servers without prev_seq: seq + 1.
    const gap = msg.prev_seq === undefined ? seq - 1 !== this.seq : Number(msg.prev_seq) > this.seq
    if (gap) {
      this.ready = false
      return DELTA.GAP
    }
    setLevels(this.bids, msg.bids)
    setLevels(this.asks, msg.asks)
    this.seq = seq
    this._touch(msg.timestamp)
    return DELTA.APPLIED
  }

  // Best first, with a running total of quantity from the best level out.
  levels (side, limit = Infinity) {
    const key = side === 'bids' ? 'bids' : 'asks'
    if (!this._sorted[key]) {
      const dir = key === 'bids' ? -1 : 1
      this._sorted[key] = [...this[key].values()]
        .sort((a, b) => dir * (a.p - b.p))
    }
    const out = []
    let total = 0
    for (const level of this._sorted[key]) {
      if (out.length >= limit) break
      total += level.q
      out.push({ price: level.price, qty: level.qty, total })
    }
    return out
  }

  // The CRC-32 of the top levels (crc32.js), to compare with a message's checksum.
  checksum () {
    const top = (side) => this.levels(side, CHECKSUM_LEVELS).map((l) => [l.price, l.qty])
    return bookChecksum(top('bids'), top('asks'))
  }

  best (side) {
    const [top] = this.levels(side, 1)
    return top ? top.price : null
  }

  _touch (timestamp) {
    this.updatedAt = Number(timestamp) || Date.now() / 1000
    this.version++
    this._sorted = { bids: null, asks: null }
  }
}

function setLevels (map, levels) {
  if (!Array.isArray(levels)) return
  for (const level of levels) {
    if (!Array.isArray(level) || level.length < 2) continue
    const [price, qty] = level
    const key = canon(price)
    const q = Number(qty)
    if (!(q > 0)) {
      map.delete(key)
    } else {
      map.set(key, { price: String(price), qty: String(qty), p: Number(price), q })
    }
  }
}
