// The signed-in account's open orders and fills: loaded over signed REST
// when the private feed is up, then kept current from the private 'orders'
// and 'fills' WebSocket messages. Cancel and amend (per row) and cancel-all
// post signed requests; the order events that follow update the list.
/* global console, requestAnimationFrame, setTimeout, document */
import { $, toast, setBusy } from './ui.js'
import { privateRequest, describeError } from './api.js'
import { renderOpenOrders, renderFills, renderHistory, amendEditor } from './account-view.js'

// Untriggered stops are open orders too (cancellable, amendable, counted).
const OPEN_STATUSES = new Set(['pending', 'partially_filled', 'untriggered'])
const DECIMAL_INPUT = /^\d+(\.\d+)?$/
// What POST /amend answers besides the order view.
const ANSWER_ONLY = ['trades', 'trade_count', 'total_maker_fees', 'total_taker_fees', 'bbo', 'processing_time_ms']
const ORDERS_PAGE = 100
const MAX_FILLS = 100
const SIGNED_OUT = 'Sign in to see your orders and fills'

export class Account {
  // told(order): this action's answer was shown (order-notices.js);
  // format(symbol): { price, qty } decimals for a symbol.
  constructor ({ told = () => {}, format = () => ({ price: 0, qty: 0 }) } = {}) {
    this.told = told
    this.format = format
    this.history = [] // closed orders, newest first
    this.ready = false
    this.generation = 0 // bumps on every (re)load and sign-out: late answers are dropped
    this.orders = new Map() // order_id -> order view
    this.more = false
    this.fills = []
    this.fillKeys = new Set()
    this.pendingEvents = null // order events seen while GET /orders is in flight
    this.pendingFills = null
    this.renderQueued = false
    this.amending = null // { orderId, row }: the open amend editor, kept across redraws
  }

  setup () {
    $('open-orders-body').addEventListener('click', (e) => {
      const button = e.target.closest('button.row-cancel')
      if (button) this.cancel(button.dataset.orderId, button)
      const amend = e.target.closest('button.row-amend')
      if (amend) this.toggleAmend(amend.dataset.orderId)
      if (e.target.closest('button.amend-close')) this.closeAmend()
    })
    $('open-orders-body').addEventListener('submit', (e) => {
      if (!e.target.closest('form.amend-form')) return
      e.preventDefault()
      this.amend(e.target)
    })
    $('cancel-all-btn').addEventListener('click', () => this.cancelAll())
    this.render()
  }

  // ready: the page acts for an account (signed in, or auth off) and the
  // private channels are subscribed; false clears everything.
  setReady (ready) {
    this.generation++
    this.ready = ready
    this.orders.clear()
    this.fills = []
    this.fillKeys.clear()
    this.history = []
    this.more = false
    this.pendingEvents = null
    this.pendingFills = null
    this.amending = null
    if (ready) this.load()
    this.render()
  }

  async load () {
    const gen = this.generation
    this.pendingEvents = []
    this.pendingFills = []
    const [orders, fills, closed] = await Promise.all([
      this.fetch(`/orders?status=open&limit=${ORDERS_PAGE}`),
      this.fetch(`/fills?limit=${MAX_FILLS}`),
      this.fetch(`/orders?status=closed&limit=${ORDERS_PAGE}`)
    ])
    if (gen !== this.generation) return
    if (orders !== null && Array.isArray(orders.orders)) {
      this.orders.clear()
      // Newest first from the server; the Map keeps that order.
      for (const o of orders.orders) if (OPEN_STATUSES.has(o.status)) this.orders.set(o.order_id, o)
      this.more = orders.next_cursor !== null && orders.next_cursor !== undefined
    }
    if (closed !== null && Array.isArray(closed.orders)) {
      const live = new Set(this.history.map((o) => o.order_id))
      this.history = [...this.history, ...closed.orders.filter((o) => !live.has(o.order_id))].slice(0, ORDERS_PAGE)
    }
    if (fills !== null && Array.isArray(fills.fills)) {
      this.fills = []
      this.fillKeys.clear()
      for (const f of [...fills.fills].reverse()) this.addFill(f)
    }
    // What arrived while the answers were on their way is newer than them.
    const events = this.pendingEvents
    const live = this.pendingFills
    this.pendingEvents = null
    this.pendingFills = null
    events.forEach((ev) => this.applyOrder(ev))
    live.forEach((f) => this.addFill(f))
    this.scheduleRender()
  }

  async fetch (path) {
    try {
      const { ok, status, body } = await privateRequest('GET', path)
      if (ok) return body
      toast(`GET ${path.split('?')[0]} failed: ${describeError(body, status)}`, 'error')
    } catch (err) {
      console.warn(`GET ${path} failed`, err)
    }
    return null
  }

  onOrderEvent (ev) {
    if (!this.ready || !ev || !ev.order_id) return
    if (this.pendingEvents !== null) this.pendingEvents.push(ev)
    else this.applyOrder(ev)
    this.scheduleRender()
  }

  applyOrder (ev) {
    const { event_type: _type, ...order } = ev
    if (OPEN_STATUSES.has(order.status)) {
      // A new order goes first (newest first); an update keeps its place.
      if (!this.orders.has(order.order_id)) this.orders = new Map([[order.order_id, order], ...this.orders])
      else this.orders.set(order.order_id, order)
    } else {
      this.orders.delete(order.order_id)
      // Order history: newest first, one row per order.
      this.history = [order, ...this.history.filter((o) => o.order_id !== order.order_id)].slice(0, ORDERS_PAGE)
    }
  }

  onFill (msg) {
    if (!this.ready || !msg || msg.trade_id === undefined) return
    const { type: _type, ...fill } = msg
    if (this.pendingFills !== null) this.pendingFills.push(fill)
    else this.addFill(fill)
    this.scheduleRender()
  }

  // Both sides of a self-trade are fills of this account: trade id plus order id is the key.
  addFill (fill) {
    const key = `${fill.trade_id}:${fill.order_id}`
    if (this.fillKeys.has(key)) return
    this.fillKeys.add(key)
    this.fills.unshift(fill)
    while (this.fills.length > MAX_FILLS) {
      const old = this.fills.pop()
      this.fillKeys.delete(`${old.trade_id}:${old.order_id}`)
    }
  }

  async cancel (orderId, button) {
    const order = this.orders.get(orderId)
    if (!order) return
    setBusy(button, true)
    try {
      const { ok, status, body } = await privateRequest('POST', '/cancel', { symbol: order.symbol, order_id: orderId })
      if (ok && body.success) {
        toast(`Cancelled ${orderId}`, 'success')
        this.told({ ...order, status: 'cancelled' })
        this.applyOrder({ ...order, status: 'cancelled' }) // the 'orders' event says so too
        this.scheduleRender()
      } else {
        toast(`Cancel failed: ${describeError(body, status)}`, 'error')
      }
    } catch (err) {
      toast(`Network error while cancelling: ${err.message}`, 'error')
    } finally {
      if (button.isConnected) setBusy(button, false)
    }
  }

  toggleAmend (orderId) {
    const order = this.orders.get(orderId)
    if (!order || this.amending?.orderId === orderId) {
      this.closeAmend()
      return
    }
    this.amending = { orderId, row: amendEditor(order) }
    this.render()
    this.amending.row.querySelector('input')?.focus()
  }

  closeAmend () {
    this.amending = null
    this.render()
  }

  // POST /amend with the values typed (blank: unchanged). A refusal is shown
  // in the editor with its code and the order stays as it was.
  async amend (form) {
    const orderId = form.dataset.orderId
    const order = this.orders.get(orderId)
    const message = form.querySelector('.amend-msg')
    const say = (text, cls) => {
      message.textContent = text
      message.className = `amend-msg ${cls}`
    }
    if (!order) return say('This order is no longer open', 'error')
    const payload = { symbol: order.symbol, order_id: orderId }
    for (const [field, name] of [['new_quantity', 'quantity'], ['new_price', 'price'], ['new_stop_price', 'stop price']]) {
      const input = form.elements.namedItem(field)
      const value = input === null ? '' : input.value.trim()
      if (value === '') continue
      if (!DECIMAL_INPUT.test(value)) return say(`New ${name} must be a decimal, e.g. 0.5`, 'error')
      payload[field] = value
    }
    if (Object.keys(payload).length === 2) return say('Enter a new quantity or price', 'error')
    const button = form.querySelector('button[type="submit"]')
    setBusy(button, true)
    try {
      const { ok, status, body } = await privateRequest('POST', '/amend', payload)
      if (!ok) {
        const text = describeError(body, status)
        say(`Amend refused: ${text}`, 'error') // the editor is this action's notification
        return
      }
      const view = { ...body }
      for (const key of ANSWER_ONLY) delete view[key]
      this.applyOrder({ ...order, ...view })
      this.told({ ...order, ...view })
      toast(`Amended ${orderId}: ${body.status} ${body.filled_quantity} / ${body.quantity}${body.price ? ` @ ${body.price}` : ''}`, 'success')
      if (this.amending?.orderId === orderId) this.amending = null
      this.render()
    } catch (err) {
      say(`Network error: ${err.message}`, 'error')
    } finally {
      if (button.isConnected) setBusy(button, false)
    }
  }

  async cancelAll () {
    const button = $('cancel-all-btn')
    setBusy(button, true)
    try {
      const { ok, status, body } = await privateRequest('POST', '/cancel_all', {})
      if (ok && body.success) {
        toast(`Cancelled ${body.cancelled} open order${body.cancelled === 1 ? '' : 's'}`, 'success')
        for (const id of body.order_ids ?? []) {
          const order = this.orders.get(id)
          if (order) {
            this.told({ ...order, status: 'cancelled' })
            this.applyOrder({ ...order, status: 'cancelled' })
          }
        }
        this.scheduleRender()
      } else {
        toast(`Cancel all failed: ${describeError(body, status)}`, 'error')
      }
    } catch (err) {
      toast(`Network error while cancelling all: ${err.message}`, 'error')
    } finally {
      setBusy(button, false)
      this.render()
    }
  }

  // Coalesce bursts of events into one redraw per frame.
  scheduleRender () {
    if (this.renderQueued) return
    this.renderQueued = true
    const run = () => {
      this.renderQueued = false
      this.render()
    }
    if (document.visibilityState === 'visible') requestAnimationFrame(run)
    else setTimeout(run, 100)
  }

  render () {
    const note = this.ready ? null : SIGNED_OUT
    if (this.amending !== null && !this.orders.has(this.amending.orderId)) this.amending = null
    // Redrawing moves the editor's row: put the caret back where it was.
    const focused = this.amending?.row.contains(document.activeElement) ? document.activeElement : null
    renderOpenOrders([...this.orders.values()], { note, more: this.more, amending: this.amending, format: this.format })
    if (focused !== null && focused !== document.activeElement) focused.focus()
    renderFills(this.fills, { note, format: this.format })
    renderHistory(this.history, { note, format: this.format })
  }
}
