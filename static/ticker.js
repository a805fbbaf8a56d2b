// The ticker header of the shown symbol: last price, 24 h change, high, low
// and volume, from GET /ticker/:symbol and then the 'ticker' channel. A
// server without them answers 404: the header then shows dashes and the
// page does not subscribe (no error for a channel it does not know).
/* global console */
import { $ } from './ui.js'
import { getJson } from './api.js'
import { fmtPrice, fmtQty } from './format.js'

// symbol(): the shown symbol; format(): { price, qty } decimals for it;
// send(msg): a WebSocket message (null when the socket is closed).
export function createTicker ({ symbol, format, send }) {
  let available = null // null: not known yet; true/false once GET /ticker answered

  function render (t) {
    const f = format()
    $('tk-symbol').textContent = symbol()
    $('tk-last').textContent = fmtPrice(t?.last_price ?? null, f.price)
    $('tk-high').textContent = fmtPrice(t?.high_24h ?? null, f.price)
    $('tk-low').textContent = fmtPrice(t?.low_24h ?? null, f.price)
    $('tk-volume').textContent = fmtQty(t?.volume_24h ?? null, f.qty)
    $('tk-quote-volume').textContent = fmtPrice(t?.quote_volume_24h ?? null, 2)
    const change = $('tk-change')
    const pct = t?.change_percent_24h
    const abs = t?.change_24h
    if (abs === null || abs === undefined) {
      change.textContent = '--'
      change.className = 'ticker-value'
    } else {
      const up = !String(abs).startsWith('-')
      const sign = up && Number(abs) !== 0 ? '+' : ''
      change.textContent = `${sign}${fmtPrice(abs, f.price)} (${sign}${pct ?? '0'}%)`
      change.className = `ticker-value ${Number(abs) === 0 ? '' : up ? 'up' : 'down'}`
    }
  }

  // On load and on every symbol switch.
  async function load () {
    const s = symbol()
    render(null)
    try {
      const { ok, status, body } = await getJson(`/ticker/${encodeURIComponent(s)}`)
      if (s !== symbol()) return
      const first = available === null
      available = ok || status !== 404
      $('ticker-bar').dataset.available = String(available)
      if (ok) render(body)
      // Found out just now: the feed was subscribed without it.
      if (first && available) subscribe()
    } catch (err) {
      console.warn('GET /ticker failed', err)
    }
  }

  // On reconnect (the subscriptions are gone) and on a symbol switch.
  function subscribe () {
    if (available) send({ type: 'subscribe', channel: 'ticker', symbol: symbol() })
  }

  function unsubscribe (s) {
    if (available) send({ type: 'unsubscribe', channel: 'ticker', symbol: s })
  }

  function onMessage (msg) {
    if (msg.symbol === symbol()) render(msg)
  }

  return { load, subscribe, unsubscribe, onMessage }
}
