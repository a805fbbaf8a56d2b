/**
 * The /ws trading API, message by message and error by error, with real
 * `ws` clients against a listening app: every order.* type, the sign-in and
 * permission checks, the REST error codes, the schema errors, and the
 * per-connection and per-key limits.
 */
import t from 'tap'
import { request } from 'undici'
import { identityServer, newKey, type IdentityServer, type Key } from './identity.js'
import { gatewayStats, until, within, type WsMessage } from './ws-client.js'
import { BUY, SELL, trade, tradingClient } from './trading-client.js'
import { signedHeaders } from '../helpers/signing.js'

async function signedRest (s: IdentityServer, key: Key, method: 'GET' | 'POST', path: string, body?: unknown) {
  const text = body === undefined ? '' : JSON.stringify(body)
  const headers: Record<string, string> = signedHeaders(key, method, path, text)
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await request(s.url + path, { method, headers, body: body === undefined ? undefined : text })
  return { status: response.statusCode, body: await response.body.json() as Record<string, unknown> }
}

const codeOf = (m: WsMessage) => m.type === 'error' ? m.code : 'ok'

t.test('order.place, order.amend, order.status, order.cancel, order.cancel_all, order.cancel_after: answers are the REST answers', async (t) => {
  const s = await identityServer(t)
  const key = await newKey(s, 'alice')
  const { client, authenticated } = await tradingClient(s.wsUrl, key)
  t.teardown(() => client.close())
  t.equal(authenticated?.cancel_on_disconnect, false, 'authenticated echoes cancel_on_disconnect (not asked)')

  const placed = await trade(client, 'order.place', { ...BUY, client_order_id: 'c1' })
  t.equal(placed.type, 'order.place')
  const order = placed.result as Record<string, unknown>
  t.match(order, { account_id: 'alice', client_order_id: 'c1', status: 'pending', price: '100', quantity: '1' })
  t.ok(Array.isArray(order.trades) && typeof order.bbo === 'object', 'the full answer (trades, bbo) by default')

  const rest = await signedRest(s, key, 'GET', `/order/${order.order_id as string}?symbol=BTC-USDT`)
  t.equal(rest.status, 200)
  const status = await trade(client, 'order.status', { symbol: 'BTC-USDT', order_id: order.order_id })
  t.same(status, { type: 'order.status', id: status.id, result: rest.body }, 'order.status answers what GET /order/:id answers')
  const byClientId = await trade(client, 'order.status', { symbol: 'BTC-USDT', client_order_id: 'c1' })
  t.equal((byClientId.result as { order_id: string }).order_id, order.order_id, 'by client_order_id')

  const amended = await trade(client, 'order.amend', { symbol: 'BTC-USDT', order_id: order.order_id, new_quantity: '2' })
  t.match(amended, { type: 'order.amend', result: { order_id: order.order_id, quantity: '2', status: 'pending' } })

  const cancelled = await trade(client, 'order.cancel', { symbol: 'BTC-USDT', client_order_id: 'c1' })
  t.match(cancelled, { type: 'order.cancel', result: { success: true, order_id: order.order_id, status: 'cancelled' } })

  await trade(client, 'order.place', BUY)
  await trade(client, 'order.place', { ...BUY, price: '99' })
  const all = await trade(client, 'order.cancel_all', {})
  t.match(all, { type: 'order.cancel_all', result: { success: true, cancelled: 2 } })

  const armed = await trade(client, 'order.cancel_after', { timeout_ms: 60_000 })
  const { current_time: now, trigger_time: trigger } = armed.result as { current_time: number, trigger_time: number }
  t.equal(armed.type, 'order.cancel_after')
  t.ok(Math.abs(now - Date.now() / 1000) < 5, 'current_time is now, in epoch seconds')
  t.equal(Math.round((trigger - now) * 1000), 60_000, 'trigger_time is current_time + timeout')
  const disarmed = await trade(client, 'order.cancel_after', { timeout_ms: 0 })
  t.equal((disarmed.result as { trigger_time: null }).trigger_time, null, '0 disarms')

  client.send({ type: 'order.status', id: 42, params: { symbol: 'BTC-USDT', client_order_id: 'c1' } })
  t.match(await client.next((m) => m.id === 42), { type: 'order.status', id: 42 }, 'a numeric id is echoed as a number')

  const stats = await gatewayStats(s.url)
  t.match(stats, { trading_in_flight: 0, cancel_on_disconnect_fired: 0, cancel_after_fired: 0 })
  t.ok(stats.trading_requests >= 11, 'trading_requests counts them')
})

t.test('refusals carry the REST codes and the id', async (t) => {
  const s = await identityServer(t)
  const key = await newKey(s, 'bob')
  const { client } = await tradingClient(s.wsUrl, key)
  t.teardown(() => client.close())

  t.match(await trade(client, 'order.place', { ...BUY, symbol: 'NOPE-USDT' }), { type: 'error', code: 'SYMBOL_NOT_FOUND' })
  for (const body of [{ ...BUY, quantity: '0.000000000001' }, { ...BUY, price: '-1' }, { ...BUY, order_type: 'iceberg' }, { ...BUY, time_in_force: 'gtd', expire_time: 1 }]) {
    const rest = await signedRest(s, key, 'POST', '/order', body)
    t.match(await trade(client, 'order.place', body), { type: 'error', code: rest.body.error_code }, `${JSON.stringify(body)}: ${rest.body.error_code as string} as on REST`)
  }
  await trade(client, 'order.place', { ...BUY, client_order_id: 'dup' })
  t.match(await trade(client, 'order.place', { ...BUY, client_order_id: 'dup' }), { type: 'error', code: 'DUPLICATE_CLIENT_ORDER_ID' })
  t.match(await trade(client, 'order.cancel', { symbol: 'BTC-USDT', order_id: '999999' }), { type: 'error', code: 'ORDER_NOT_FOUND' })
  t.match(await trade(client, 'order.amend', { symbol: 'BTC-USDT', order_id: '999999', new_quantity: '1' }), { type: 'error', code: 'ORDER_NOT_FOUND' })
  t.match(await trade(client, 'order.status', { symbol: 'BTC-USDT', order_id: '999999' }), { type: 'error', code: 'ORDER_NOT_FOUND' })
  t.match(await trade(client, 'order.status', { symbol: 'BTC-USDT' }), { type: 'error', code: 'MISSING_ORDER_ID' })
  t.match(await trade(client, 'order.status', { order_id: '1' }), { type: 'error', code: 'MISSING_SYMBOL' })
  t.match(await trade(client, 'order.cancel_all', { side: 'up' }), { type: 'error', code: 'VALIDATION_ERROR' })
  const refused = await trade(client, 'order.place', { ...BUY, symbol: 'NOPE-USDT' })
  t.same(Object.keys(refused).sort(), ['code', 'id', 'message', 'type'], 'an error answer: type, id, code, message')
})

t.test('schema errors of params are INVALID_MESSAGE naming the field; the id is required', async (t) => {
  const s = await identityServer(t)
  const key = await newKey(s, 'carol')
  const { client } = await tradingClient(s.wsUrl, key)
  t.teardown(() => client.close())

  const expect = async (params: unknown, field: RegExp, type = 'order.place') => {
    const answer = await trade(client, type, params)
    t.match(answer, { type: 'error', code: 'INVALID_MESSAGE', message: field }, `${JSON.stringify(params)} → ${answer.message as string}`)
  }
  await expect({ ...BUY, colour: 'red' }, /params\.colour: is not a known field/)
  await expect({ side: 'buy', order_type: 'limit', quantity: '1', price: '1' }, /params\.symbol: is required/)
  await expect({ ...BUY, quantity: true }, /params\.quantity/)
  await expect({ ...BUY, client_order_id: 'bad id!' }, /params\.client_order_id/)
  await expect({ symbol: 'BTC-USDT', new_quantity: '1', extra: 1 }, /params\.extra/, 'order.amend')
  await expect({ symbol: 'BTC-USDT', order_id: 7 }, /params\.order_id/, 'order.cancel')
  await expect({ side: 'buy', symbol: 'X', bogus: 1 }, /params\.bogus/, 'order.cancel_all')
  await expect({ symbol: 'BTC-USDT', order_id: '1', zzz: 1 }, /params\.zzz/, 'order.status')
  await expect({ timeout_ms: 500 }, /params\.timeout_ms/, 'order.cancel_after')
  await expect({ timeout_ms: 86_400_001 }, /params\.timeout_ms/, 'order.cancel_after')

  t.match(await client.request({ type: 'order.place' }), { type: 'error', code: 'INVALID_MESSAGE', message: /params/ }, 'params missing')
  t.match(await client.request({ type: 'order.place', params: [1] }), { type: 'error', code: 'INVALID_MESSAGE', message: /params/ }, 'params not an object')
  t.match(await client.request({ type: 'order.place', params: BUY, extra: 1 }), { type: 'error', code: 'INVALID_MESSAGE', message: /extra/ }, 'an unknown envelope field')
  t.match(await client.request({ type: 'order.nope', params: {} }), { type: 'error', code: 'UNKNOWN_TYPE' })

  client.send({ type: 'order.place', params: BUY })
  const noId = await client.next((m) => m.type === 'error' && m.id === undefined)
  t.match(noId, { code: 'INVALID_MESSAGE', message: /"id"/ }, 'a missing id: INVALID_MESSAGE, without an id')
  client.send({ type: 'order.place', id: 'x'.repeat(65), params: BUY })
  t.match(await client.next((m) => m.type === 'error' && m.id === undefined), { code: 'INVALID_MESSAGE' }, 'an id over 64 characters is not one')
  const open = await within(client.roundTrip(), 2000, 'a ping')
  t.ok(open, 'the connection stays open')
})

t.test('sign-in and permissions: AUTH_REQUIRED, FORBIDDEN', async (t) => {
  const s = await identityServer(t)
  const { client: anonymous } = await tradingClient(s.wsUrl)
  t.teardown(() => anonymous.close())
  for (const type of ['order.place', 'order.status', 'order.cancel_after']) {
    t.match(await trade(anonymous, type, {}), { type: 'error', code: 'AUTH_REQUIRED' }, `${type} before a sign-in`)
  }

  const reader = await newKey(s, 'dave', ['read'])
  const { client: readOnly } = await tradingClient(s.wsUrl, reader)
  t.teardown(() => readOnly.close())
  for (const [type, params] of [['order.place', BUY], ['order.amend', { symbol: 'BTC-USDT', order_id: '1', new_quantity: '1' }], ['order.cancel', { symbol: 'BTC-USDT', order_id: '1' }],
    ['order.cancel_all', {}], ['order.cancel_after', { timeout_ms: 0 }]] as const) {
    t.match(await trade(readOnly, type, params), { type: 'error', code: 'FORBIDDEN', message: /trade/ }, `${type} needs trade`)
  }
  t.match(await trade(readOnly, 'order.status', { symbol: 'BTC-USDT', order_id: '1' }), { type: 'error', code: 'ORDER_NOT_FOUND' }, 'status needs only read')

  const trader = await newKey(s, 'erin', ['trade'])
  const { client: tradeOnly } = await tradingClient(s.wsUrl, trader)
  t.teardown(() => tradeOnly.close())
  t.match(await trade(tradeOnly, 'order.status', { symbol: 'BTC-USDT', order_id: '1' }), { type: 'error', code: 'FORBIDDEN', message: /read/ })
  t.match(await trade(tradeOnly, 'order.place', BUY), { type: 'order.place', result: { account_id: 'erin' } })
})

t.test('AUTH=off: no sign-in needed; the anonymous account; the sign-in may still ask cancel_on_disconnect', async (t) => {
  const s = await identityServer(t, { AUTH: 'off' })
  const { client } = await tradingClient(s.wsUrl)
  t.teardown(() => client.close())
  t.match(await trade(client, 'order.place', SELL), { type: 'order.place', result: { account_id: 'anonymous' } })
  const auth = await client.request({ type: 'auth', api_key: 'x', timestamp: Date.now(), signature: 'y', cancel_on_disconnect: true })
  t.match(auth, { type: 'authenticated', account_id: 'anonymous', cancel_on_disconnect: true })
})

t.test('WS_MAX_IN_FLIGHT: past it, TOO_MANY_IN_FLIGHT at once, not executed', async (t) => {
  const s = await identityServer(t, { WS_MAX_IN_FLIGHT: '2', JOURNAL_FSYNC: 'always' })
  const key = await newKey(s, 'frank')
  const { client } = await tradingClient(s.wsUrl, key)
  t.teardown(() => client.close())
  // One write: the server reads all six frames in one turn, before any answer can be ready.
  client.socket.cork()
  for (let i = 1; i <= 6; i++) client.send({ type: 'order.place', id: i, params: { ...BUY, client_order_id: `f${i}` } })
  client.socket.uncork()
  const answers: WsMessage[] = []
  for (let i = 0; i < 6; i++) answers.push(await client.next((m) => typeof m.id === 'number'))
  t.same(answers.map((a) => [a.id, codeOf(a)]).sort((a, b) => (a[0] as number) - (b[0] as number)),
    [[1, 'ok'], [2, 'ok'], [3, 'TOO_MANY_IN_FLIGHT'], [4, 'TOO_MANY_IN_FLIGHT'], [5, 'TOO_MANY_IN_FLIGHT'], [6, 'TOO_MANY_IN_FLIGHT']])
  t.same(answers.slice(0, 4).map((a) => a.id), [3, 4, 5, 6], 'refused before it was queued: answered at once, ahead of the queued ones')
  t.match(await trade(client, 'order.status', { symbol: 'BTC-USDT', client_order_id: 'f3' }), { code: 'ORDER_NOT_FOUND' }, 'a refused request was not executed')
  t.match(await trade(client, 'order.place', { ...BUY, client_order_id: 'f7' }), { type: 'order.place' }, 'room again once answered')
})

t.test('WS_MAX_ORDERS_PER_SECOND: RATE_LIMIT past it, close 1008 past twice it; order.* frames do not count against WS_MAX_MESSAGES_PER_SECOND', async (t) => {
  const s = await identityServer(t, { WS_MAX_ORDERS_PER_SECOND: '3', WS_MAX_MESSAGES_PER_SECOND: '2' })
  const key = await newKey(s, 'gina')
  const { client } = await tradingClient(s.wsUrl, key)
  t.teardown(() => client.close())
  client.socket.cork()
  for (let i = 1; i <= 6; i++) client.send({ type: 'order.status', id: i, params: { symbol: 'BTC-USDT', order_id: '1' } })
  client.socket.uncork()
  const answers: WsMessage[] = []
  for (let i = 0; i < 6; i++) answers.push(await client.next((m) => typeof m.id === 'number'))
  t.same(answers.map((a) => [a.id, codeOf(a)]).sort((a, b) => (a[0] as number) - (b[0] as number)),
    [[1, 'ORDER_NOT_FOUND'], [2, 'ORDER_NOT_FOUND'], [3, 'ORDER_NOT_FOUND'], [4, 'RATE_LIMIT'], [5, 'RATE_LIMIT'], [6, 'RATE_LIMIT']],
    'six order.* frames with a message limit of 2: only the order limit applies')
  client.send({ type: 'order.status', id: 7, params: { symbol: 'BTC-USDT', order_id: '1' } })
  const closed = await within(client.closed, 3000, 'the close')
  t.equal(closed.code, 1008, 'past twice the limit: closed')
  t.match(closed.reason, /order rate/)
})

t.test('AUTH_KEY_ORDERS_PER_SECOND: one budget per key for REST and /ws order entry', async (t) => {
  const s = await identityServer(t, { AUTH_KEY_ORDERS_PER_SECOND: '3' })
  const key = await newKey(s, 'hank')
  const { client } = await tradingClient(s.wsUrl, key)
  t.teardown(() => client.close())
  t.equal((await signedRest(s, key, 'POST', '/order', BUY)).status, 200, 'REST order 1')
  t.equal((await signedRest(s, key, 'POST', '/order', BUY)).status, 200, 'REST order 2')
  t.match(await trade(client, 'order.place', BUY), { type: 'order.place' }, 'WS order 3')
  t.match(await trade(client, 'order.amend', { symbol: 'BTC-USDT', order_id: '1', new_quantity: '1' }), { type: 'error', code: 'RATE_LIMIT', message: /3 orders per second/ }, 'WS order 4: over the key\'s budget')
  const rest = await signedRest(s, key, 'POST', '/order', BUY)
  t.equal(rest.status, 429, 'REST sees the WS orders too')
  t.match(await trade(client, 'order.cancel', { symbol: 'BTC-USDT', order_id: '1' }), { type: 'order.cancel' }, 'cancels are not order entry (as on REST)')
})

t.test('response_type and include_bbo over /ws: the same shapes as REST', async (t) => {
  const s = await identityServer(t)
  const key = await newKey(s, 'ivy')
  const { client } = await tradingClient(s.wsUrl, key)
  t.teardown(() => client.close())
  for (const [responseType, includeBbo] of [['ack', undefined], ['result', undefined], ['full', undefined], ['ack', true], ['full', false]] as const) {
    const extra: Record<string, unknown> = { response_type: responseType }
    if (includeBbo !== undefined) extra.include_bbo = includeBbo
    const rest = await signedRest(s, key, 'POST', '/order', { ...BUY, ...extra })
    t.equal(rest.status, 200)
    const ws = await trade(client, 'order.place', { ...BUY, ...extra })
    const result = ws.result as Record<string, unknown>
    t.same(Object.keys(result), Object.keys(rest.body), `order.place ${JSON.stringify(extra)}: the REST answer's fields, in its order`)
    t.equal('bbo' in result, includeBbo ?? responseType === 'full', 'bbo only when asked (by default with full)')
    const amended = await trade(client, 'order.amend', { symbol: 'BTC-USDT', order_id: result.order_id, new_quantity: '0.5', ...extra })
    t.same(Object.keys(amended.result as object), Object.keys(rest.body), `order.amend ${JSON.stringify(extra)}: the same shape`)
  }
  const ack = await trade(client, 'order.place', { ...SELL, price: '100', response_type: 'ack' })
  t.same(Object.keys(ack.result as object).sort(), ['client_order_id', 'order_id', 'processing_time_ms', 'status', 'symbol', 'timestamp'])
  t.match(await trade(client, 'order.place', { ...BUY, response_type: 'tiny' }), { type: 'error', code: 'INVALID_MESSAGE', message: /params\.response_type/ })
})

t.test('cancel_on_disconnect and cancel_after in process: the account\'s open orders go, another account\'s stay', async (t) => {
  const s = await identityServer(t)
  const [leaver, timer, other] = await Promise.all([newKey(s, 'leaver'), newKey(s, 'timer'), newKey(s, 'other')])
  const open = async (key: Key) => ((await signedRest(s, key, 'GET', '/orders')).body.orders as unknown[]).length
  const { client: stays } = await tradingClient(s.wsUrl, other)
  t.teardown(() => stays.close())
  await trade(stays, 'order.place', { ...BUY, price: '50' })

  const { client: leaving, authenticated } = await tradingClient(s.wsUrl, leaver, { cancel_on_disconnect: true })
  t.equal(authenticated?.cancel_on_disconnect, true, 'echoed')
  await trade(leaving, 'order.place', { ...SELL, price: '500' })
  await trade(leaving, 'order.place', { ...SELL, price: '501' })
  t.equal(await open(leaver), 2)
  // Sent right before the close, their answers still waiting for the journal when the socket ends.
  for (let i = 0; i < 10; i++) leaving.send({ type: 'order.place', id: `late${i}`, params: { ...SELL, price: String(510 + i) } })
  await leaving.close()
  await until(async () => await open(leaver) === 0, 3000, 'the leaver\'s orders cancelled')

  const { client: timed } = await tradingClient(s.wsUrl, timer)
  t.teardown(() => timed.close())
  await trade(timed, 'order.place', { ...SELL, price: '600' })
  await trade(timed, 'order.cancel_after', { timeout_ms: 1000 })
  await until(async () => await open(timer) === 0, 3000, 'the timer\'s orders cancelled')
  t.equal(await open(other), 1, 'the other account\'s order is still open')
  t.match(await gatewayStats(s.url), { cancel_on_disconnect_fired: 1, cancel_after_fired: 1 })
})
