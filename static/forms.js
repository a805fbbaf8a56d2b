// Order entry and cancel forms (REST, signed by api.js when the tab holds a
// key). The page owns state; this module gets
// what it needs through the hooks passed to setupForms.
import { fmtQty, shortId } from './format.js'
import { $, toast, showAlert, hideAlert, setBusy } from './ui.js'
import { postJson, describeError } from './api.js'

const DECIMAL_INPUT = /^\d+(\.\d+)?$/

let hooks = {
  currentSymbol: () => 'BTC-USDT',
  symbolOfOrder: () => undefined, // order_id -> symbol it was sent on
  onAccepted: () => {}, // called with the 200 body of POST /order
  whyNot: () => null // a reason the page cannot trade now (not signed in), or null
}

export function setupForms (h) {
  hooks = { ...hooks, ...h }
  $('order-form').addEventListener('submit', submitOrder)
  $('cancel-form').addEventListener('submit', cancelOrder)
  $('order_type').addEventListener('change', syncPriceInput)
  // Clicking a book level pre-fills an order that would take it.
  for (const id of ['asks', 'bids']) {
    $(id).addEventListener('click', (e) => {
      const row = e.target.closest('.book-row')
      if (!row) return
      $('price').value = row.dataset.price
      $('side').value = row.classList.contains('ask') ? 'buy' : 'sell'
      if ($('order_type').value === 'market') $('order_type').value = 'limit'
      syncPriceInput()
      hideAlert()
    })
  }
  syncPriceInput()
}

function refused () {
  const reason = hooks.whyNot()
  if (reason !== null) showAlert(reason, 'error')
  return reason !== null
}

// Market orders carry no price: the input is disabled and its value not sent.
function syncPriceInput () {
  const market = $('order_type').value === 'market'
  const price = $('price')
  price.disabled = market
  price.placeholder = market ? 'market order: no price' : 'e.g. 30000.00'
  $('price-group').classList.toggle('disabled', market)
}

async function submitOrder (e) {
  e.preventDefault()
  if (refused()) return
  const symbol = hooks.currentSymbol()
  const orderType = $('order_type').value
  const quantity = $('quantity').value.trim()
  const price = $('price').value.trim()
  const clientOrderId = $('client_order_id').value.trim()
  if (!DECIMAL_INPUT.test(quantity) || Number(quantity) <= 0) {
    showAlert('Quantity must be a positive decimal, e.g. 0.5', 'error')
    return
  }
  // Decimal strings are sent exactly as typed: no float round trip.
  const order = { symbol, side: $('side').value, order_type: orderType, quantity }
  if (orderType !== 'market') {
    if (!DECIMAL_INPUT.test(price) || Number(price) <= 0) {
      showAlert(`Price is required for ${orderType} orders`, 'error')
      return
    }
    order.price = price
  }
  if (clientOrderId) order.client_order_id = clientOrderId

  const btn = $('submitBtn')
  setBusy(btn, true)
  try {
    const { ok, status, body } = await postJson('/order', order)
    if (!ok) {
      const text = describeError(body, status)
      showAlert(`Order failed: ${text}`, 'error')
      toast(`Order failed: ${text}`, 'error')
      return
    }
    $('cancel_order_id').value = body.order_id
    $('client_order_id').value = ''
    hooks.onAccepted({ ...body, symbol: body.symbol ?? symbol })
    const ms = body.processing_time_ms !== undefined ? ` in ${Number(body.processing_time_ms).toFixed(2)} ms` : ''
    const filled = `${fmtQty(body.filled_quantity)}/${fmtQty(body.quantity)} filled`
    const type = body.status === 'rejected' ? 'error' : body.status === 'cancelled' ? 'warn' : 'success'
    showAlert(`Order ${body.status}: ${body.order_id} (${filled})`, type)
    toast(`Order ${body.status}: ${body.side} ${filled}${ms}`, type)
  } catch (err) {
    showAlert(`Network error: ${err.message}`, 'error')
    toast('Network error while submitting the order', 'error')
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
      showAlert(`Order cancelled: ${orderId}`, 'success')
      toast(`Cancelled ${shortId(orderId)}`, 'success')
      $('cancel_order_id').value = ''
    } else {
      const text = body?.error_code === 'ORDER_NOT_FOUND'
        ? `order ${shortId(orderId)} not found on ${symbol} (already filled or cancelled?)`
        : describeError(body, status)
      showAlert(`Cancel failed: ${text}`, 'error')
      toast(`Cancel failed: ${text}`, 'error')
    }
  } catch (err) {
    showAlert(`Network error: ${err.message}`, 'error')
    toast('Network error while cancelling', 'error')
  } finally {
    setBusy(btn, false)
  }
}
