// Order entry and cancel forms (REST, signed by api.js when the tab holds a
// key). The page owns state; this module gets
// what it needs through the hooks passed to setupForms.
import { fmtQty, statusWords } from './format.js'
import { $, showAlert, hideAlert, setBusy } from './ui.js'
import { postJson, describeError } from './api.js'
import { renderPreview, confirmMarket } from './order-preview.js'

const DECIMAL_INPUT = /^\d+(\.\d+)?$/

let hooks = {
  currentSymbol: () => 'BTC-USDT',
  symbolOfOrder: () => undefined, // order_id -> symbol it was sent on
  onAccepted: () => {}, // called with the 200 body of POST /order
  onCancelled: () => {}, // called with the order id a cancel succeeded for
  whyNot: () => null, // a reason the page cannot trade now (not signed in), or null
  filters: () => null, // the current symbol's filters (GET /symbols), or null
  best: () => ({ bid: null, ask: null }), // best prices of the shown book
  lotDecimals: () => 0
}

// The side buttons set the hidden #side input and colour the submit button.
export function setSide (side) {
  $('side').value = side
  for (const s of ['buy', 'sell']) $(`side-${s}`).setAttribute('aria-pressed', String(s === side))
  const submit = $('submitBtn')
  submit.classList.toggle('btn-buy', side === 'buy')
  submit.classList.toggle('btn-sell', side === 'sell')
  $('submit-label').textContent = `${side === 'buy' ? 'Buy' : 'Sell'} ${hooks.currentSymbol()}`
  preview()
}

// The notional line under the form, redrawn as the inputs or the book change.
export function preview () {
  const { order } = buildOrder(hooks.currentSymbol(), { loose: true })
  renderPreview(order, hooks.best(), hooks.filters())
}

export function setupForms (h) {
  hooks = { ...hooks, ...h }
  $('order-form').addEventListener('submit', submitOrder)
  $('cancel-form').addEventListener('submit', cancelOrder)
  $('order_type').addEventListener('change', syncOrderInputs)
  $('time_in_force').addEventListener('change', syncOrderInputs)
  $('side-buy').addEventListener('click', () => setSide('buy'))
  $('side-sell').addEventListener('click', () => setSide('sell'))
  $('order-form').addEventListener('input', preview)
  // Clicking a book level pre-fills an order that would take it.
  for (const id of ['asks', 'bids']) {
    $(id).addEventListener('click', (e) => {
      const row = e.target.closest('.book-row')
      if (!row) return
      $('price').value = row.dataset.price
      if (!TYPES[$('order_type').value].price) $('order_type').value = 'limit'
      syncOrderInputs()
      setSide(row.classList.contains('ask') ? 'buy' : 'sell')
      hideAlert()
    })
  }
  syncOrderInputs()
  setSide($('side').value)
}

function refused () {
  const reason = hooks.whyNot()
  if (reason !== null) showAlert(reason, 'error')
  return reason !== null
}

// What each order type takes (the server's rules; it checks them again):
// tifs are the time-in-force values it accepts, the first being its default
// (ioc and fok carry theirs in the type, so the select is hidden for them).
const TYPES = {
  limit: { price: true, stop: false, tifs: ['gtc', 'ioc', 'fok', 'gtd'] },
  market: { price: false, stop: false, tifs: [], quote: true },
  ioc: { price: true, stop: false, tifs: [] },
  fok: { price: true, stop: false, tifs: [] },
  stop_limit: { price: true, stop: true, tifs: ['gtc', 'ioc', 'fok', 'gtd'] },
  stop_market: { price: false, stop: true, tifs: ['gtc', 'gtd'] }
}
// Post-only and icebergs rest on the book: limit prices that stay there.
const RESTING_TIFS = new Set(['gtc', 'gtd'])

function formState () {
  const orderType = $('order_type').value
  const spec = TYPES[orderType] ?? TYPES.limit
  const tif = spec.tifs.length ? $('time_in_force').value : null
  const rests = spec.price && tif !== null && RESTING_TIFS.has(tif)
  return { orderType, spec, tif, rests }
}

// Shows the inputs the chosen type and time in force use; a hidden or
// disabled input's value is never sent.
function syncOrderInputs () {
  const { orderType, spec } = formState()
  const tifSelect = $('time_in_force')
  for (const option of tifSelect.options) option.disabled = !spec.tifs.includes(option.value)
  if (spec.tifs.length && !spec.tifs.includes(tifSelect.value)) tifSelect.value = spec.tifs[0]
  const { tif, rests } = formState()
  $('tif-group').hidden = spec.tifs.length === 0
  $('expire-group').hidden = tif !== 'gtd'
  $('post-only-group').hidden = !rests
  $('display-group').hidden = !rests
  $('stop-group').hidden = !spec.stop
  $('quote-group').hidden = spec.quote !== true
  const price = $('price')
  price.disabled = !spec.price
  price.placeholder = spec.price ? 'e.g. 30000.00' : `${orderType.replace('_', ' ')} order: no price`
  $('price-group').classList.toggle('disabled', !spec.price)
  preview()
}

const positive = (s) => DECIMAL_INPUT.test(s) && Number(s) > 0

// The order as POST /order wants it, or a message saying what is wrong.
// Fields at their defaults are left out, so a plain limit order is sent
// exactly as before the new types existed. loose: for the preview, the
// fields as typed so far, never an error.
function buildOrder (symbol, { loose = false } = {}) {
  const { orderType, spec, tif, rests } = formState()
  const quantity = $('quantity').value.trim()
  const quote = spec.quote ? $('quote_quantity').value.trim() : ''
  // Decimal strings are sent exactly as typed: no float round trip.
  const order = { symbol, side: $('side').value, order_type: orderType }
  if (loose) {
    if (quote !== '') order.quote_quantity = quote
    else order.quantity = quantity
    if (spec.price && positive($('price').value.trim())) order.price = $('price').value.trim()
    return { order }
  }
  if (quote !== '') {
    if (!positive(quote)) return { error: 'Quote quantity must be a positive decimal, e.g. 1000' }
    if (quantity !== '') return { error: 'Give either a quantity or a quote quantity, not both' }
    order.quote_quantity = quote
  } else {
    if (!positive(quantity)) return { error: 'Quantity must be a positive decimal, e.g. 0.5' }
    order.quantity = quantity
  }
  if (spec.price) {
    const price = $('price').value.trim()
    if (!positive(price)) return { error: `Price is required for ${orderType.replace('_', ' ')} orders` }
    order.price = price
  }
  if (spec.stop) {
    const stop = $('stop_price').value.trim()
    if (!positive(stop)) return { error: 'Stop price is required for stop orders' }
    order.stop_price = stop
  }
  if (tif !== null && tif !== spec.tifs[0]) order.time_in_force = tif
  if (tif === 'gtd') {
    const ms = new Date($('expire_time').value).getTime()
    if (!Number.isFinite(ms)) return { error: 'Expire time is required for GTD orders' }
    order.expire_time = Math.floor(ms) / 1000 // epoch seconds on the wire
  }
  if (rests && $('post_only').checked) order.post_only = true
  const display = rests ? $('display_quantity').value.trim() : ''
  if (display !== '') {
    if (!positive(display)) return { error: 'Display quantity must be a positive decimal' }
    order.display_quantity = display
  }
  const clientOrderId = $('client_order_id').value.trim()
  if (clientOrderId) order.client_order_id = clientOrderId
  return { order }
}

async function submitOrder (e) {
  e.preventDefault()
  if (refused()) return
  const symbol = hooks.currentSymbol()
  const { order, error } = buildOrder(symbol)
  if (error !== undefined) {
    showAlert(error, 'error')
    return
  }
  if (order.order_type === 'market' && !(await confirmMarket(order, hooks.best(), hooks.filters(), hooks.lotDecimals()))) {
    showAlert('Market order not sent', 'info')
    return
  }

  const btn = $('submitBtn')
  setBusy(btn, true)
  try {
    const { ok, status, body } = await postJson('/order', order)
    // The alert next to the form is this action's one notification.
    if (!ok) {
      showAlert(`Order failed: ${describeError(body, status)}`, 'error')
      return
    }
    $('cancel_order_id').value = body.order_id
    $('client_order_id').value = ''
    hooks.onAccepted({ ...body, symbol: body.symbol ?? symbol })
    const ms = body.processing_time_ms !== undefined ? ` in ${Number(body.processing_time_ms).toFixed(2)} ms` : ''
    const lot = hooks.lotDecimals()
    const filled = `${fmtQty(body.filled_quantity, lot)} of ${fmtQty(body.quantity, lot)} filled`
    const type = body.status === 'rejected' ? 'error' : body.status === 'cancelled' || body.status === 'expired' ? 'warn' : 'success'
    const reason = body.cancel_reason ? ` [${body.cancel_reason}]` : ''
    showAlert(`${statusWords(body.status)}: ${body.side} order ${body.order_id} (${filled})${reason}${ms}`, type)
  } catch (err) {
    showAlert(`Network error while sending the order: ${err.message}`, 'error')
  } finally {
    setBusy(btn, false)
  }
}

async function cancelOrder (e) {
  e.preventDefault()
  if (refused()) return
  const orderId = $('cancel_order_id').value.trim()
  if (!orderId) {
    showAlert('Enter an order id to cancel', 'error')
    return
  }
  const symbol = hooks.symbolOfOrder(orderId) ?? hooks.currentSymbol()
  const btn = $('cancelBtn')
  setBusy(btn, true)
  try {
    const { ok, status, body } = await postJson('/cancel', { symbol, order_id: orderId })
    if (ok && body.success) {
      hooks.onCancelled(orderId)
      showAlert(`Order cancelled: ${orderId}`, 'success')
      $('cancel_order_id').value = ''
    } else {
      const text = body?.error_code === 'ORDER_NOT_FOUND'
        ? `order ${orderId} not found on ${symbol} (already filled or cancelled?)`
        : describeError(body, status)
      showAlert(`Cancel failed: ${text}`, 'error')
    }
  } catch (err) {
    showAlert(`Network error while cancelling: ${err.message}`, 'error')
  } finally {
    setBusy(btn, false)
  }
}
