// Item 10 of issue 9 (read part): the read endpoints have their own per-IP,
// per-route limit (RATE_LIMIT_READ_MAX per RATE_LIMIT_WINDOW_MS), answered
// with the same 429 shape as order entry; /health is never limited.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { ERROR_KEYS, SYMBOL, get, limit, placeOk } from './support.js'

const READS = [`/book/${SYMBOL}`, `/bbo/${SYMBOL}`, '/symbols', '/statistics', `/order/1?symbol=${SYMBOL}`, `/order?symbol=${SYMBOL}&client_order_id=c1`]

t.test('each read route allows RATE_LIMIT_READ_MAX per window, then 429 RATE_LIMIT', async (t) => {
  const app = await buildTestApp(t, { RATE_LIMIT_READ_MAX: '3', RATE_LIMIT_MAX: '100' })
  await placeOk(app, limit('buy', '30000', '0.1', { client_order_id: 'c1' }))
  for (const url of READS) {
    for (let i = 0; i < 3; i++) t.equal((await get(app, url)).status, 200, `${url} #${i + 1}`)
    const limited = await get(app, url)
    t.equal(limited.status, 429, `${url}: limited`)
    t.equal(limited.body.error_code, 'RATE_LIMIT')
    t.match(limited.body.error, /rate limit of 3 requests per 1 minute exceeded/)
    t.ok(Number.isInteger(limited.body.retry_after) && limited.body.retry_after >= 1)
    t.equal(limited.headers['retry-after'], String(limited.body.retry_after))
    t.same(Object.keys(limited.body).filter((k) => !ERROR_KEYS.includes(k)), [])
  }
  for (let i = 0; i < 10; i++) t.equal((await get(app, '/health')).status, 200, `/health #${i + 1} is never limited`)
  await placeOk(app, limit('buy', '29999', '0.1'))
  t.pass('order entry keeps its own limit')
})

t.test('RATE_LIMIT_ENABLED=false switches the read limit off too', async (t) => {
  const app = await buildTestApp(t, { RATE_LIMIT_READ_MAX: '1', RATE_LIMIT_ENABLED: 'false' })
  for (let i = 0; i < 5; i++) t.equal((await get(app, `/bbo/${SYMBOL}`)).status, 200)
})
