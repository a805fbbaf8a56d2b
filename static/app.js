// Trading page: wires the WebSocket feed (book, trades, ticker, candles; the
// account's own order events and fills once signed in) and the REST order
// and cancel forms to the DOM. No build step; the one third-party module
// (the candle chart's library) is served by this app.
/* global window, document, console, requestAnimationFrame, setTimeout */
import { Connection, STATUS } from './connection.js'
import { OrderBook } from './book.js'
import { createBookFeed } from './book-feed.js'
import { DepthChart } from './depth-chart.js'
import { canon, fractionDigits } from './format.js'
import { $, toast } from './ui.js'
import { getJson } from './api.js'
import { setupForms, setSide, preview } from './forms.js'
import { renderFilters } from './order-preview.js'
import { Identity } from './identity.js'
import { Account } from './account.js'
import { setupSignIn, renderSignIn } from './sign-in.js'
import { createTape } from './tape.js'
import { createTicker } from './ticker.js'
import { createCandles } from './candles.js'
import { createOrderNotices } from './order-notices.js'
import { setupTabs } from './tabs.js'
import { renderBook, renderBbo, bboFromBook } from './view.js'

const DEFAULT_SYMBOL = 'BTC-USDT'
const DEFAULT_TICK = '0.01'
const DEFAULT_LOT = '0.00000001'
// Public, per symbol. The account's 'orders' and 'fills' (all symbols) are identity.js's;
// ticker and candles subscribe themselves once the server is known to have them.
const SYMBOL_CHANNELS = ['l2_updates', 'trades']
const CHART_LEVELS = 100 // per side; the table shows fewer

const state = {
  symbol: DEFAULT_SYMBOL,
  symbols: [DEFAULT_SYMBOL],
  info: {}, // symbol -> its GET /symbols entry (tick_size, lot_size, filters)
  status: STATUS.DISCONNECTED,
  sessionId: null,
  latencyMs: null,
  orderCount: 0,
  tradeCount: 0,
  book: new OrderBook(DEFAULT_SYMBOL),
  subscriptions: new Set(),
  myOrders: new Map(), // order_id -> symbol, for cancel
  lastOrderId: null
}

// Decimals of a symbol's prices (tick) and sizes (lot): everything shown is padded to them.
const format = (symbol = state.symbol) => ({
  price: fractionDigits(canon(state.info[symbol]?.tick_size ?? DEFAULT_TICK)),
  qty: fractionDigits(canon(state.info[symbol]?.lot_size ?? DEFAULT_LOT))
})
const send = (msg) => conn.send(msg)

const chart = new DepthChart($('depth-chart'))
const conn = new Connection({
  onMessage,
  onStatus: renderStatus,
  onLatency: (ms) => {
    state.latencyMs = ms
    $('latency').textContent = `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
  }
})

const notices = createOrderNotices({ format })
const account = new Account({ told: notices.told, format })
const feed = createBookFeed({
  getBook: () => state.book,
  resubscribe: () => {
    send({ type: 'unsubscribe', channel: 'l2_updates', symbol: state.symbol })
    send({ type: 'subscribe', channel: 'l2_updates', symbol: state.symbol })
  },
  onChange: () => scheduleRender()
})
const tape = createTape({
  symbol: () => state.symbol,
  format: () => format(),
  onCount: (n) => {
    state.tradeCount = n
    renderCounts()
  }
})
const ticker = createTicker({ symbol: () => state.symbol, format: () => format(), send })
const candles = createCandles({ symbol: () => state.symbol, tick: () => state.info[state.symbol]?.tick_size ?? DEFAULT_TICK, send })
const identity = new Identity({
  conn,
  onStatus: (status) => renderSignIn(status, identity.credentials !== null),
  onPrivate: (ready) => account.setReady(ready)
})

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
      feed.onL2(msg)
      break
    case 'resync':
      if (msg.channel === 'l2_updates') feed.onL2(msg)
      else if (msg.channel === 'trades') tape.add(msg.trades)
      break
    case 'heartbeat':
      feed.onHeartbeat(msg)
      break
    case 'trade':
      if (msg.symbol === undefined || msg.symbol === state.symbol) tape.add(msg.data)
      break
    case 'ticker':
      ticker.onMessage(msg)
      break
    case 'candle':
      candles.onMessage(msg)
      break
    case 'order_event': {
      const events = Array.isArray(msg.data) ? msg.data : [msg.data]
      for (const ev of events) {
        account.onOrderEvent(ev)
        notices.onOrderEvent(ev)
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

function subscribeSymbol (symbol) {
  for (const channel of SYMBOL_CHANNELS) send({ type: 'subscribe', channel, symbol })
  ticker.subscribe()
  candles.subscribe()
}

function unsubscribeSymbol (symbol) {
  for (const channel of SYMBOL_CHANNELS) send({ type: 'unsubscribe', channel, symbol })
  ticker.unsubscribe(symbol)
  candles.unsubscribe(symbol)
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
  const f = format()
  renderBook(state.book, f)
  chart.update(state.book.levels('bids', CHART_LEVELS), state.book.levels('asks', CHART_LEVELS), { priceDecimals: f.price })
  if (state.book.ready) renderBbo(bboFromBook(state.book), f.price)
  renderBookStatus()
  preview()
}

function renderBookStatus () {
  const el = $('book-status')
  el.dataset.seq = String(state.book.seq ?? '')
  if (state.book.ready) {
    el.textContent = 'Live'
    el.title = `seq ${state.book.seq}`
    el.className = 'book-status live'
  } else {
    el.textContent = state.status === STATUS.CONNECTED ? 'Syncing…' : 'Offline: last known values'
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
  const offline = status !== STATUS.CONNECTED
  // Offline: the last values stay, greyed (CSS), the forms are disabled and a banner says why.
  document.body.classList.toggle('offline', offline)
  $('offline-banner').hidden = !offline
  $('offline-banner').textContent = status === STATUS.RECONNECTING
    ? 'Connection lost: reconnecting… Prices and orders shown are the last known and may be stale.'
    : 'Disconnected. Prices and orders shown are the last known and may be stale.'
  for (const id of ['order-fieldset', 'cancel-fieldset']) $(id).disabled = offline
  if (offline) {
    $('latency').textContent = '-- ms'
    state.subscriptions.clear()
    // The feed is gone: the book comes back as a fresh snapshot, shown until then as it was.
    state.book.ready = false
  }
  renderBookStatus()
}

function renderCounts () {
  $('order-count').textContent = String(state.orderCount)
  $('trade-count').textContent = String(state.tradeCount)
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
    if (typeof s === 'object') state.info[name] = s
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
  $('symbol').value = symbol
  $('current-symbol').textContent = symbol
  renderMarket()
  renderBbo({}, format().price)
  tape.clear()
  if (!fresh) subscribeSymbol(symbol)
  loadMarket()
}

// What REST gives for the shown symbol: on load and on every switch.
function loadMarket () {
  refreshBbo()
  tape.load()
  ticker.load()
  candles.load()
  renderFilters(state.symbol, state.info[state.symbol] ?? null)
  setSide($('side').value)
}

async function loadSymbols () {
  try {
    const { ok, body } = await getJson('/symbols')
    if (!ok || !Array.isArray(body.symbols)) return
    // Objects carry tick sizes; plain names may have them in symbol_info.
    const info = body.symbol_info ?? {}
    setSymbols(body.symbols.map((s) => (typeof s === 'string' && info[s] ? { symbol: s, ...info[s] } : s)))
    renderFilters(state.symbol, state.info[state.symbol] ?? null)
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
    renderBbo({ bestBid: body.best_bid, bestAsk: body.best_ask, spread: body.spread, mid: body.mid_price }, format().price)
  } catch (err) {
    console.warn('GET /bbo failed', err)
  }
}

// ---- start -----------------------------------------------------------------------

function onOrderAccepted (body) {
  state.orderCount++
  renderCounts()
  state.myOrders.set(body.order_id, body.symbol)
  state.lastOrderId = body.order_id
  notices.told(body)
  // The feed delivers these too; the tape drops the duplicates.
  if (body.symbol === state.symbol) tape.add(body.trades)
}

function init () {
  setupForms({
    currentSymbol: () => state.symbol,
    symbolOfOrder: (id) => state.myOrders.get(id),
    onAccepted: onOrderAccepted,
    onCancelled: (orderId) => notices.told({ order_id: orderId, status: 'cancelled', filled_quantity: '' }),
    filters: () => state.info[state.symbol] ?? null,
    best: () => ({ bid: state.book.best('bids'), ask: state.book.best('asks') }),
    lotDecimals: () => format().qty,
    whyNot: () => identity.mode === 'required' && identity.credentials === null
      ? 'Sign in with an API key first (Account panel below).'
      : null
  })
  setupSignIn(identity)
  account.setup()
  identity.start()
  $('symbol').addEventListener('change', (e) => switchSymbol(e.target.value))
  $('clear-trades').addEventListener('click', () => tape.clear())
  $('depth-zoom-in').addEventListener('click', () => chart.zoomBy(1.5))
  $('depth-zoom-out').addEventListener('click', () => chart.zoomBy(1 / 1.5))
  $('depth-zoom-reset').addEventListener('click', () => chart.resetZoom())
  setupTabs()
  window.addEventListener('beforeunload', () => conn.stop())

  $('symbol').value = state.symbol
  $('current-symbol').textContent = state.symbol
  renderStatus(STATUS.DISCONNECTED)
  renderCounts()
  renderBbo({}, format().price)
  tape.clear()
  loadSymbols()
  loadMarket()
  conn.start()
}

window.__page = { state, conn, chart, identity, account, tape, candles }
init()
