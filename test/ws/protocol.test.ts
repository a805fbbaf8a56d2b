import t, { type Test } from 'tap'
import { crc32 } from 'node:zlib'
import { startServer } from '../helpers/server.js'
import { connect, isDelta, isSnapshot, isType, placeOrder, rest, type L2Message, type WsMessage } from './ws-client.js'

const SYMBOL = 'BTC-USDT'

async function server (t: Test, env: Record<string, string> = {}) {
  const s = await startServer({ WS_BATCH_MS: '10', ...env })
  t.teardown(() => s.close())
  return s
}

async function client (t: Test, wsUrl: string) {
  const { client, connected } = await connect(wsUrl)
  t.teardown(() => client.close())
  return { client, connected }
}

t.test('connected greets with a session id, a timestamp and the four default symbols', async (t) => {
  const s = await server(t)
  const { connected } = await client(t, s.wsUrl)
  const second = await client(t, s.wsUrl)
  t.equal(connected.type, 'connected')
  t.match(connected.session_id, /^[0-9a-f-]{36}$/)
  t.not(connected.session_id, second.connected.session_id, 'each connection has its own session')
  t.type(connected.timestamp, 'number')
  t.ok(Math.abs((connected.timestamp as number) - Date.now() / 1000) < 60, 'timestamp is epoch seconds')
  t.same(connected.symbols, ['BTC-USDT', 'ETH-USDT', 'BNB-USDT', 'SOL-USDT'])
  t.match(connected.nonce, /^[0-9a-f]{32}$/, 'a nonce to sign in over')
  t.not(connected.nonce, second.connected.nonce, 'each connection has its own nonce')
  t.equal(connected.auth, 'off', 'this server runs with AUTH=off')
})

t.test('l2 subscribe: subscribed (id echoed), snapshot, idempotent resubscribe, deltas chained by prev_seq', async (t) => {
  const s = await server(t)
  await placeOrder(s.url, { side: 'buy', quantity: '0.5', price: '30000' })
  await placeOrder(s.url, { side: 'sell', quantity: '0.3', price: '30100' })
  const { client: c } = await client(t, s.wsUrl)

  c.send({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, id: 'sub-1' })
  const subscribed = await c.next(isType('subscribed'))
  t.match(subscribed, { type: 'subscribed', channel: 'l2_updates', symbol: SYMBOL, id: 'sub-1', depth: 100, interval: 'raw' })
  t.type(subscribed.timestamp, 'number')
  const snapshot = await c.next<L2Message>(isSnapshot(SYMBOL))
  t.ok(c.received.indexOf(subscribed) < c.received.indexOf(snapshot), 'snapshot comes after subscribed')
  t.match(snapshot, { type: 'l2_update', symbol: SYMBOL, kind: 'snapshot', depth: 100, interval: 'raw' })
  t.equal(snapshot.checksum, crc32('30000:0.5|30100:0.3'), 'checksum: CRC-32 of the README string')
  t.ok(Number.isInteger(snapshot.seq), 'snapshot seq is an integer')
  t.type(snapshot.timestamp, 'number')
  t.same(snapshot.bids, [['30000', '0.5']])
  t.same(snapshot.asks, [['30100', '0.3']])

  // Subscribing again is idempotent: another subscribed (and a fresh snapshot), still one subscription.
  const again = await c.request({ type: 'subscribe', channel: 'l2_updates', symbol: 'btc-usdt' })
  t.match(again, { type: 'subscribed', channel: 'l2_updates', symbol: SYMBOL })
  const snapshot2 = await c.next<L2Message>(isSnapshot(SYMBOL))
  t.equal(snapshot2.seq, snapshot.seq, 'no change, same seq')
  t.same([snapshot2.bids, snapshot2.asks], [snapshot.bids, snapshot.asks])

  await placeOrder(s.url, { side: 'buy', quantity: '0.2', price: '30000' })
  await placeOrder(s.url, { side: 'buy', quantity: '0.1', price: '29999.5' })
  // Two REST round trips may fall in one 10 ms window or two: collect until both levels are seen.
  const first = await c.next<L2Message>(isDelta(SYMBOL))
  t.equal(first.prev_seq, snapshot.seq, 'the first delta applies to the snapshot\'s seq')
  t.ok(first.seq > snapshot.seq)
  t.type(first.timestamp, 'number')
  t.same(first.asks, [])
  const changes = new Map(first.bids)
  let last = first
  if (changes.size < 2) {
    last = await c.next<L2Message>(isDelta(SYMBOL))
    t.equal(last.prev_seq, first.seq)
    for (const [p, q] of last.bids) changes.set(p, q)
  }
  t.same([...changes], [['30000', '0.7'], ['29999.5', '0.1']], 'changed levels with new totals, canonical decimals')
  const duplicates = await c.quiet(100, isDelta(SYMBOL))
  t.same(duplicates, [], 'a double subscribe does not double the deltas')

  // A crossing sell takes a level away: [price, "0"]; the partially hit level shows its new total.
  await placeOrder(s.url, { side: 'sell', quantity: '0.75', price: '29999.5' })
  const removal = await c.next<L2Message>(isDelta(SYMBOL))
  t.equal(removal.prev_seq, last.seq)
  t.same(removal.bids, [['30000', '0'], ['29999.5', '0.05']])
  t.equal(removal.checksum, crc32('29999.5:0.05|30100:0.3'))
  t.same(removal.asks, [])
  await placeOrder(s.url, { symbol: 'ETH-USDT', side: 'buy', quantity: '1', price: '2000' })
  t.same(await c.quiet(100, isType('l2_update')), [], 'no l2 of a symbol not subscribed')
  const book = await rest<{ bids: unknown, asks: unknown, seq: number, checksum: number }>(s.url, 'GET', `/book/${SYMBOL}`)
  t.same([book.body.bids, book.body.asks], [[['29999.5', '0.05']], [['30100', '0.3']]])
  t.same([book.body.seq, book.body.checksum], [removal.seq, removal.checksum], 'GET /book: the same seq and checksum as the last delta')
})

t.test('trades: per symbol and all symbols, in execution order, once per message for both subscriptions', async (t) => {
  const s = await server(t)
  const { client: one } = await client(t, s.wsUrl)
  const { client: all } = await client(t, s.wsUrl)
  const { client: both } = await client(t, s.wsUrl)
  await one.subscribe('trades', SYMBOL)
  await all.subscribe('trades')
  await both.subscribe('trades', SYMBOL)
  const allSubscribed = await both.request({ type: 'subscribe', channel: 'trades' })
  t.match(allSubscribed, { type: 'subscribed', channel: 'trades' })
  t.notOk('symbol' in allSubscribed, 'an all-symbol subscription has no symbol')

  await placeOrder(s.url, { side: 'sell', quantity: '0.1', price: '30100' })
  await placeOrder(s.url, { side: 'sell', quantity: '0.2', price: '30200' })
  const taker = await placeOrder(s.url, { side: 'buy', order_type: 'market', quantity: '0.3' })
  const restTrades = (taker.trades as Array<Record<string, unknown>>)
    .map(({ maker_order_id: _m, taker_order_id: _t, ...publicFields }) => publicFields)
  t.equal(restTrades.length, 2)

  for (const [name, c] of [['symbol', one], ['all', all], ['both', both]] as const) {
    const message = await c.next(isType('trade'), 2000, `a trade for the ${name} client`)
    t.equal(message.symbol, SYMBOL, `${name}: symbol`)
    const data = message.data as Array<Record<string, unknown>>
    t.same(data.map((x) => [x.price, x.quantity, x.aggressor_side]), [['30100', '0.1', 'buy'], ['30200', '0.2', 'buy']], `${name}: execution order`)
    t.same(data, restTrades, `${name}: the REST trade fields`)
    for (const trade of data) {
      t.notOk('maker_order_id' in trade || 'taker_order_id' in trade, `${name}: the public tape carries no order ids`)
    }
  }

  // Another symbol: only the all-symbol subscribers hear it.
  await placeOrder(s.url, { symbol: 'ETH-USDT', side: 'sell', quantity: '1', price: '2000' })
  await placeOrder(s.url, { symbol: 'ETH-USDT', side: 'buy', quantity: '1', price: '2000' })
  const eth = await all.next(isType('trade', (m) => m.symbol === 'ETH-USDT'))
  t.match(eth.data, [{ symbol: 'ETH-USDT', price: '2000', quantity: '1', aggressor_side: 'buy' }])
  await both.next(isType('trade', (m) => m.symbol === 'ETH-USDT'))

  // A later trade goes out later, with a later trade id.
  await placeOrder(s.url, { side: 'sell', quantity: '0.5', price: '30300' })
  await placeOrder(s.url, { side: 'buy', quantity: '0.5', price: '30300' })
  for (const c of [one, all, both]) {
    const later = await c.next(isType('trade', (m) => m.symbol === SYMBOL))
    t.match(later.data, [{ trade_id: 'BTC-USDT-3', price: '30300', quantity: '0.5' }], 'a later trade, a later message')
  }

  t.same(await one.quiet(100, isType('trade')), [], 'the symbol client saw no ETH trade')
  t.same(await both.quiet(0, isType('trade')), [], 'a client subscribed to the symbol and to all symbols gets each trade message once')
  t.same(both.received.filter((m) => m.type === 'trade').map((m) => m.symbol), [SYMBOL, 'ETH-USDT', SYMBOL], 'both: BTC, ETH, BTC')
  t.same(one.received.filter((m) => m.type === 'trade').map((m) => m.symbol), [SYMBOL, SYMBOL], 'symbol only: BTC, BTC')
})

t.test('orders channel with AUTH=off: the anonymous account\'s resting, partially_filled, filled, cancelled, rejected with the order fields, unsigned', async (t) => {
  const s = await server(t)
  const { client: c } = await client(t, s.wsUrl)
  await c.subscribe('orders', SYMBOL)
  const events = async () => {
    const m = await c.next(isType('order_event'))
    t.equal(m.symbol, SYMBOL)
    return m.data as Array<Record<string, unknown>>
  }

  const buy = await placeOrder(s.url, { side: 'buy', quantity: '1', price: '29000', client_order_id: 'bid-1' })
  const [resting] = await events()
  t.same(resting, {
    event_type: 'resting',
    order_id: buy.order_id,
    client_order_id: 'bid-1',
    symbol: SYMBOL,
    side: 'buy',
    order_type: 'limit',
    status: 'pending',
    cancel_reason: null,
    account_id: 'anonymous',
    stp: 'none',
    price: '29000',
    quantity: '1',
    filled_quantity: '0',
    remaining_quantity: '1',
    timestamp: buy.timestamp,
    time_in_force: 'gtc',
    post_only: false,
    stop_price: null,
    display_quantity: null,
    expire_time: null,
    quote_quantity: null,
    list_id: null
  })

  const sell = await placeOrder(s.url, { side: 'sell', quantity: '0.4', price: '29000' })
  t.match(await events(), [
    { event_type: 'partially_filled', order_id: buy.order_id, status: 'partially_filled', filled_quantity: '0.4', remaining_quantity: '0.6' },
    { event_type: 'filled', order_id: sell.order_id, side: 'sell', status: 'filled', filled_quantity: '0.4', remaining_quantity: '0' }
  ], 'maker partial then taker filled, in order')

  const ioc = await placeOrder(s.url, { side: 'sell', order_type: 'ioc', quantity: '1', price: '29000' })
  t.match(await events(), [
    { event_type: 'filled', order_id: buy.order_id, filled_quantity: '1', remaining_quantity: '0' },
    { event_type: 'cancelled', order_id: ioc.order_id, order_type: 'ioc', status: 'cancelled', filled_quantity: '0.6', remaining_quantity: '0.4' }
  ], 'maker filled, ioc rest cancelled')

  const resting2 = await placeOrder(s.url, { side: 'buy', quantity: '0.1', price: '28000' })
  await events()
  const cancel = await rest(s.url, 'POST', '/cancel', { symbol: SYMBOL, order_id: resting2.order_id })
  t.equal(cancel.status, 200)
  t.match(await events(), [{ event_type: 'cancelled', order_id: resting2.order_id, status: 'cancelled', remaining_quantity: '0.1' }])

  const fok = await placeOrder(s.url, { side: 'buy', order_type: 'fok', quantity: '1', price: '50000' })
  t.equal(fok.status, 'rejected')
  t.match(await events(), [{ event_type: 'rejected', order_id: fok.order_id, order_type: 'fok', status: 'rejected', price: '50000', filled_quantity: '0' }])

  const market = await placeOrder(s.url, { side: 'sell', order_type: 'market', quantity: '0.2' })
  t.match(await events(), [{ event_type: 'cancelled', order_id: market.order_id, order_type: 'market', price: null, filled_quantity: '0', remaining_quantity: '0.2' }],
    'a market order with nothing to take is cancelled')

  await placeOrder(s.url, { symbol: 'ETH-USDT', side: 'buy', quantity: '1', price: '2000' })
  t.same(await c.quiet(100, isType('order_event')), [], 'no events of another symbol')
})

t.test('unsubscribe answers unsubscribed and stops the flow', async (t) => {
  const s = await server(t)
  const { client: c } = await client(t, s.wsUrl)
  await c.subscribe('l2_updates', SYMBOL)
  await c.subscribe('trades', SYMBOL)
  await c.subscribe('orders', SYMBOL)
  await placeOrder(s.url, { side: 'buy', quantity: '1', price: '30000' })
  await c.next(isDelta(SYMBOL))
  await c.next(isType('order_event'))

  c.send({ type: 'unsubscribe', channel: 'l2_updates', symbol: SYMBOL, id: 7 })
  t.match(await c.next(isType('unsubscribed')), { type: 'unsubscribed', channel: 'l2_updates', symbol: SYMBOL, id: 7 })
  t.match(await c.request({ type: 'unsubscribe', channel: 'trades', symbol: SYMBOL }), { type: 'unsubscribed', channel: 'trades' })
  t.match(await c.request({ type: 'unsubscribe', channel: 'orders', symbol: SYMBOL }), { type: 'unsubscribed', channel: 'orders' })

  await placeOrder(s.url, { side: 'sell', quantity: '0.5', price: '30000' })
  await placeOrder(s.url, { side: 'buy', quantity: '0.5', price: '29000' })
  const after = await c.quiet(200, (m: WsMessage) => ['l2_update', 'trade', 'order_event'].includes(m.type))
  t.same(after, [], 'nothing arrives after unsubscribe')
  t.ok(await c.roundTrip(), 'still connected')
})

t.test('ping → pong echoing the id', async (t) => {
  const s = await server(t)
  const { client: c } = await client(t, s.wsUrl)
  c.send({ type: 'ping', id: 'abc' })
  const pong = await c.next(isType('pong'))
  t.match(pong, { type: 'pong', id: 'abc' })
  t.type(pong.timestamp, 'number')
  c.send({ type: 'ping', id: 42 })
  t.match(await c.next(isType('pong')), { type: 'pong', id: 42 })
  c.send({ type: 'ping' })
  const bare = await c.next(isType('pong'))
  t.notOk('id' in bare, 'no id in, no id out')
})

t.test('batching: 20 quick orders in one 200 ms window make one delta, one order_event message', async (t) => {
  const s = await server(t, { WS_BATCH_MS: '200' })
  const { client: c } = await client(t, s.wsUrl)
  const snapshot = await c.subscribe('l2_updates', SYMBOL) as L2Message
  await c.subscribe('orders', SYMBOL)
  const prices = Array.from({ length: 20 }, (_, i) => String(30000 + i))
  await Promise.all(prices.map((price) => placeOrder(s.url, { side: 'buy', quantity: '0.1', price })))
  const first = await c.next<L2Message>(isDelta(SYMBOL), 2000)
  const rest = await c.quiet(400, isDelta(SYMBOL)) as L2Message[]
  const deltas = [first, ...rest]
  t.ok(deltas.length <= 2, `20 orders → ${deltas.length} delta message(s), not 20`)
  t.same(deltas.map((d) => d.prev_seq), [snapshot.seq, ...deltas.slice(0, -1).map((d) => d.seq)], 'each delta applies to the one before')
  const levels = new Map(deltas.flatMap((d) => d.bids))
  t.same([...levels].sort(), prices.map((p) => [p, '0.1']).sort(), 'every new level is in the batch')
  t.same(deltas[0].bids.map(([p]) => p), [...deltas[0].bids.map(([p]) => p)].sort((a, b) => Number(b) - Number(a)), 'levels best first')
  const orderEvents = c.take(isType('order_event'))
  t.ok(orderEvents.length >= 1 && orderEvents.length <= 2, `${orderEvents.length} order_event message(s)`)
  t.equal(orderEvents.flatMap((m) => m.data as unknown[]).length, 20, 'all 20 resting events')
})
