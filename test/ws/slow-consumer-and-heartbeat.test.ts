import t, { type Test } from 'tap'
import { startServer } from '../helpers/server.js'
import { L2Book, connect, feed, gatewayStats, getBook, healthConnections, isType, until, within, type TestClient } from './ws-client.js'
import { engineOf } from '../helpers/exchange-internals.js'

const SYMBOL = 'BTC-USDT'
const LEVELS_PER_ROUND = 4000

async function client (t: Test, wsUrl: string, options = {}) {
  const { client } = await connect(wsUrl, options)
  t.teardown(() => client.close())
  return client
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A price of its own for each i: 20000.00, 20000.01, ... (always below any ask: nothing trades). */
const priceOf = (i: number) => `${20000 + Math.floor(i / 100)}.${String(i % 100).padStart(2, '0')}`

t.test('a slow consumer is closed with 1013 while a fast one gets every delta', async (t) => {
  const s = await startServer({ WS_MAX_BUFFERED_BYTES: '1024', WS_BATCH_MS: '0', JOURNAL_ENABLED: 'false', WS_MAX_DEPTH: '5000' })
  t.teardown(() => s.close())
  const slow = await client(t, s.wsUrl)
  // A view deeper than a round, so each round's deltas carry every level it adds and removes.
  await slow.subscribe('l2_updates', SYMBOL, 5000)
  const fast = await client(t, s.wsUrl)
  const book = new L2Book()
  fast.onMessage = feed(book, SYMBOL)
  await fast.subscribe('l2_updates', SYMBOL, 5000)
  // The slow one stops reading: its kernel buffers fill, then the server's send buffer grows.
  slow.ws.pause()

  // Large deltas: each round adds LEVELS_PER_ROUND new levels in one turn (one delta), then removes them (another).
  // The engine is driven directly here only for volume; it is the same engine POST /order uses.
  const engine = engineOf(s.app)
  // Generous: on a loaded machine each round (8,000 engine commands plus the fast reader catching up) is slow.
  const deadline = Date.now() + 60_000
  let rounds = 0
  while (s.app.gateway.stats().slow_consumer_disconnects === 0) {
    if (Date.now() > deadline) throw new Error(`no slow-consumer disconnect after ${rounds} rounds`)
    const ids: string[] = []
    for (let i = 0; i < LEVELS_PER_ROUND; i++) {
      const result = engine.submit({ symbol: SYMBOL, side: 'buy', orderType: 'limit', quantity: '0.001', price: priceOf(i) })
      if (!result.ok) throw new Error(result.message)
      ids.push(result.value.order.id)
    }
    await nextTurn()
    for (const orderId of ids) engine.cancel({ symbol: SYMBOL, orderId })
    await nextTurn()
    rounds++
    // Let the fast reader keep up, so its own buffer never looks slow.
    await until(() => book.deltas >= s.app.gateway.stats().deltas_published, 5000, 'the fast client to catch up')
  }
  t.ok(rounds >= 2, `the slow consumer was cut after ${rounds} rounds of about ${LEVELS_PER_ROUND * 22 * 2} bytes each`)
  const stats = await gatewayStats(s.url)
  t.equal(stats.slow_consumer_disconnects, 1, '/statistics counts one slow-consumer disconnect')
  t.equal(s.app.gateway.hub.subscriberCount(), 1, 'the slow one no longer gets anything')

  // Resumed, it reads what was queued before the close, then the close frame: 1013 with a reason.
  slow.ws.resume()
  const close = await within(slow.closed, 3000, 'the slow consumer close')
  t.equal(close.code, 1013, 'closed with 1013 try again later')
  t.match(close.reason, /slow consumer/)
  await until(async () => await healthConnections(s.url) === 1, 2000, 'the connection count to drop to 1')

  // The fast client kept up: no gap, and one more change still reaches it.
  await s.app.inject({ method: 'POST', url: '/order', payload: { symbol: SYMBOL, side: 'sell', order_type: 'limit', quantity: '0.5', price: '31000' } })
  const expected = await getBook(s.url, SYMBOL, 100)
  await until(() => JSON.stringify(book.levels()) === JSON.stringify(expected), 3000, 'the fast client book to equal GET /book')
  t.same(book.gaps, [], 'the fast client saw every seq, no gap')
  t.same(book.checksumMismatches, [], 'and every checksum matched')
  t.equal(book.deltas, s.app.gateway.stats().deltas_published, 'and every delta published')
  t.ok(book.deltas >= rounds * 2, `${book.deltas} deltas received`)
  t.equal(fast.closeInfo, null, 'the fast client is still connected')
  t.ok(await fast.roundTrip(), 'and served')
})

t.test('a dead peer (never answers pings) is terminated within a few heartbeats', async (t) => {
  const s = await startServer({ WS_HEARTBEAT_MS: '100' })
  t.teardown(() => s.close())
  const alive = await client(t, s.wsUrl)
  const dead: TestClient = await client(t, s.wsUrl, { autoPong: false })
  await dead.subscribe('trades')
  t.equal(await healthConnections(s.url), 2)

  const close = await within(dead.closed, 1000, 'the server to drop the dead peer')
  t.equal(close.code, 1006, 'terminated, no closing handshake')
  t.ok(dead.pings >= 1 && dead.pings <= 3, `dropped after ${dead.pings} unanswered ping(s)`)
  await until(async () => await healthConnections(s.url) === 1, 1000, '/health to count 1 connection')
  t.match(await gatewayStats(s.url), { connections: 1, subscriptions: 0 })

  // The one answering pings lives on through several heartbeats.
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(alive.closeInfo, null, 'a live peer is kept')
  t.ok(alive.pings >= 3, `it answered ${alive.pings} pings`)
  t.ok(await alive.roundTrip(), 'and served')
})

t.test('shutdown closes every connection with 1001', async (t) => {
  const s = await startServer({})
  let closed = false
  t.teardown(async () => { if (!closed) await s.close() })
  const a = await client(t, s.wsUrl)
  const b = await client(t, s.wsUrl)
  await a.subscribe('l2_updates', SYMBOL)
  await b.subscribe('trades')

  await within(s.close(), 5000, 'app.close()')
  closed = true
  for (const [name, c] of [['a', a], ['b', b]] as const) {
    const close = await within(c.closed, 2000, `${name} to be closed`)
    t.equal(close.code, 1001, `${name}: 1001 going away`)
    t.match(close.reason, /shutting down/)
  }
  t.equal(a.received.filter((m) => m.type === 'error').length, 0)
  t.ok(a.received.some(isType('connected')))
})
