// Rendering of the account panels (open orders, fills). Server values go into
// the DOM with textContent only, and decimal strings exactly as received.
/* global document */
import { $ } from './ui.js'
import { fmtTime, shortId } from './format.js'

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

export function renderOpenOrders (orders, { note = null, more = false } = {}) {
  const body = $('open-orders-body')
  if (note !== null) {
    body.replaceChildren(emptyRow(8, note))
  } else if (orders.length === 0) {
    body.replaceChildren(emptyRow(8, 'No open orders'))
  } else {
    body.replaceChildren(...orders.map(orderRow))
  }
  $('open-orders-count').textContent = note === null ? `${orders.length}${more ? '+' : ''}` : '–'
  $('cancel-all-btn').disabled = note !== null || orders.length === 0
}

function orderRow (o) {
  const tr = document.createElement('tr')
  tr.className = `order-row ${o.side === 'sell' ? 'sell' : 'buy'}`
  tr.dataset.orderId = String(o.order_id)
  const cancel = document.createElement('button')
  cancel.type = 'button'
  cancel.className = 'btn-small row-cancel'
  cancel.textContent = 'Cancel'
  cancel.dataset.orderId = String(o.order_id)
  cancel.title = `Cancel order ${o.order_id}`
  const action = document.createElement('td')
  action.append(cancel)
  tr.append(
    td(fmtTime(o.timestamp), 'muted'),
    td(o.symbol),
    td(o.side, 'side'),
    td(o.price ?? 'market', 'num'),
    td(`${o.filled_quantity} / ${o.quantity}`, 'num'),
    td(o.client_order_id ?? '', 'muted'),
    td(shortId(o.order_id, 10), 'muted id'),
    action
  )
  tr.title = `order ${o.order_id} · ${o.order_type} · ${o.status}`
  return tr
}

export function renderFills (fills, { note = null } = {}) {
  const body = $('fills-body')
  if (note !== null) body.replaceChildren(emptyRow(8, note))
  else if (fills.length === 0) body.replaceChildren(emptyRow(8, 'No fills yet'))
  else body.replaceChildren(...fills.map(fillRow))
}

function fillRow (f) {
  const tr = document.createElement('tr')
  tr.className = `fill-row ${f.side === 'sell' ? 'sell' : 'buy'}`
  tr.dataset.tradeId = String(f.trade_id)
  tr.dataset.orderId = String(f.order_id)
  tr.append(
    td(fmtTime(f.timestamp), 'muted'),
    td(f.symbol),
    td(f.side, 'side'),
    td(f.role, 'muted'),
    td(f.price, 'num'),
    td(f.quantity, 'num'),
    td(f.fee, 'num'),
    td(shortId(f.trade_id, 10), 'muted id')
  )
  tr.title = `trade ${f.trade_id} · order ${f.order_id}${f.client_order_id ? ` (${f.client_order_id})` : ''} · value ${f.trade_value}`
  return tr
}
