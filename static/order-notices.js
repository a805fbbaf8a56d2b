// One notification per action: the answer to an action the trader took
// (place, cancel, amend) is its notification, so the order events that
// merely repeat it (the 'orders' feed says the same thing, sometimes before
// the HTTP answer) are not shown again. What happens later on its own (a
// resting order filled, a stop triggered, an order expiring) is shown once.
import { toast } from './ui.js'
import { fmtPrice, fmtQty, shortId, statusWords } from './format.js'

const EVENT_TYPE = {
  filled: 'success',
  partially_filled: 'success',
  cancelled: 'warn',
  rejected: 'error',
  triggered: 'info',
  expired: 'warn'
}
const MAX_KEPT = 500

// format(symbol): { price, qty } decimals for a symbol.
export function createOrderNotices ({ format }) {
  const known = new Map() // order_id -> "status filled" last told to the trader

  function keep (map, id, value) {
    map.set(id, value)
    if (map.size > MAX_KEPT) map.delete(map.keys().next().value)
  }

  const stateOf = (o) => `${o.status} ${o.filled_quantity}`

  // The trader was just told about this order (an HTTP answer): its events up to now are old news.
  function told (order) {
    keep(known, order.order_id, stateOf(order))
  }

  function onOrderEvent (ev) {
    if (!ev || !ev.order_id) return
    // Not an order this tab acted on, or one whose answer is still on its way (it will say it all).
    if (!known.has(ev.order_id)) return
    const state = stateOf(ev)
    if (known.get(ev.order_id) === state || EVENT_TYPE[ev.event_type] === undefined) return
    keep(known, ev.order_id, state)
    const f = format(ev.symbol)
    const px = ev.price ? ` @ ${fmtPrice(ev.price, f.price)}` : ''
    toast(`${statusWords(ev.event_type)}: ${ev.side} ${fmtQty(ev.filled_quantity, f.qty)} of ${fmtQty(ev.quantity, f.qty)} ${ev.symbol}${px} (${shortId(ev.order_id)})`,
      EVENT_TYPE[ev.event_type])
  }

  return { told, onOrderEvent }
}
