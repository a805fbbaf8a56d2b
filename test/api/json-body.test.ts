// Items 16 and 17 of issue 9 through the HTTP API: a JSON number is read as
// the decimal it was written or refused, a duplicate key is refused, and a
// refused body changes nothing.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { SYMBOL, depth, placeOk, postRaw, statistics } from './support.js'

const ORDER = `"symbol":"${SYMBOL}","side":"buy","order_type":"limit"`

t.test('a duplicate key is 400 INVALID_JSON naming the key, and nothing is placed', async (t) => {
  const app = await buildTestApp(t)
  const cases = [
    `{${ORDER},"price":"30000","quantity":"5000000","quantity":"0.001"}`,
    `{${ORDER},"price":"30000","quantity":"0.001","qu\\u0061ntity":"0.001"}`,
    `{${ORDER},"price":"30000","price":"30000","quantity":"0.001"}`
  ]
  for (const body of cases) {
    const reply = await postRaw(app, '/order', body)
    t.equal(reply.status, 400, body)
    t.equal(reply.body.error_code, 'INVALID_JSON')
    t.match(reply.body.error, /^duplicate key '(quantity|price)'/)
  }
  const cancel = await postRaw(app, '/cancel', `{"symbol":"${SYMBOL}","order_id":"1","order_id":"2"}`)
  t.equal(cancel.body.error_code, 'INVALID_JSON', 'cancel too')
  t.strictSame(await depth(app), { bids: [], asks: [] })
  t.equal((await statistics(app)).orders_processed, 0)
})

t.test('a JSON number is read exactly as written, or refused', async (t) => {
  const app = await buildTestApp(t)
  // A double holds 20000.010000000000001 as 20000.01: refused, not rounded.
  const inexact = await postRaw(app, '/order', `{${ORDER},"price":20000.010000000000001,"quantity":"0.1"}`)
  t.equal(inexact.status, 400)
  t.equal(inexact.body.error_code, 'INVALID_JSON')
  t.match(inexact.body.error, /20000\.010000000000001 cannot be read exactly .*send it as a string/)
  t.strictSame(await depth(app), { bids: [], asks: [] }, 'nothing rests at 20000.01')

  // The same digits as a string reach the engine exactly and fail its tick filter.
  const text = await postRaw(app, '/order', `{${ORDER},"price":"20000.010000000000001","quantity":"0.1"}`)
  t.equal(text.status, 400)
  t.equal(text.body.error_code, 'VALIDATION_ERROR')

  // Numbers a double gives back exactly are taken at their written value.
  const placed = await placeOk(app, { symbol: SYMBOL, side: 'buy', order_type: 'limit', price: 20000.01, quantity: 0.1 })
  t.equal(placed.price, '20000.01')
  t.equal(placed.quantity, '0.1')
  const raw = await postRaw(app, '/order', `{${ORDER},"price":2.000002e4,"quantity":1.50}`)
  t.equal(raw.status, 200)
  t.equal(raw.body.price, '20000.02')
  t.equal(raw.body.quantity, '1.5')
  t.strictSame(await depth(app), { bids: [['20000.02', '1.5'], ['20000.01', '0.1']], asks: [] })
})

t.test('prototype keys are still refused with INVALID_JSON', async (t) => {
  const app = await buildTestApp(t)
  for (const body of [`{"__proto__":{"x":1},${ORDER},"price":"1","quantity":"1"}`, `{"constructor":{"prototype":{"x":1}},${ORDER}}`]) {
    const reply = await postRaw(app, '/order', body)
    t.equal(reply.status, 400)
    t.equal(reply.body.error_code, 'INVALID_JSON')
  }
  t.equal(({} as Record<string, unknown>).x, undefined)
})
