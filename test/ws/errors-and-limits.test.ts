import t, { type Test } from 'tap'
import { startServer } from '../helpers/server.js'
import {
  TestClient, connect, gatewayStats, healthConnections, isSnapshot, isType, placeOrder, sleep, until, within
} from './ws-client.js'

async function server (t: Test, env: Record<string, string> = {}) {
  const s = await startServer({ WS_BATCH_MS: '5', ...env })
  t.teardown(() => s.close())
  return s
}

async function client (t: Test, wsUrl: string, options = {}) {
  const { client, connected } = await connect(wsUrl, options)
  t.teardown(() => client.close())
  return { client, connected }
}

/** A raw client whose fate is a refusal: open, then closed, never greeted. */
async function refused (t: Test, wsUrl: string, options = {}) {
  const c = new TestClient(wsUrl, options)
  t.teardown(() => c.close())
  return within(c.closed, 2000, 'the refusal close').then((close) => ({ close, client: c }))
}

t.test('every error code answers {type: "error", code, message} and the connection stays open', async (t) => {
  const s = await server(t, { WS_MAX_MESSAGES_PER_SECOND: '1000' })
  const { client: c } = await client(t, s.wsUrl)
  const cases: Array<[string, string | Record<string, unknown>, string]> = [
    ['not JSON', '{"type": "ping"', 'INVALID_JSON'],
    ['empty frame', '', 'INVALID_JSON'],
    ['an array', '[{"type":"ping"}]', 'INVALID_MESSAGE'],
    ['a string', '"ping"', 'INVALID_MESSAGE'],
    ['a number', '42', 'INVALID_MESSAGE'],
    ['null', 'null', 'INVALID_MESSAGE'],
    ['missing type', { channel: 'trades' }, 'INVALID_MESSAGE'],
    ['non-string type', { type: 5 }, 'INVALID_MESSAGE'],
    ['wrong field type (channel)', { type: 'subscribe', channel: 5, id: 'ch' }, 'INVALID_MESSAGE'],
    ['wrong field type (symbol)', { type: 'subscribe', channel: 'trades', symbol: 7, id: 'sym' }, 'INVALID_MESSAGE'],
    ['wrong field type (id)', { type: 'ping', id: { nested: true } }, 'INVALID_MESSAGE'],
    ['unknown extra field on subscribe', { type: 'subscribe', channel: 'trades', levels: 10, id: 'x1' }, 'INVALID_MESSAGE'],
    // The frame parsed, so whatever else is wrong, its id comes back.
    ['an id and nothing else', { id: 'e2' }, 'INVALID_MESSAGE'],
    ['an id and a non-string type', { id: 7, type: ['ping'] }, 'INVALID_MESSAGE'],
    ['an id on a subscribe missing its channel', { type: 'subscribe', id: 'e3' }, 'INVALID_MESSAGE'],
    ['an id on a ping with an extra field', { type: 'ping', id: 'e4', x: 1 }, 'INVALID_MESSAGE'],
    ['depth not an integer', { type: 'subscribe', channel: 'l2_updates', symbol: 'BTC-USDT', depth: 2.5, id: 'd0' }, 'INVALID_DEPTH'],
    ['depth not offered', { type: 'subscribe', channel: 'l2_updates', symbol: 'BTC-USDT', depth: 7, id: 'd1' }, 'INVALID_DEPTH'],
    ['depth over WS_MAX_DEPTH', { type: 'subscribe', channel: 'l2_updates', symbol: 'BTC-USDT', depth: 5000, id: 'd2' }, 'INVALID_DEPTH'],
    ['depth on trades', { type: 'subscribe', channel: 'trades', depth: 10, id: 'd3' }, 'INVALID_DEPTH'],
    ['unknown extra field on ping', { type: 'ping', extra: 1, id: 'x2' }, 'INVALID_MESSAGE'],
    ['unknown type', { type: 'order', id: 3 }, 'UNKNOWN_TYPE'],
    ['unknown channel', { type: 'subscribe', channel: 'klines', symbol: 'BTC-USDT', id: 'c' }, 'INVALID_CHANNEL'],
    ['candles without an interval', { type: 'subscribe', channel: 'candles', symbol: 'BTC-USDT', id: 'c' }, 'INVALID_INTERVAL'],
    ['candles without a symbol', { type: 'subscribe', channel: 'candles', interval: '1m' }, 'SYMBOL_REQUIRED'],
    ['l2 without symbol', { type: 'subscribe', channel: 'l2_updates', id: 'l2' }, 'SYMBOL_REQUIRED'],
    ['depth on orders', { type: 'subscribe', channel: 'orders', depth: 10 }, 'INVALID_DEPTH'],
    ['unknown symbol on fills', { type: 'subscribe', channel: 'fills', symbol: 'XRP-USDT', id: 'f' }, 'SYMBOL_NOT_FOUND'],
    ['unknown symbol', { type: 'subscribe', channel: 'l2_updates', symbol: 'XRP-USDT', id: 'x' }, 'SYMBOL_NOT_FOUND'],
    ['unknown symbol on trades', { type: 'subscribe', channel: 'trades', symbol: 'DOGE-USDT' }, 'SYMBOL_NOT_FOUND'],
    ['unsubscribe without subscribe', { type: 'unsubscribe', channel: 'trades', symbol: 'BTC-USDT', id: 'u' }, 'NOT_SUBSCRIBED'],
    ['unsubscribe all-symbol trades without subscribe', { type: 'unsubscribe', channel: 'trades' }, 'NOT_SUBSCRIBED']
  ]
  for (const [name, message, code] of cases) {
    if (typeof message === 'string') c.sendRaw(message)
    else c.send(message)
    const error = await c.next(isType('error'), 2000, `the error for ${name}`)
    t.equal(error.code, code, `${name} → ${code}`)
    t.ok(typeof error.message === 'string' && error.message.length > 0, `${name}: a message saying why (${error.message})`)
    if (code === 'SYMBOL_NOT_FOUND') t.match(error.message, /traded symbols: BTC-USDT, ETH-USDT, BNB-USDT, SOL-USDT/, `${name}: names the traded symbols`)
    const id = typeof message === 'object' ? message.id : undefined
    if (typeof id === 'string' || typeof id === 'number') t.equal(error.id, id, `${name}: the id is echoed`)
    else t.notOk('id' in error, `${name}: no id to echo`)
    t.ok(await c.roundTrip(), `${name}: still open (ping/pong)`)
  }
  // Raw frames: an array or a scalar carries no id; duplicate keys are refused as INVALID_JSON, with the id when it is not the repeated key.
  const raw: Array<[string, string, string, string | number | undefined]> = [
    ['duplicate key', '{"type":"subscribe","channel":"trades","channel":"orders","id":"k1"}', 'INVALID_JSON', 'k1'],
    ['duplicate key in disguise', '{"type":"ping","\\u0074ype":"ping","id":5}', 'INVALID_JSON', 5],
    ['duplicate id', '{"type":"ping","id":"a","id":"b"}', 'INVALID_JSON', undefined],
    ['a prototype key (the HTTP body reader refuses it too)', '{"type":"ping","__proto__":{"x":1},"id":"p"}', 'INVALID_JSON', 'p'],
    ['a number a double cannot hold', '{"type":"ping","id":"n","depth":20000.010000000000001}', 'INVALID_JSON', 'n'],
    ['an over-long id is not echoed', JSON.stringify({ id: 'z'.repeat(65) }), 'INVALID_MESSAGE', undefined],
    ['an array with an id inside', '[{"id":"in"}]', 'INVALID_MESSAGE', undefined]
  ]
  for (const [name, text, code, id] of raw) {
    c.sendRaw(text)
    const error = await c.next(isType('error'), 2000, `the error for ${name}`)
    t.equal(error.code, code, `${name} → ${code} (${String(error.message)})`)
    if (id === undefined) t.notOk('id' in error, `${name}: no id`)
    else t.equal(error.id, id, `${name}: the id is echoed`)
  }
  t.same(await c.quiet(50), [], 'nothing else was sent (no snapshot for a refused subscribe)')
  t.equal(c.closeInfo, null, 'never closed')
})

t.test('TOO_MANY_SUBSCRIPTIONS past WS_MAX_SUBSCRIPTIONS; resubscribing an existing one does not count', async (t) => {
  const s = await server(t, { WS_MAX_SUBSCRIPTIONS: '2' })
  const { client: c } = await client(t, s.wsUrl)
  await c.subscribe('trades', 'BTC-USDT')
  await c.subscribe('trades')
  const error = await c.request({ type: 'subscribe', channel: 'l2_updates', symbol: 'ETH-USDT' })
  t.match(error, { type: 'error', code: 'TOO_MANY_SUBSCRIPTIONS' })
  t.same(await c.quiet(50, isSnapshot('ETH-USDT')), [], 'no snapshot for the refused subscription')
  t.match(await c.request({ type: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' }), { type: 'subscribed' }, 'an existing one is still fine')
  t.equal((await gatewayStats(s.url)).subscriptions, 2)
  t.ok(await c.roundTrip(), 'still open')
  t.match(await c.request({ type: 'unsubscribe', channel: 'trades' }), { type: 'unsubscribed' })
  const snapshot = await c.subscribe('l2_updates', 'ETH-USDT')
  t.equal(snapshot?.symbol, 'ETH-USDT', 'room again after an unsubscribe')
})

t.test('an oversized message closes with 1009 (WS_MAX_PAYLOAD)', async (t) => {
  const s = await server(t, { WS_MAX_PAYLOAD: '256' })
  const { client: c } = await client(t, s.wsUrl)
  const fits = JSON.stringify({ type: 'ping', id: 'x'.repeat(64) })
  c.sendRaw(fits + ' '.repeat(256 - fits.length))
  t.match(await c.next(isType('pong')), { id: 'x'.repeat(64) }, 'exactly 256 bytes is accepted')
  c.sendRaw(JSON.stringify({ type: 'ping', id: 'y'.repeat(300) }))
  const close = await within(c.closed, 2000, 'the 1009 close')
  t.equal(close.code, 1009, 'closed with 1009 message too big')
  await until(async () => await healthConnections(s.url) === 0, 2000, 'the connection count to drop')
})

t.test('a message flood gets RATE_LIMIT, then close 1008 if it goes on', async (t) => {
  const s = await server(t, { WS_MAX_MESSAGES_PER_SECOND: '5' })

  await t.test('a little over the limit: RATE_LIMIT once, the rest dropped, still open', async (t) => {
    const { client: c } = await client(t, s.wsUrl)
    for (let i = 0; i < 7; i++) c.send({ type: 'ping', id: i })
    const error = await c.next(isType('error'))
    t.match(error, { code: 'RATE_LIMIT' })
    t.notOk('id' in error)
    await sleep(100)
    t.same(c.received.filter((m) => m.type === 'pong').map((m) => m.id), [0, 1, 2, 3, 4], 'five pongs, the 6th and 7th dropped')
    t.equal(c.received.filter((m) => m.type === 'error').length, 1, 'one RATE_LIMIT error per window')
    t.equal(c.closeInfo, null, 'still open')
    await sleep(1000)
    t.ok(await c.roundTrip(), 'served again in the next one-second window')
  })

  await t.test('30 pings at once: RATE_LIMIT then close 1008', async (t) => {
    const { client: c } = await client(t, s.wsUrl)
    for (let i = 0; i < 30; i++) c.send({ type: 'ping', id: i })
    const close = await within(c.closed, 2000, 'the 1008 close')
    t.equal(close.code, 1008, 'closed with 1008 policy violation')
    t.match(close.reason, /rate/)
    t.equal(c.received.filter((m) => m.type === 'pong').length, 5, 'the first five were served')
    t.match(c.received.filter((m) => m.type === 'error'), [{ code: 'RATE_LIMIT' }], 'the RATE_LIMIT error came before the close')
  })
})

t.test('connection cap in total (WS_MAX_CONNECTIONS): the one too many gets 1013', async (t) => {
  const s = await server(t, { WS_MAX_CONNECTIONS: '2' })
  const { client: a } = await client(t, s.wsUrl)
  await client(t, s.wsUrl)
  const third = await refused(t, s.wsUrl)
  t.equal(third.close.code, 1013, 'refused with 1013 try again later')
  t.match(third.close.reason, /limit/)
  t.same(third.client.received, [], 'no connected greeting')
  t.equal(await healthConnections(s.url), 2)
  t.equal((await gatewayStats(s.url)).refused_connections, 1)

  await a.close()
  await until(async () => await healthConnections(s.url) === 1, 2000, 'the count to drop to 1')
  const { connected } = await client(t, s.wsUrl)
  t.equal(connected.type, 'connected', 'a slot freed is a slot taken')
})

t.test('connection cap per IP (WS_MAX_CONNECTIONS_PER_IP): another address still gets in', async (t) => {
  const s = await server(t, { WS_MAX_CONNECTIONS_PER_IP: '1' })
  const { client: first } = await client(t, s.wsUrl)
  const second = await refused(t, s.wsUrl)
  t.equal(second.close.code, 1013, 'a second connection from 127.0.0.1 is refused with 1013')
  // The whole of 127.0.0.0/8 is local on Linux: another source address is another IP.
  const { connected } = await client(t, s.wsUrl, { localAddress: '127.0.0.2' })
  t.equal(connected.type, 'connected', '127.0.0.2 has its own allowance')
  t.equal(await healthConnections(s.url), 2)

  await first.close()
  await until(async () => await healthConnections(s.url) === 1, 2000, 'the count to drop to 1')
  const again = await client(t, s.wsUrl)
  t.equal(again.connected.type, 'connected', 'a closed connection gives its IP slot back')
})

t.test('GET /health and GET /statistics follow connections, subscriptions and messages sent', async (t) => {
  const s = await server(t)
  const zero = await gatewayStats(s.url)
  t.match(zero, { connections: 0, subscriptions: 0, messages_sent: 0, slow_consumer_disconnects: 0 })
  t.equal(await healthConnections(s.url), 0)

  const { client: a } = await client(t, s.wsUrl)
  const { client: b } = await client(t, s.wsUrl)
  t.equal(await healthConnections(s.url), 2, '/health counts live connections')
  t.match(await gatewayStats(s.url), { connections: 2, subscriptions: 0, messages_sent: 2 }, 'two connected greetings')

  await a.subscribe('l2_updates', 'BTC-USDT') // subscribed + snapshot
  await a.subscribe('trades', 'BTC-USDT') // subscribed
  await b.subscribe('trades') // subscribed
  await b.subscribe('trades') // idempotent: subscribed again, still one subscription
  t.match(await gatewayStats(s.url), { connections: 2, subscriptions: 3, messages_sent: 7 })

  await placeOrder(s.url, { side: 'sell', quantity: '0.1', price: '30000' })
  // A level that appears and goes within one window is no change to a depth view: wait for this one's delta first.
  await a.next((m) => m.kind === 'delta')
  await placeOrder(s.url, { side: 'buy', quantity: '0.1', price: '30000' })
  await a.next(isType('trade'))
  await b.next(isType('trade'))
  await sleep(30)
  const after = await gatewayStats(s.url)
  const deltas = a.received.filter((m) => m.kind === 'delta').length
  t.ok(deltas >= 1, 'a got deltas')
  t.equal(after.messages_sent, 7 + deltas + 2, 'each delta and trade message counted once per receiver')

  t.match(await a.request({ type: 'unsubscribe', channel: 'trades', symbol: 'BTC-USDT' }), { type: 'unsubscribed' })
  t.match(await gatewayStats(s.url), { subscriptions: 2, messages_sent: after.messages_sent + 1 })

  await a.close()
  await until(async () => await healthConnections(s.url) === 1, 2000, '/health to drop to 1')
  t.match(await gatewayStats(s.url), { connections: 1, subscriptions: 1, slow_consumer_disconnects: 0 }, 'a closed connection takes its subscriptions along')
})
