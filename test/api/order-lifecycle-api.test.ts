// Issue 12 through the real HTTP routes, against the engine: POST /amend and
// /oco answers, the admin trading status (journaled: it survives a restart),
// and GTD expiry by the exchange's timer, also for orders that came due while
// the process was down.
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildApp, type App } from '../../src/app.js'
import { buildTestApp, testConfig } from '../helpers/build-app.js'
import { ADMIN_HEADERS, authEnv, createKey, signedInject } from '../helpers/signing.js'
import { SYMBOL, get, limit, placeOk, post } from './support.js'

const VIEW_KEYS = [
  'order_id', 'client_order_id', 'account_id', 'symbol', 'side', 'order_type', 'stp', 'status', 'cancel_reason', 'price', 'quantity',
  'filled_quantity', 'remaining_quantity', 'timestamp', 'time_in_force', 'post_only', 'stop_price', 'display_quantity', 'expire_time',
  'quote_quantity', 'list_id'
]
const ANSWER_KEYS = [...VIEW_KEYS, 'trades', 'trade_count', 'total_maker_fees', 'total_taker_fees', 'bbo', 'processing_time_ms'].sort()

/** Polls GET /order/:id until its status is `status` (at most ~3 s). */
async function waitForStatus (app: App, orderId: string, status: string) {
  let body: Record<string, unknown> = {}
  for (let i = 0; i < 60; i++) {
    body = (await get(app, `/order/${orderId}?symbol=${SYMBOL}`)).body
    if (body.status === status) return body
    await sleep(50)
  }
  return body
}

t.test('POST /amend answers like POST /order: the order after the amend and the trades a crossing price made', async (t) => {
  const app = await buildTestApp(t)
  const bid = await placeOk(app, limit('buy', '30000', '0.5', { client_order_id: 'bid-1' }))
  const reduced = await post(app, '/amend', { symbol: SYMBOL, order_id: bid.order_id, new_quantity: '0.3' })
  t.equal(reduced.status, 200, JSON.stringify(reduced.body))
  t.same(Object.keys(reduced.body).sort(), ANSWER_KEYS)
  t.match(reduced.body, { order_id: bid.order_id, status: 'pending', quantity: '0.3', remaining_quantity: '0.3', trades: [], trade_count: 0 })

  await placeOk(app, limit('sell', '30100', '0.1'))
  const crossed = await post(app, '/amend', { symbol: SYMBOL, client_order_id: 'bid-1', new_price: '30100' })
  t.equal(crossed.status, 200, JSON.stringify(crossed.body))
  t.match(crossed.body, { order_id: bid.order_id, price: '30100', status: 'partially_filled', filled_quantity: '0.1', remaining_quantity: '0.2', trade_count: 1 })
  t.match(crossed.body.trades, [{ price: '30100', quantity: '0.1', taker_order_id: bid.order_id }])

  const unknown = await post(app, '/amend', { symbol: SYMBOL, order_id: '999', new_quantity: '0.1' })
  t.equal(unknown.status, 404)
  t.equal(unknown.body.error_code, 'ORDER_NOT_FOUND')
  const nothing = await post(app, '/amend', { symbol: SYMBOL, order_id: bid.order_id })
  t.equal(nothing.status, 400)
  t.equal(nothing.body.error_code, 'INVALID_AMEND')
})

t.test('POST /amend and /oco act for the caller\'s account only: another account\'s order is not found', async (t) => {
  const app = await buildTestApp(t, authEnv(t))
  const alice = await createKey(app, 'alice')
  const bob = await createKey(app, 'bob')
  const placed = await signedInject(app, alice, { method: 'POST', url: '/order', body: limit('buy', '30000', '0.5') })
  t.equal(placed.statusCode, 200)
  const orderId = placed.json().order_id
  const byBob = await signedInject(app, bob, { method: 'POST', url: '/amend', body: { symbol: SYMBOL, order_id: orderId, new_quantity: '0.1' } })
  t.equal(byBob.statusCode, 404)
  t.equal(byBob.json().error_code, 'ORDER_NOT_FOUND')
  const unsigned = await post(app, '/amend', { symbol: SYMBOL, order_id: orderId, new_quantity: '0.1' })
  t.equal(unsigned.status, 401, 'trade permission needed')
  const oco = await signedInject(app, bob, { method: 'POST', url: '/oco', body: { symbol: SYMBOL, side: 'sell', quantity: '0.1', price: '31000', stop_price: '29000' } })
  t.equal(oco.statusCode, 200, oco.body)
  t.match(oco.json().orders, [{ account_id: 'bob' }, { account_id: 'bob' }])
})

t.test('POST /oco: list_id, the limit leg then the stop leg, both in the list', async (t) => {
  const app = await buildTestApp(t)
  const reply = await post(app, '/oco', {
    symbol: SYMBOL, side: 'sell', quantity: '0.1', price: '31000', stop_price: '29000', stop_limit_price: '28900', limit_client_order_id: 'tp', stop_client_order_id: 'sl'
  })
  t.equal(reply.status, 200, JSON.stringify(reply.body))
  t.same(Object.keys(reply.body).sort(), ['bbo', 'list_id', 'orders', 'processing_time_ms', 'total_maker_fees', 'total_taker_fees', 'trade_count', 'trades'])
  const [limitLeg, stopLeg] = reply.body.orders
  t.equal(reply.body.list_id, limitLeg.order_id)
  t.equal(stopLeg.order_id, String(Number(limitLeg.order_id) + 1))
  t.match(limitLeg, { order_type: 'limit', status: 'pending', price: '31000', client_order_id: 'tp', list_id: reply.body.list_id, stop_price: null })
  t.match(stopLeg, { order_type: 'stop_limit', status: 'untriggered', price: '28900', stop_price: '29000', client_order_id: 'sl', list_id: reply.body.list_id })
  t.same(Object.keys(limitLeg).sort(), [...VIEW_KEYS].sort())
})

t.test('admin trading status: token needed, validated, shown by /symbols, refuses orders when halted, survives a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-status-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = { ...authEnv(t), DATA_DIR: dataDir }
  const first = await buildApp(testConfig(t, env), { logger: false })
  let closed = false
  t.teardown(async () => { if (!closed) await first.close() })
  const url = `/admin/symbols/${SYMBOL}/trading_status`
  t.equal((await first.inject({ method: 'POST', url, payload: { status: 'halted' } })).statusCode, 401)
  const bad = await first.inject({ method: 'POST', url, headers: ADMIN_HEADERS, payload: { status: 'paused' } })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().error_code, 'VALIDATION_ERROR')
  const unknown = await first.inject({ method: 'POST', url: '/admin/symbols/XYZ-USDT/trading_status', headers: ADMIN_HEADERS, payload: { status: 'halted' } })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error_code, 'SYMBOL_NOT_FOUND')

  const halted = await first.inject({ method: 'POST', url: '/admin/symbols/btc-usdt/trading_status', headers: ADMIN_HEADERS, payload: { status: 'halted' } })
  t.equal(halted.statusCode, 200)
  t.strictSame(halted.json(), { symbol: SYMBOL, trading_status: 'halted' })
  t.equal((await get(first, '/symbols')).body.symbol_info[SYMBOL].trading_status, 'halted')
  const key = await createKey(first, 'alice')
  const refused = await signedInject(first, key, { method: 'POST', url: '/order', body: limit('buy', '30000', '0.1') })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().error_code, 'SYMBOL_HALTED')
  await first.close()
  closed = true

  const second = await buildApp(testConfig(t, env), { logger: false })
  t.teardown(() => second.close())
  t.equal((await get(second, '/symbols')).body.symbol_info[SYMBOL].trading_status, 'halted', 'journaled: the restart replays it')
  const again = await second.inject({ method: 'POST', url, headers: ADMIN_HEADERS, payload: { status: 'trading' } })
  t.strictSame(again.json(), { symbol: SYMBOL, trading_status: 'trading' })
})

t.test('a GTD order expires by the exchange\'s timer: status expired, its expire_time as sent', async (t) => {
  const app = await buildTestApp(t)
  const expireTime = Math.round(Date.now() + 300) / 1000
  const placed = await placeOk(app, limit('buy', '30000', '0.1', { time_in_force: 'gtd', expire_time: expireTime } as object))
  t.match(placed, { status: 'pending', time_in_force: 'gtd', expire_time: expireTime })
  const expired = await waitForStatus(app, placed.order_id, 'expired')
  t.match(expired, { status: 'expired', cancel_reason: null, expire_time: expireTime })
  t.same((await get(app, `/book/${SYMBOL}`)).body.bids, [], 'off the book')
})

t.test('a GTD order that came due while the process was down expires right after the restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-gtd-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const first = await buildApp(testConfig(t, { DATA_DIR: dataDir }), { logger: false })
  const placed = await placeOk(first, limit('buy', '30000', '0.1', { time_in_force: 'gtd', expire_time: Math.round(Date.now() + 400) / 1000 } as object))
  await first.close()
  await sleep(500)
  const second = await buildApp(testConfig(t, { DATA_DIR: dataDir }), { logger: false })
  t.teardown(() => second.close())
  t.equal((await waitForStatus(second, placed.order_id, 'expired')).status, 'expired')
})
