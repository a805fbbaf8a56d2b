// Next to the order form: the symbol's filters (tick, lot, min and max
// quantity, min notional), the order's notional before it is sent, and the
// confirmation a market order asks for. Display arithmetic only: the server
// checks every filter again.
/* global document, Promise */
import { $ } from './ui.js'
import { fmtPrice, fmtQty, fractionDigits } from './format.js'

// filters: { tick_size, lot_size, min_quantity, max_quantity, min_notional } or null.
export function renderFilters (symbol, filters) {
  const el = $('symbol-filters')
  if (!filters) {
    el.textContent = `${symbol}: filters not known yet`
    return
  }
  const items = [
    ['Tick', filters.tick_size], ['Lot', filters.lot_size], ['Min qty', filters.min_quantity],
    ['Max qty', filters.max_quantity], ['Min notional', filters.min_notional]
  ]
  el.replaceChildren(...items.filter(([, v]) => v !== undefined).map(([k, v]) => {
    const dt = document.createElement('dt')
    dt.textContent = k
    const dd = document.createElement('dd')
    dd.textContent = v
    const div = document.createElement('div')
    div.append(dt, dd)
    return div
  }))
}

// order: what the form holds ({ side, order_type, quantity?, quote_quantity?, price? });
// best: { bid, ask } (strings or null), the price a market order is estimated at.
export function notional (order, best, filters) {
  const quote = filters?.tick_size ? fractionDigits(filters.tick_size) : 2
  if (order.quote_quantity) return { text: `Spend ${fmtPrice(order.quote_quantity, quote)}`, value: Number(order.quote_quantity) }
  const qty = Number(order.quantity)
  if (!(qty > 0)) return { text: 'Notional --', value: null }
  const estimated = !order.price
  const price = order.price ?? (order.side === 'buy' ? best.ask : best.bid)
  if (price === null || price === undefined || !(Number(price) > 0)) return { text: 'Notional -- (no price on the book)', value: null }
  const value = qty * Number(price)
  return { text: `Notional ${estimated ? '≈ ' : ''}${fmtPrice(value.toFixed(quote), quote)}`, value }
}

export function renderPreview (order, best, filters) {
  const { text, value } = notional(order, best, filters)
  const el = $('order-preview')
  const min = filters?.min_notional !== undefined ? Number(filters.min_notional) : null
  const low = value !== null && min !== null && value < min
  el.textContent = low ? `${text} – below the minimum ${filters.min_notional}` : text
  el.classList.toggle('warn', low)
}

// Resolves true when the trader confirms the market order in the dialog.
export function confirmMarket (order, best, filters, lotDecimals) {
  const dialog = $('confirm-dialog')
  const size = order.quote_quantity ? `${order.quote_quantity} quote` : fmtQty(order.quantity, lotDecimals)
  $('confirm-text').textContent = `${order.side === 'buy' ? 'Buy' : 'Sell'} ${size} ${order.symbol} at the market. ${notional(order, best, filters).text}. It fills against the book at whatever prices rest there.`
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true })
    dialog.showModal()
  })
}
