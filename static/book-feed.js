// The l2 feed of the shown symbol: snapshots, deltas and resyncs applied to
// the page's OrderBook, each message's checksum checked against the book
// after it (when the server sends one), gaps detected by prev_seq. A gap or
// a mismatch drops the book and asks for a fresh snapshot. What it saw is
// counted in window.__marketData for tests and for the curious.
/* global window, console */
import { DELTA } from './book.js'

export const marketData = {
  messages: 0, // l2 messages received for the shown symbol
  checked: 0, // of which carried a checksum that was compared
  checksumMismatches: 0,
  gaps: 0,
  resyncs: 0, // server-pushed resync messages applied
  resubscribes: 0, // times the page asked for a fresh snapshot
  heartbeats: 0,
  lastHeartbeat: null // { count, at } (at: Date.now())
}
window.__marketData = marketData

// getBook(): the current OrderBook; resubscribe(): ask for a new snapshot;
// onChange(): the book changed (redraw).
export function createBookFeed ({ getBook, resubscribe, onChange }) {
  function verify (msg) {
    if (typeof msg.checksum !== 'number') return true
    marketData.checked++
    const mine = getBook().checksum()
    if (mine === msg.checksum) return true
    marketData.checksumMismatches++
    console.warn(`l2 checksum mismatch on ${msg.symbol} at seq ${msg.seq}: ${mine} != ${msg.checksum}`)
    return false
  }

  function restart (reason) {
    marketData.resubscribes++
    console.warn(`l2 ${reason} on ${getBook().symbol}; asking for a fresh snapshot`)
    getBook().reset()
    resubscribe()
    onChange()
  }

  function onL2 (msg) {
    const book = getBook()
    if (msg.symbol !== book.symbol) return // late message for a symbol we left
    marketData.messages++
    if (msg.type === 'resync' || msg.kind === 'snapshot') {
      if (msg.type === 'resync') marketData.resyncs++
      book.applySnapshot(msg)
      if (!verify(msg)) return restart('checksum mismatch')
      onChange()
      return
    }
    const result = book.applyDelta(msg)
    if (result === DELTA.GAP) {
      marketData.gaps++
      return restart(`gap (held ${book.seq}, delta applies to ${msg.prev_seq ?? Number(msg.seq) - 1})`)
    }
    if (result !== DELTA.APPLIED) return
    if (!verify(msg)) return restart('checksum mismatch')
    onChange()
  }

  function onHeartbeat (msg) {
    marketData.heartbeats++
    marketData.lastHeartbeat = { count: msg.count, at: Date.now() }
  }

  return { onL2, onHeartbeat }
}
