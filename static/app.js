// Trading page: wires the WebSocket feed (book, trades; the account's own
// order events and fills once signed in) and the REST order/cancel forms to
// the DOM. No build step, no third-party code.
/* global window, document, console, requestAnimationFrame, setTimeout */
import { Connection, STATUS } from './connection.js'
import { OrderBook, DELTA } from './book.js'
import { DepthChart } from './depth-chart.js'
import { canon, fractionDigits, fmtPrice, fmtQty, shortId } from './format.js'
import { $, toast } from './ui.js'
import { getJson } from './api.js'
import { setupForms } from './forms.js'
import { Identity } from './identity.js'
import { Account } from './account.js'
import { setupSignIn, renderSignIn } from './sign-in.js'
import {
  MAX_TRADES, renderBook, clearBook, renderBbo, bboFromBook, tradeRow, prependTrades, clearTradeFeed
} from './view.js'

const DEFAULT_SYMBOL = 'BTC-USDT'
const DEFAULT_TICK_DECIMALS = 2
// Public, per symbol. The account's 'orders' and 'fills' (all symbols) are identity.js's.
const SYMBOL_CHANNELS = ['l2_updates', 'trades']
const CHART_LEVELS = 100 // per side; the table shows fewer

const state = {
  symbol: DEFAULT_SYMBOL,
  symbols: [DEFAULT_SYMBOL],
  tickDecimals: {}, // symbol -> price decimals, when the server tells us
  status: STATUS.DISCONNECTED,
  sessionId: null,
  latencyMs: null,
  orderCount: 0,
  tradeCount: 0,
  book: new OrderBook(DEFAULT_SYMBOL),
  trades: [], // newest first, at most MAX_TRADES
  seenTradeIds: new Set(),
  subscriptions: new Set(),
  myOrders: new Map(), // order_id -> symbol, for cancel and event toasts
  unclaimedEvents: new Map(), // order_id -> events seen before our REST reply
  lastOrderId: null,
  resyncs: 0
}

const chart = new DepthChart($('depth-chart'))
const conn = new Connection({
  onMessage,
  onStatus: renderStatus,
  onLatency: (ms) => {
    state.latencyMs = ms
    $('latency').textContent = `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
  }
})

const account = new Account()
const identity = new Identity({
  conn,
  onStatus: (status) => renderSignIn(status, identity.credentials !== null),
  onPrivate: (ready) => account.setReady(ready)
})

const decimals = (symbol = state.symbol) => state.tickDecimals[symbol] ?? DEFAULT_TICK_DECIMALS

// ---- WebSocket messages ---------------------------------------------------

function onMessage (msg) {
  switch (msg.type) {
    case 'connected':
      // First message on every (re)connect: the server is ready, and we know
      // its symbols, so this is where the subscriptions are (re)made.
      state.sessionId = msg.session_id ?? null
      if (Array.isArray(msg.symbols)) setSymbols(msg.symbols, { fresh: true })
      subscribeSymbol(state.symbol)
      identity.onConnected(msg)
      break
    case 'authenticated':
      identity.onAuthenticated(msg)
      break
    case 'fill':
      account.onFill(msg)
      break
    case 'subscribed':
    case 'unsubscribed': {
      const key = `${msg.channel}:${msg.symbol ?? '*'}`
      if (msg.type === 'subscribed') state.subscriptions.add(key)
      else state.subscriptions.delete(key)
      identity.onSubscribed(msg)
      break
    }
    case 'l2_update':
      onL2(msg)
      break
    case 'trade':
      if (msg.symbol === undefined || msg.symbol === state.symbol) addTrades(msg.data)
      break
    case 'order_event': {
      const events = Array.isArray(msg.data) ? msg.data : [msg.data]
      for (const ev of events) {
        account.onOrderEvent(ev)
        onOrderEvent(ev)
      }
      break
    }
    case 'error':
      if (identity.handleError(msg)) break
      console.warn('server error', msg)
      toast(`Server: ${msg.message ?? 'error'}${msg.code ? ` [${msg.code}]` : ''}`, 'error')
      break
    default:
      break // pong is handled by the connection; ignore anything new
  }
}

function onL2 (msg) {
  if (msg.symbol !== state.symbol) return // late message for a symbol we left
  const { book } = state
  if (msg.kind === 'snapshot') {
    book.applySnapshot(msg)
    renderBookStatus()
    scheduleRender()
    return
  }
  const result = book.applyDelta(msg)
  if (result === DELTA.APPLIED) scheduleRender()
  else if (result === DELTA.GAP) resync(`expected seq ${book.seq + 1}, got ${msg.seq}`)
}

// A missed delta makes the book unreliable: drop it and ask for a new snapshot.
function resync (reason) {
  state.resyncs++
  console.warn(`l2 gap on ${state.symbol}: ${reason}; resubscribing`)
  state.book.reset()
  renderBookStatus()
  conn.send({ type: 'unsubscribe', channel: 'l2_updates', symbol: state.symbol })
  conn.send({ type: 'subscribe', channel: 'l2_updates', symbol: state.symbol })
}

function subscribeSymbol (symbol) {
  for (const channel of SYMBOL_CHANNELS) conn.send({ type: 'subscribe', channel, symbol })
}

function unsubscribeSymbol (symbol) {
  for (const channel of SYMBOL_CHANNELS) conn.send({ type: 'unsubscribe', channel, symbol })
}

// ---- rendering -------------------------------------------------------------

let renderQueued = false

// Coalesce bursts of deltas into one DOM update per frame.
function scheduleRender () {
  if (renderQueued) return
  renderQueued = true
  const run = () => {
    renderQueued = false
    renderMarket()
  }
  if (document.visibilityState === 'visible') requestAnimationFrame(run)
  else setTimeout(run, 100)
}

function renderMarket () {
  const d = decimals()
  renderBook(state.book, d)
  chart.update(state.book.levels('bids', CHART_LEVELS), state.book.levels('asks', CHART_LEVELS), { priceDecimals: d })
  if (state.book.ready) renderBbo(bboFromBook(state.book), d)
  renderBookStatus()
}

function renderBookStatus () {
  const el = $('book-status')
  if (state.book.ready) {
    el.textContent = `seq ${state.book.seq}`
    el.className = 'book-status live'
  } else {
    el.textContent = state.status === STATUS.CONNECTED ? 'syncing…' : 'offline'
    el.className = 'book-status stale'
  }
}

function renderStatus (status) {
  state.status = status
  const el = $('conn-status')
  el.textContent = status === STATUS.CONNECTED
    ? 'Connected'
    : status === STATUS.RECONNECTING ? 'Reconnecting…' : 'Disconnected'
  el.className = `status-value status-${status}`
  if (status !== STATUS.CONNECTED) {
    $('latency').textContent = '-- ms'
    state.subscriptions.clear()
    // The feed is gone: the book will come back as a fresh snapshot.
    state.book.reset()
    clearBook()
    chart.update([], [])
  }
  renderBookStatus()
}

function renderCounts () {
  $('order-count').textContent = String(state.orderCount)
  $('trade-count').textContent = String(state.tradeCount)
}

// ---- trades and order events ----------------------------------------------

function addTrades (trades) {
  if (!Array.isArray(trades)) return
  const rows = []
  for (const t of trades) {
    if (!t || t.symbol !== state.symbol) continue
    const id = String(t.trade_id)
    if (state.seenTradeIds.has(id)) continue // REST reply and feed both carry it
    state.seenTradeIds.add(id)
    if (state.seenTradeIds.size > 5 * MAX_TRADES) {
      state.seenTradeIds.delete(state.seenTradeIds.values().next().value)
    }
    state.trades.unshift(t)
    state.tradeCount++
    rows.push(tradeRow(t, decimals(t.symbol)))
  }
  if (!rows.length) return
  state.trades.length = Math.min(state.trades.length, MAX_TRADES)
  prependTrades(rows)
  renderCounts()
}

const EVENT_TOAST = {
  filled: 'success',
  partially_filled: 'success',
  resting: 'info',
  cancelled: 'warn',
  rejected: 'error',
  // Issue 12's lifecycle: stops wait and trigger, GTD orders expire, amends and iceberg refreshes.
  untriggered: 'info',
  triggered: 'info',
  expired: 'warn',
  amended: 'info',
  refreshed: 'info'
}

function onOrderEvent (ev) {
  if (!ev || !ev.order_id) return
  if (!state.myOrders.has(ev.order_id)) {
    // The event may beat the REST reply for our own order: keep it briefly.
    const list = state.unclaimedEvents.get(ev.order_id) ?? []
    list.push(ev)
    state.unclaimedEvents.set(ev.order_id, list)
    if (state.unclaimedEvents.size > 200) {
      state.unclaimedEvents.delete(state.unclaimedEvents.keys().next().value)
    }
    return
  }
  const what = String(ev.event_type ?? 'update').replace('_', ' ')
  const px = ev.price ? ` @ ${fmtPrice(ev.price, decimals(ev.symbol))}` : ''
  toast(`${what}: ${ev.side} ${fmtQty(ev.filled_quantity)}/${fmtQty(ev.quantity)} ${ev.symbol}${px} (${shortId(ev.order_id)})`,
    EVENT_TOAST[ev.event_type] ?? 'info')
}

function claimOrder (orderId, symbol) {
  state.myOrders.set(orderId, symbol)
  state.lastOrderId = orderId
  const early = state.unclaimedEvents.get(orderId)
  state.unclaimedEvents.delete(orderId)
  if (early) early.forEach(onOrderEvent)
}

// ---- symbols ------------------------------------------------------------------

// fresh: a new connection with no subscriptions yet, so switching symbol
// must not (un)subscribe; the caller subscribes afterwards.
function setSymbols (list, { fresh = false } = {}) {
  const names = []
  for (const s of list) {
    const name = typeof s === 'string' ? s : s?.symbol
    if (!name) continue
    names.push(name)
    const tick = typeof s === 'object' ? (s.tick_size ?? s.price_tick ?? s.filters?.tick_size) : undefined
    if (tick !== undefined) state.tickDecimals[name] = fractionDigits(canon(tick))
  }
  if (!names.length) return
  if (names.join() !== state.symbols.join()) {
    state.symbols = names
    const select = $('symbol')
    select.replaceChildren(...names.map((n) => new window.Option(n, n)))
  }
  if (!names.includes(state.symbol)) switchSymbol(names[0], { fresh })
  else $('symbol').value = state.symbol
}

function switchSymbol (symbol, { fresh = false } = {}) {
  if (symbol === state.symbol) return
  if (!fresh) unsubscribeSymbol(state.symbol)
  state.symbol = symbol
  state.book = new OrderBook(symbol)
  state.trades = []
  $('symbol').value = symbol
  $('current-symbol').textContent = symbol
  clearBook()
  chart.update([], [])
  renderBbo({}, decimals())
  clearTradeFeed()
  renderBookStatus()
  if (!fresh) subscribeSymbol(symbol)
  refreshBbo()
}

async function loadSymbols () {
  try {
    const { ok, body } = await getJson('/symbols')
    if (!ok || !Array.isArray(body.symbols)) return
    // Objects carry tick sizes; plain names may have them in symbol_info.
    const info = body.symbol_info ?? {}
    setSymbols(body.symbols.map((s) => (typeof s === 'string' && info[s] ? { symbol: s, ...info[s] } : s)))
    scheduleRender()
  } catch (err) {
    console.warn('GET /symbols failed', err)
  }
}

// Only used while there is no live book (before the snapshot arrives).
async function refreshBbo () {
  const symbol = state.symbol
  try {
    const { ok, body } = await getJson(`/bbo/${encodeURIComponent(symbol)}`)
    if (!ok || symbol !== state.symbol || state.book.ready) return
    renderBbo({ bestBid: body.best_bid, bestAsk: body.best_ask, spread: body.spread, mid: body.mid_price }, decimals())
  } catch (err) {
    console.warn('GET /bbo failed', err)
  }
}

// ---- start -----------------------------------------------------------------------

function onOrderAccepted (body) {
  state.orderCount++
  renderCounts()
  claimOrder(body.order_id, body.symbol)
  // The feed delivers these too; addTrades drops the duplicates.
  if (body.symbol === state.symbol) addTrades(body.trades)
}

function init () {
  setupForms({
    currentSymbol: () => state.symbol,
    symbolOfOrder: (id) => state.myOrders.get(id),
    onAccepted: onOrderAccepted,
    whyNot: () => identity.mode === 'required' && identity.credentials === null
      ? 'Sign in with an API key first (Account panel below).'
      : null
  })
  setupSignIn(identity)
  account.setup()
  identity.start()
  $('symbol').addEventListener('change', (e) => switchSymbol(e.target.value))
  $('clear-trades').addEventListener('click', () => {
    state.trades = []
    clearTradeFeed()
  })
  window.addEventListener('beforeunload', () => conn.stop())

  $('symbol').value = state.symbol
  $('current-symbol').textContent = state.symbol
  renderStatus(STATUS.DISCONNECTED)
  renderCounts()
  renderBbo({}, decimals())
  clearTradeFeed()
  loadSymbols()
  refreshBbo()
  conn.start()
}

window.__page = { state, conn, chart, identity, account }
init()
