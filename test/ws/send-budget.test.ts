/**
 * WS_MAX_TOTAL_BUFFERED_BYTES with real clients that subscribe and never read: the server
 * evicts the largest holders first (close 1013) and what it holds stays bounded, while a
 * client that reads keeps its stream.
 */
import t from 'tap'
import type { Socket } from 'node:net'
import { startServer } from '../helpers/server.js'
import { L2Book, connect, feed, getBook, isSnapshot, placeOrder, until, within, type TestClient } from './ws-client.js'
import { engineOf } from '../helpers/exchange-internals.js'

const SYMBOL = 'BTC-USDT'
const BUDGET = 4 * 1024 * 1024
const HOGS = 6
/** Each depth-10000 snapshot of the book below is about 440 kB. */
const REQUESTS = 60

t.test('consumers that never read are evicted largest first; the server holds about the budget, not what they asked for', async (t) => {
  const s = await startServer({
    JOURNAL_ENABLED: 'false',
    WS_BATCH_MS: '5',
    WS_MAX_DEPTH: '10000',
    WS_MAX_MESSAGES_PER_SECOND: '1000',
    // Far above the budget: only the global budget can stop them here.
    WS_MAX_BUFFERED_BYTES: String(256 * 1024 * 1024),
    WS_MAX_TOTAL_BUFFERED_BYTES: String(BUDGET)
  })
  t.teardown(() => s.close())
  for (let i = 0; i < 10_000; i++) {
    for (const [side, price] of [['buy', 20000 + i / 100], ['sell', 31000 + i / 100]] as const) {
      const result = engineOf(s.app).submit({ symbol: SYMBOL, side, orderType: 'limit', quantity: '0.001', price: price.toFixed(2) })
      if (!result.ok) throw new Error(result.message)
    }
  }

  // The reader: follows the top 10 and must keep every delta.
  const { client: reader } = await connect(s.wsUrl)
  t.teardown(() => reader.close())
  const book = new L2Book()
  reader.onMessage = feed(book, SYMBOL)
  await reader.subscribe('l2_updates', SYMBOL, 10)

  const hogs: TestClient[] = []
  for (let i = 0; i < HOGS; i++) {
    const { client } = await connect(s.wsUrl)
    t.teardown(() => client.close())
    await client.subscribe('l2_updates', SYMBOL, 10000)
    client.ws.pause()
    hogs.push(client)
  }
  // An evicted hog gets its close frame behind what was queued for it, and the server drops it
  // 2 s later if it does not read: here each one reads again as soon as the server evicts it.
  const serverSide = (hog: TestClient) => [...s.app.websocketServer.clients].find((c) => (c as unknown as { _socket: Socket })._socket.remotePort === hog.socket.localPort)
  const ports = new Map(hogs.map((hog) => [hog, serverSide(hog)]))
  let peak = 0
  const watch = setInterval(() => {
    peak = Math.max(peak, s.app.gateway.stats().buffered_bytes)
    for (const [hog, server] of ports) {
      if (server !== undefined && server.readyState !== server.OPEN && hog.ws.isPaused) hog.ws.resume()
    }
  }, 5)
  t.teardown(() => clearInterval(watch))
  // Each asks for 60 deep snapshots (about 26 MB) and reads none of them.
  for (let r = 0; r < REQUESTS; r++) {
    for (const hog of hogs) if (hog.ws.isPaused) hog.send({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, depth: 10000 })
    await new Promise((resolve) => setImmediate(resolve))
    peak = Math.max(peak, s.app.gateway.stats().buffered_bytes)
  }
  const closes = await Promise.all(hogs.map((hog) => within(hog.closed, 10_000, 'a hog close')))
  clearInterval(watch)
  const stats = s.app.gateway.stats()
  t.comment(`peak held ${peak} bytes; snapshots sent ${stats.snapshots_sent}, built ${stats.snapshots_built}; evictions ${stats.budget_evictions}`)
  t.ok(stats.budget_evictions >= HOGS - 1, `${stats.budget_evictions} evicted`)
  t.ok(stats.snapshots_sent >= HOGS * 10, 'the hogs were sent snapshots until they held too much')
  t.ok(peak <= 4 * BUDGET, `held at most ${peak} bytes: the budget plus what the evicted still held (they asked for ${HOGS * REQUESTS * 440_000})`)
  t.equal(stats.slow_consumer_disconnects, 0, 'no connection hit its own (far larger) limit')
  // 1013 when the hog read its backlog within the 2 s grace; 1006 when the server had to drop it
  // (a loaded machine can be that slow to parse megabytes of snapshots). Nothing else.
  const codes = closes.map((c) => c.code)
  t.ok(codes.every((code) => code === 1013 || code === 1006), `closed with 1013, or dropped (${codes.join(', ')})`)
  t.ok(codes.includes(1013), 'the close code is 1013 try again later')
  t.ok(closes.filter((c) => c.code === 1013).every((c) => /budget/.test(c.reason)), 'the reason names the budget')
  await until(() => s.app.gateway.stats().buffered_bytes === 0, 5000, 'the server to hold nothing')

  // The reader was never evicted and its top 10 is still right.
  await placeOrder(s.url, { side: 'buy', quantity: '0.5', price: '30000' })
  const top = await getBook(s.url, SYMBOL, 10)
  await until(() => JSON.stringify(book.levels()) === JSON.stringify(top), 3000, 'the reader book to equal GET /book?levels=10')
  t.same(book.gaps, [])
  t.equal(reader.closeInfo, null, 'the reader is still connected')
  t.ok(await reader.roundTrip())
  t.notOk(reader.received.some(isSnapshot('ETH-USDT')))
})
