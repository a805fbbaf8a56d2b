// The trade tape of the shown symbol: filled from GET /trades on load and on
// every symbol switch (newest first on the wire), then kept current by the
// 'trades' channel. A trade id seen twice (REST and feed both carry it) is
// shown once. A server without GET /trades leaves the tape to the feed.
/* global console */
import { getJson } from './api.js'
import { MAX_TRADES, tradeRow, prependTrades, clearTradeFeed } from './view.js'

const RECENT = 100

// symbol(): the shown symbol; format(): { price, qty } decimals for it;
// onCount(n): how many trades this page has shown since it loaded.
export function createTape ({ symbol, format, onCount = () => {} }) {
  let trades = [] // newest first
  let seen = new Set()
  let count = 0
  let generation = 0

  function add (list) {
    if (!Array.isArray(list)) return
    const rows = []
    for (const t of list) {
      if (!t || t.symbol !== symbol()) continue
      const id = String(t.trade_id)
      if (seen.has(id)) continue
      seen.add(id)
      if (seen.size > 5 * MAX_TRADES) seen.delete(seen.values().next().value)
      trades.unshift(t)
      count++
      rows.push(tradeRow(t, format()))
    }
    if (!rows.length) return
    trades.length = Math.min(trades.length, MAX_TRADES)
    prependTrades(rows)
    onCount(count)
  }

  function clear () {
    generation++
    trades = []
    seen = new Set()
    clearTradeFeed()
  }

  // Recent trades of the shown symbol; the feed's may already be in (dropped as seen).
  async function load () {
    const gen = generation
    const s = symbol()
    try {
      const { ok, body } = await getJson(`/trades/${encodeURIComponent(s)}?limit=${RECENT}`)
      if (!ok || gen !== generation || !Array.isArray(body.trades)) return
      // Trades from the feed may have come first: merge, newest first, and redraw.
      const fresh = body.trades.filter((t) => t && t.symbol === s && !seen.has(String(t.trade_id)))
      for (const t of fresh) seen.add(String(t.trade_id))
      trades = [...trades, ...fresh]
        .sort((a, b) => Number(b.timestamp) - Number(a.timestamp))
        .slice(0, MAX_TRADES)
      count += fresh.length
      clearTradeFeed()
      if (trades.length) prependTrades([...trades].reverse().map((t) => tradeRow(t, format(), false)))
      onCount(count)
    } catch (err) {
      console.warn('GET /trades failed', err)
    }
  }

  return { add, clear, load, get trades () { return trades } }
}
