// The engine's per-order and per-symbol limits as a client sees them:
// cancel_reason on the order, TOO_MANY_OPEN_ORDERS as a 503 error body.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { ERROR_KEYS, SYMBOL, get, limit, market, placeOk, post } from './support.js'

t.test('an order stopped by MAX_FILLS_PER_ORDER answers cancel_reason MATCH_LIMIT, also on GET /order', async (t) => {
  const app = await buildTestApp(t, { MAX_FILLS_PER_ORDER: '2' })
  for (const price of ['30000', '30001', '30002']) await placeOk(app, limit('sell', price, '0.1'))
  const order = await placeOk(app, market('buy', '0.3'))
  t.match(order, { status: 'cancelled', filled_quantity: '0.2', remaining_quantity: '0.1', cancel_reason: 'MATCH_LIMIT' })
  t.equal(order.trades.length, 2)
  const status = await get(app, `/order/${order.order_id as string}?symbol=${SYMBOL}`)
  t.equal(status.body.cancel_reason, 'MATCH_LIMIT')
  const resting = await placeOk(app, limit('buy', '29000', '0.1'))
  t.equal(resting.cancel_reason, null, 'null when the engine did not end the order')
})

t.test('MAX_OPEN_ORDERS_PER_SYMBOL: a limit order that would rest is answered 503 TOO_MANY_OPEN_ORDERS', async (t) => {
  const app = await buildTestApp(t, { MAX_OPEN_ORDERS_PER_SYMBOL: '1' })
  await placeOk(app, limit('sell', '30000', '0.1'))
  const refused = await post(app, '/order', limit('sell', '30001', '0.1'))
  t.equal(refused.status, 503)
  t.equal(refused.body.error_code, 'TOO_MANY_OPEN_ORDERS')
  t.match(refused.body.error, /BTC-USDT holds its maximum of 1 open orders/)
  t.ok(Object.keys(refused.body).every((k) => ERROR_KEYS.includes(k)))
  t.match(await placeOk(app, market('buy', '0.05')), { status: 'filled' }, 'orders that do not rest still run')
})
