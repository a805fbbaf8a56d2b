/**
 * Pipelining on one connection under reordering pressure: requests the
 * exchange refuses at once (an unknown order's status, a past expire_time, a
 * schema error) interleaved with ones that wait for the journal (orders,
 * cancels, cancel-alls), with a real journal directory under both fsync
 * policies. Every id is answered exactly once and in the order sent.
 */
import t from 'tap'
import { identityServer } from './identity.js'
import { gatewayStats } from './ws-client.js'
import { assertInOrder, pipeline, tradingClient } from './trading-client.js'

/** The frame for request i and the answer type (or error code) it must get. */
function frame (i: number): { frame: Record<string, unknown>, expect: string } {
  const side = i % 2 === 0 ? 'buy' : 'sell'
  const order = { symbol: 'BTC-USDT', side, order_type: 'limit', quantity: '1', price: '100' }
  switch (i % 7) {
    case 0: return { frame: { type: 'order.place', id: i, params: order }, expect: 'order.place' }
    case 1: return { frame: { type: 'order.status', id: i, params: { symbol: 'BTC-USDT', order_id: '999999999' } }, expect: 'ORDER_NOT_FOUND' }
    case 2: return { frame: { type: 'order.place', id: `s${i}`, params: { ...order, nonsense: true } }, expect: 'INVALID_MESSAGE' }
    case 3: return { frame: { type: 'order.place', id: i, params: { ...order, time_in_force: 'gtd', expire_time: 1 } }, expect: 'INVALID_EXPIRE_TIME' }
    case 4: return { frame: { type: 'order.cancel', id: i, params: { symbol: 'BTC-USDT', order_id: '999999999' } }, expect: 'ORDER_NOT_FOUND' }
    case 5: return { frame: { type: 'order.cancel_after', id: i, params: { timeout_ms: 0 } }, expect: 'order.cancel_after' }
    default: return { frame: { type: 'order.cancel_all', id: i, params: { symbol: 'ETH-USDT' } }, expect: 'order.cancel_all' }
  }
}

for (const fsync of ['always', 'batch'] as const) {
  t.test(`JOURNAL_FSYNC=${fsync}: 700 pipelined requests, answers in request order, each exactly once`, async (t) => {
    const s = await identityServer(t, { AUTH: 'off', JOURNAL_FSYNC: fsync, WS_MAX_IN_FLIGHT: '1000', WS_MAX_ORDERS_PER_SECOND: '100000' })
    const { client } = await tradingClient(s.wsUrl)
    t.teardown(() => client.close())
    const made = Array.from({ length: 700 }, (_, i) => frame(i))
    const frames = made.map((m) => m.frame)
    // A ping in the middle of the batch: not an order.* request, answered as it arrives.
    client.socket.cork()
    const answers = pipeline(client, frames)
    client.send({ type: 'ping', id: 'p' })
    client.socket.uncork()
    const got = await answers
    assertInOrder(t, frames, got)
    t.same(got.map((a) => a.type === 'error' ? a.code : a.type), made.map((m) => m.expect), 'each answer is the one its request gets')
    t.match(await client.next((m) => m.id === 'p'), { type: 'pong' }, 'the ping is answered too')
    t.same(await client.quiet(100, (m) => m.id !== undefined), [], 'nothing answered twice')
    const trades = got.filter((a) => a.type === 'order.place').map((a) => (a.result as { status: string }).status)
    t.ok(trades.includes('filled'), 'orders traded with each other on the way')
    t.equal((await gatewayStats(s.url)).trading_in_flight, 0, 'nothing left in flight')
  })
}

t.test('several connections pipelining at once: each connection\'s answers in its own order', async (t) => {
  const s = await identityServer(t, { AUTH: 'off', JOURNAL_FSYNC: 'batch', WS_MAX_ORDERS_PER_SECOND: '100000' })
  const clients = await Promise.all([0, 1, 2].map(async () => (await tradingClient(s.wsUrl)).client))
  t.teardown(() => Promise.all(clients.map((c) => c.close())))
  const batches = clients.map(() => Array.from({ length: 200 }, (_, i) => frame(i).frame))
  const results = await Promise.all(clients.map((client, n) => pipeline(client, batches[n])))
  results.forEach((got, n) => assertInOrder(t, batches[n], got))
})

t.test('order.* frames the JSON reader refuses are answered in their turn, not ahead of earlier requests', async (t) => {
  // fsync always: the valid orders wait for the disk, so an answer sent at once would overtake them.
  const s = await identityServer(t, { AUTH: 'off', JOURNAL_FSYNC: 'always' })
  const { client } = await tradingClient(s.wsUrl)
  t.teardown(() => client.close())
  const before = (await gatewayStats(s.url)).trading_requests
  const order = '{"symbol":"BTC-USDT","side":"buy","order_type":"limit","quantity":"1","price":"100","response_type":"ack"}'
  client.socket.cork()
  client.sendRaw(`{"type":"order.place","id":1,"params":${order}}`)
  client.sendRaw('{"type":"order.place","id":2,"params":{"symbol":"BTC-USDT","symbol":"ETH-USDT","side":"buy","order_type":"limit","quantity":"1","price":"100"}}')
  client.sendRaw(`{"type":"order.place","id":3,"params":${order.replace('"100"', '20000.010000000000001')}}`)
  client.sendRaw(`{"type":"order.place","id":4,"params":${order}}`)
  // The id itself repeated: which one it meant is unknown, so it is answered at once without an id, as a missing id is.
  client.sendRaw(`{"type":"order.place","id":5,"id":6,"params":${order}}`)
  client.socket.uncork()
  const answers = []
  for (let i = 0; i < 4; i++) answers.push(await client.next((m) => m.id !== undefined && (m.type === 'error' || m.type === 'order.place'), 5000))
  t.same(answers.map((a) => a.id), [1, 2, 3, 4], 'answers in request order')
  t.same(answers.map((a) => a.type === 'error' ? a.code : a.type), ['order.place', 'INVALID_JSON', 'INVALID_JSON', 'order.place'])
  t.match(answers[1].message, /duplicate key 'symbol'/)
  t.match(answers[2].message, /cannot be read exactly/)
  t.match(await client.next((m) => m.type === 'error' && m.id === undefined, 5000), { code: 'INVALID_MESSAGE' })
  const stats = await gatewayStats(s.url)
  t.equal(stats.trading_requests - before, 5, 'each counted as an order.* request')
  t.equal(stats.trading_in_flight, 0)
})
