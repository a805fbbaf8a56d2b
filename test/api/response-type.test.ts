// response_type and include_bbo on POST /order and /amend: the three answer
// shapes (ack, result, full), exactly their fields, exact summaries, and
// refusals that do not depend on the shape asked for.
import t from 'tap'
import { BigNumber } from 'bignumber.js'
import { buildTestApp } from '../helpers/build-app.js'
import { steppingClock } from '../helpers/clock.js'
import { SYMBOL, limit, market, placeOk, post } from './support.js'

const ORDER_FIELDS = [
  'order_id', 'client_order_id', 'account_id', 'symbol', 'side', 'order_type', 'stp', 'status', 'cancel_reason', 'price', 'quantity',
  'filled_quantity', 'remaining_quantity', 'timestamp', 'time_in_force', 'post_only', 'stop_price', 'display_quantity', 'expire_time',
  'quote_quantity', 'list_id'
]
const FULL_KEYS = [...ORDER_FIELDS, 'trades', 'trade_count', 'total_maker_fees', 'total_taker_fees', 'bbo', 'processing_time_ms'].sort()
const RESULT_KEYS = [...ORDER_FIELDS, 'trade_count', 'traded_quantity', 'traded_value', 'average_price', 'total_maker_fees', 'total_taker_fees',
  'processing_time_ms'].sort()
const ACK_KEYS = ['order_id', 'client_order_id', 'symbol', 'status', 'timestamp', 'processing_time_ms'].sort()

t.test('full is the default: the same fields with or without response_type; include_bbo false drops only the bbo', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  const absent = await placeOk(app, limit('buy', '30000', '0.1'))
  const full = await placeOk(app, { ...limit('buy', '30000', '0.1'), response_type: 'full' })
  t.same(Object.keys(absent).sort(), FULL_KEYS)
  t.same(Object.keys(full).sort(), FULL_KEYS)
  const noBbo = await placeOk(app, { ...limit('buy', '30000', '0.1'), response_type: 'full', include_bbo: false })
  t.same(Object.keys(noBbo).sort(), FULL_KEYS.filter((key) => key !== 'bbo'))
})

t.test('ack: the order id, client id, symbol, status and timestamp only; the bbo only when asked', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  const ack = await placeOk(app, { ...limit('buy', '30000', '0.1'), client_order_id: 'a-1', response_type: 'ack' })
  t.same(Object.keys(ack).sort(), ACK_KEYS)
  t.match(ack, { order_id: '1', client_order_id: 'a-1', symbol: SYMBOL, status: 'pending', timestamp: 1_700_000_000 })
  const withBbo = await placeOk(app, { ...limit('sell', '30001', '0.1'), response_type: 'ack', include_bbo: true })
  t.same(Object.keys(withBbo).sort(), [...ACK_KEYS, 'bbo'].sort())
  t.match(withBbo.bbo, { best_bid: '30000', best_ask: '30001' })
  // The state the command left: an order that traded whole is acknowledged filled.
  const taker = await placeOk(app, { ...market('buy', '0.1'), response_type: 'ack' })
  t.equal(taker.status, 'filled')
})

t.test('result: every order field and an exact summary of the trades this command made', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  await placeOk(app, limit('sell', '30000', '0.5'))
  await placeOk(app, limit('sell', '30001', '0.25'))
  const result = await placeOk(app, { ...limit('buy', '30002', '1'), response_type: 'result' })
  t.same(Object.keys(result).sort(), RESULT_KEYS)
  t.match(result, {
    status: 'partially_filled',
    filled_quantity: '0.75',
    remaining_quantity: '0.25',
    trade_count: 2,
    traded_quantity: '0.75',
    traded_value: '22500.25'
  })
  // 22500.25 / 0.75 = 30000.333…: cut toward zero at 8 decimals past the 0.01 tick.
  t.equal(result.average_price, '30000.3333333333')
  t.equal(result.average_price, new BigNumber('22500.25').div('0.75').decimalPlaces(10, BigNumber.ROUND_DOWN).toFixed())

  // The same fees as the full answer of the same trades.
  const app2 = await buildTestApp(t, {}, { clock: steppingClock() })
  await placeOk(app2, limit('sell', '30000', '0.5'))
  await placeOk(app2, limit('sell', '30001', '0.25'))
  const full = await placeOk(app2, limit('buy', '30002', '1'))
  t.equal(result.total_taker_fees, full.total_taker_fees)
  t.equal(result.total_maker_fees, full.total_maker_fees)
  for (const field of ORDER_FIELDS) t.same(result[field], full[field], field)

  const resting = await placeOk(app, { ...limit('buy', '29000', '1'), response_type: 'result' })
  t.match(resting, { trade_count: 0, traded_quantity: '0', traded_value: '0', average_price: null, total_taker_fees: '0' })
  const exact = await placeOk(app, { ...limit('sell', '30002', '0.25'), response_type: 'result', include_bbo: true })
  t.match(exact, { traded_quantity: '0.25', traded_value: '7500.5', average_price: '30002', bbo: { best_bid: '29000' } })
})

t.test('result on a symbol whose steps are not powers of ten: the same cut average, through bignumber.js', async (t) => {
  const symbols = JSON.stringify([{ symbol: 'NICKEL-USD', tickSize: '0.05', lotSize: '0.5', minQuantity: '0.5', maxQuantity: '1000', minNotional: '0' }])
  const app = await buildTestApp(t, { SYMBOLS: symbols }, { clock: steppingClock() })
  const order = (side: string, price: string, quantity: string) => ({ symbol: 'NICKEL-USD', side, order_type: 'limit', price, quantity })
  await placeOk(app, order('sell', '10.05', '1'))
  await placeOk(app, order('sell', '10.1', '0.5'))
  const result = await placeOk(app, { ...order('buy', '10.1', '1.5'), response_type: 'result' })
  // (10.05 × 1 + 10.1 × 0.5) / 1.5 = 15.1 / 1.5 = 10.0666…, cut at 2 + 8 decimals.
  t.match(result, { traded_quantity: '1.5', traded_value: '15.1', average_price: '10.0666666666' })
})

t.test('amend answers in the shape asked for', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  const placed = await placeOk(app, limit('buy', '30000', '1'))
  const ack = await post(app, '/amend', { symbol: SYMBOL, order_id: placed.order_id, new_quantity: '0.5', response_type: 'ack' })
  t.equal(ack.status, 200)
  t.same(Object.keys(ack.body).sort(), ACK_KEYS)
  const result = await post(app, '/amend', { symbol: SYMBOL, order_id: placed.order_id, new_quantity: '0.4', response_type: 'result' })
  t.same(Object.keys(result.body).sort(), RESULT_KEYS)
  t.equal(result.body.quantity, '0.4')
  const full = await post(app, '/amend', { symbol: SYMBOL, order_id: placed.order_id, new_quantity: '0.3' })
  t.same(Object.keys(full.body).sort(), FULL_KEYS)
})

t.test('a bad response_type or include_bbo is a validation error; refusals are the same in every shape', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  for (const extra of [{ response_type: 'FULL' }, { response_type: 'minimal' }, { response_type: null }, { include_bbo: 'yes' }, { include_bbo: 1 }]) {
    const reply = await post(app, '/order', { ...limit('buy', '30000', '0.1'), ...extra })
    t.equal(reply.status, 400, JSON.stringify(extra))
    t.equal(reply.body.error_code, 'VALIDATION_ERROR')
  }
  for (const type of ['ack', 'result', 'full']) {
    const unknown = await post(app, '/order', { ...limit('buy', '30000', '0.1'), symbol: 'NOPE-USD', response_type: type })
    t.equal(unknown.status, 404, type)
    t.equal(unknown.body.error_code, 'SYMBOL_NOT_FOUND')
    const amend = await post(app, '/amend', { symbol: SYMBOL, order_id: '999', new_quantity: '1', response_type: type })
    t.equal(amend.body.error_code, 'ORDER_NOT_FOUND', type)
  }
})

t.test('the in-process answer (what the WebSocket API serializes) has the REST answer\'s keys in the same order, in every shape', async (t) => {
  for (const responseType of ['full', 'result', 'ack'] as const) {
    for (const includeBbo of [true, false]) {
      const rest = await buildTestApp(t, {}, { clock: steppingClock() })
      const direct = await buildTestApp(t, {}, { clock: steppingClock() })
      const body = { ...limit('buy', '30000', '0.1'), response_type: responseType, include_bbo: includeBbo }
      const reply = await post(rest, '/order', body)
      const answer = await direct.exchange.placeOrder({ accountId: 'anonymous' }, body as never)
      t.ok(answer.ok)
      if (!answer.ok) continue
      const inProcess = JSON.parse(JSON.stringify(answer.value))
      t.same(Object.keys(inProcess), Object.keys(reply.body), `${responseType}, include_bbo ${String(includeBbo)}`)
      t.same({ ...inProcess, processing_time_ms: 0 }, { ...reply.body, processing_time_ms: 0 })
    }
  }
})
