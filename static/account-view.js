// Rendering of the account panels (open orders, fills). Server values go into
// the DOM with textContent only, and decimal strings exactly as received.
/* global document */
import { $ } from './ui.js'
import { fmtPrice, fmtQty, fmtTime, shortId, statusWords } from './format.js'

const NO_FORMAT = () => ({ price: 0, qty: 0 })

function td (text, cls = '') {
  const el = document.createElement('td')
  if (cls) el.className = cls
  el.textContent = text === null || text === undefined ? '' : String(text)
  return el
}

function emptyRow (columns, text) {
  const tr = document.createElement('tr')
  tr.className = 'empty-row'
  const cell = td(text)
  cell.colSpan = columns
  tr.append(cell)
  return tr
}

const ORDER_COLUMNS = 11

// amending: the open amend editor ({ orderId, row }), shown under its order.
// format(symbol): { price, qty } decimals (tick and lot) for a symbol.
export function renderOpenOrders (orders, { note = null, more = false, amending = null, format = NO_FORMAT } = {}) {
  const body = $('open-orders-body')
  if (note !== null) {
    body.replaceChildren(emptyRow(ORDER_COLUMNS, note))
  } else if (orders.length === 0) {
    body.replaceChildren(emptyRow(ORDER_COLUMNS, 'No open orders'))
  } else {
    const rows = []
    for (const o of orders) {
      rows.push(orderRow(o, format(o.symbol)))
      if (amending !== null && amending.orderId === String(o.order_id)) rows.push(amending.row)
    }
    body.replaceChildren(...rows)
  }
  $('open-orders-count').textContent = note === null ? `${orders.length}${more ? '+' : ''}` : '–'
  $('cancel-all-btn').disabled = note !== null || orders.length === 0
}

function button (cls, text, orderId, title) {
  const b = document.createElement('button')
  b.type = 'button'
  b.className = `btn-small ${cls}`
  b.textContent = text
  b.dataset.orderId = String(orderId)
  b.title = title
  return b
}

function orderRow (o, f) {
  const tr = document.createElement('tr')
  tr.className = `order-row ${o.side === 'sell' ? 'sell' : 'buy'}`
  tr.dataset.orderId = String(o.order_id)
  tr.dataset.status = String(o.status)
  const actions = document.createElement('div')
  actions.className = 'row-actions'
  actions.append(
    button('row-amend', 'Amend', o.order_id, `Amend order ${o.order_id} (new quantity / price)`),
    button('row-cancel', 'Cancel', o.order_id, `Cancel order ${o.order_id}`)
  )
  const action = document.createElement('td')
  action.append(actions)
  const shown = o.display_quantity ? ` (show ${fmtQty(o.display_quantity, f.qty)})` : ''
  tr.append(
    td(fmtTime(o.timestamp), 'muted'),
    td(o.symbol),
    td(o.side, 'side'),
    td(String(o.order_type ?? '').replace('_', ' ')),
    td(statusWords(o.status), `status status-${o.status}`),
    td(o.price ? fmtPrice(o.price, f.price) : 'market', 'num'),
    td(o.stop_price ? fmtPrice(o.stop_price, f.price) : '', 'num'),
    td(`${fmtQty(o.filled_quantity, f.qty)} / ${fmtQty(o.quantity, f.qty)}${shown}`, 'num'),
    td(o.client_order_id ?? '', 'muted'),
    td(shortId(o.order_id, 10), 'muted id'),
    action
  )
  const tif = o.time_in_force ? ` · ${o.time_in_force}` : ''
  const postOnly = o.post_only ? ' · post-only' : ''
  const list = o.list_id ? ` · OCO ${o.list_id}` : ''
  tr.title = `order ${o.order_id} · ${o.order_type} · ${o.status}${tif}${postOnly}${list}`
  return tr
}

function input (name, placeholder, label) {
  const el = document.createElement('input')
  el.name = name
  el.className = 'form-input'
  el.type = 'text'
  el.inputMode = 'decimal'
  el.placeholder = placeholder
  el.setAttribute('aria-label', label)
  return el
}

// The editor row for one order: a new total quantity, a new limit price
// (orders that have one) and a new stop price (stops not yet triggered).
// Blank inputs are left unchanged.
export function amendEditor (o) {
  const form = document.createElement('form')
  form.className = 'amend-form'
  form.noValidate = true
  form.dataset.orderId = String(o.order_id)
  form.append(input('new_quantity', `qty ${o.quantity}`, 'New quantity (total, filled part included)'))
  if (o.price !== null && o.price !== undefined) form.append(input('new_price', `price ${o.price}`, 'New price'))
  if (o.status === 'untriggered' && o.stop_price) form.append(input('new_stop_price', `stop ${o.stop_price}`, 'New stop price'))
  const submit = document.createElement('button')
  submit.type = 'submit'
  submit.className = 'btn-small amend-submit'
  submit.textContent = 'Amend'
  const close = document.createElement('button')
  close.type = 'button'
  close.className = 'btn-small amend-close'
  close.textContent = 'Close'
  const message = document.createElement('span')
  message.className = 'amend-msg'
  message.setAttribute('role', 'status')
  form.append(submit, close, message)
  const cell = document.createElement('td')
  cell.colSpan = ORDER_COLUMNS
  cell.append(form)
  const tr = document.createElement('tr')
  tr.className = 'amend-row'
  tr.dataset.orderId = String(o.order_id)
  tr.append(cell)
  return tr
}

export function renderFills (fills, { note = null, format = NO_FORMAT } = {}) {
  const body = $('fills-body')
  if (note !== null) body.replaceChildren(emptyRow(8, note))
  else if (fills.length === 0) body.replaceChildren(emptyRow(8, 'No fills yet'))
  else body.replaceChildren(...fills.map((f) => fillRow(f, format(f.symbol))))
}

// Closed orders (filled, cancelled, rejected, expired), newest first.
export function renderHistory (orders, { note = null, format = NO_FORMAT } = {}) {
  const body = $('history-body')
  if (note !== null) body.replaceChildren(emptyRow(7, note))
  else if (orders.length === 0) body.replaceChildren(emptyRow(7, 'No closed orders yet'))
  else {
    body.replaceChildren(...orders.map((o) => {
      const f = format(o.symbol)
      const tr = document.createElement('tr')
      tr.className = `history-row ${o.side === 'sell' ? 'sell' : 'buy'}`
      tr.dataset.orderId = String(o.order_id)
      tr.dataset.status = String(o.status)
      tr.append(
        td(fmtTime(o.timestamp), 'muted'),
        td(o.symbol),
        td(o.side, 'side'),
        td(statusWords(o.status), `status status-${o.status}`),
        td(o.price ? fmtPrice(o.price, f.price) : 'market', 'num'),
        td(`${fmtQty(o.filled_quantity, f.qty)} / ${fmtQty(o.quantity, f.qty)}`, 'num'),
        td(shortId(o.order_id, 10), 'muted id')
      )
      tr.title = `order ${o.order_id} · ${o.order_type} · ${o.status}${o.cancel_reason ? ` (${o.cancel_reason})` : ''}`
      return tr
    }))
  }
}

function fillRow (f, fmt) {
  const tr = document.createElement('tr')
  tr.className = `fill-row ${f.side === 'sell' ? 'sell' : 'buy'}`
  tr.dataset.tradeId = String(f.trade_id)
  tr.dataset.orderId = String(f.order_id)
  tr.append(
    td(fmtTime(f.timestamp), 'muted'),
    td(f.symbol),
    td(f.side, 'side'),
    td(f.role, 'muted'),
    td(fmtPrice(f.price, fmt.price), 'num'),
    td(fmtQty(f.quantity, fmt.qty), 'num'),
    td(f.fee, 'num'),
    td(shortId(f.trade_id, 10), 'muted id')
  )
  tr.title = `trade ${f.trade_id} · order ${f.order_id}${f.client_order_id ? ` (${f.client_order_id})` : ''} · value ${f.trade_value}`
  return tr
}
