/**
 * The market-data guarantees against a real server and real sockets: the
 * README's REST-snapshot procedure followed literally while orders flow,
 * heartbeats, interval errors, and a reader that stops reading getting the
 * current state (merged) instead of a backlog or a disconnect.
 */
import t, { type Test } from 'tap'
import { startServer } from '../helpers/server.js'
import { intBetween, seededRandom } from '../helpers/random.js'
import { ClientBook } from '../helpers/l2-client.js'
import { engineOf } from '../helpers/exchange-internals.js'
import { L2Book, connect, feed, gatewayStats, getBook, isType, rest, sleep, until, type WsMessage } from './ws-client.js'

const SYMBOL = 'BTC-USDT'
const MID = 30000

/** One REST order loop until stop() is called: resting orders near the mid, some crossing, some cancelled. */
function orderLoop (url: string, seed: number) {
  const random = seededRandom(seed)
  const open: string[] = []
  const state = { running: true }
  let orders = 0
  const done = (async () => {
    while (state.running) {
      if (random() < 0.25 && open.length > 0) {
        const [orderId] = open.splice(intBetween(random, 0, open.length - 1), 1)
        await rest(url, 'POST', '/cancel', { symbol: SYMBOL, order_id: orderId })
        continue
      }
      const side = random() < 0.5 ? 'buy' : 'sell'
      const away = intBetween(random, -4, 40)
      const { status, body } = await rest<{ order_id: string, status: string }>(url, 'POST', '/order', {
        symbol: SYMBOL, side, order_type: 'limit', quantity: String(intBetween(random, 1, 30) / 100), price: String(side === 'buy' ? MID - away : MID + away)
      })
      if (status !== 200) throw new Error(`POST /order → ${status}`)
      orders++
      if (body.status === 'pending' || body.status === 'partially_filled') open.push(body.order_id)
    }
  })()
  return { stop: async () => { state.running = false; await done; return orders } }
}

async function client (t: Test, url: string) {
  const { client } = await connect(url)
  t.teardown(() => client.close())
  return client
}

for (const interval of ['raw', '100ms'] as const) {
  t.test(`the README's procedure under load (${interval}): buffer the stream, GET /book, drop deltas up to its seq, apply the rest`, async (t) => {
    const s = await startServer({})
    t.teardown(() => s.close())
    const loops = [1, 2, 3, 4].map((seed) => orderLoop(s.url, seed))
    t.teardown(async () => { for (const loop of loops) await loop.stop() })
    await sleep(300)
    const c = await client(t, s.wsUrl)
    // 1. Subscribe and buffer everything (this client ignores the snapshot the subscribe sends).
    await c.subscribe('l2_updates', SYMBOL, 100, interval)
    await sleep(200)
    // 2. The REST snapshot, while the flow goes on.
    const { body: snapshot } = await rest<{ seq: number, checksum: number, bids: Array<[string, string]>, asks: Array<[string, string]> }>(s.url, 'GET', `/book/${SYMBOL}?levels=100`)
    const book = new ClientBook()
    book.apply({ type: 'l2_update', kind: 'snapshot', ...snapshot })
    // 3. Drop the buffered deltas up to its seq; the first kept one must apply to it; apply the rest as they come.
    const deltas = () => c.received.filter((m: WsMessage) => m.type === 'l2_update' && m.kind === 'delta')
    await until(() => deltas().some((m) => (m.seq as number) > snapshot.seq), 5000, 'a delta past the REST snapshot')
    const firstKept = deltas().find((m) => (m.seq as number) > snapshot.seq) as WsMessage
    t.ok((firstKept.prev_seq as number) <= snapshot.seq, `the first delta past seq ${snapshot.seq} applies to it (prev_seq ${String(firstKept.prev_seq)})`)
    let applied = 0
    const drain = () => { for (const m of deltas().slice(applied)) { book.apply(m); applied++ } }
    drain()
    await sleep(500)
    const orders = (await Promise.all(loops.map(async (loop) => await loop.stop()))).reduce((a, b) => a + b, 0)
    const expected = await getBook(s.url, SYMBOL, 100)
    await until(() => { drain(); return JSON.stringify(book.levels()) === JSON.stringify(expected) }, 5000, 'the client book to equal GET /book')
    t.ok(orders > 20, `${orders} orders flowed meanwhile`)
    t.ok(book.applied > 5, `${book.applied} deltas applied after the REST snapshot, ${book.dropped} dropped as older; every checksum matched (ClientBook throws otherwise)`)
    t.same(c.errors, [])
  })
}

t.test('a heartbeat message per connection with a rising count; 0 turns it off', async (t) => {
  const s = await startServer({ WS_HEARTBEAT_MESSAGE_MS: '50' })
  t.teardown(() => s.close())
  const c = await client(t, s.wsUrl)
  await until(() => c.received.filter((m) => m.type === 'heartbeat').length >= 3, 3000, 'three heartbeats')
  const beats = c.received.filter((m) => m.type === 'heartbeat')
  t.same(beats.slice(0, 3).map((m) => m.count), [1, 2, 3], 'counted 1, 2, 3 on this connection')
  t.type(beats[0].timestamp, 'number')
  const off = await startServer({ WS_HEARTBEAT_MESSAGE_MS: '0' })
  t.teardown(() => off.close())
  const quiet = await client(t, off.wsUrl)
  t.same(await quiet.quiet(300, isType('heartbeat')), [], 'none with WS_HEARTBEAT_MESSAGE_MS=0')
})

t.test('interval: raw, 100ms or 1000ms on an l2 subscribe; anything else is INVALID_INTERVAL', async (t) => {
  const s = await startServer({})
  t.teardown(() => s.close())
  const c = await client(t, s.wsUrl)
  const refused = [
    { type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, interval: '10ms' },
    { type: 'subscribe', channel: 'trades', symbol: SYMBOL, interval: 'raw' },
    { type: 'unsubscribe', channel: 'l2_updates', symbol: SYMBOL, interval: 'raw' }
  ]
  for (const message of refused) t.match(await c.request(message), { type: 'error', code: 'INVALID_INTERVAL' }, JSON.stringify(message))
  t.match(await c.request({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, depth: 1 }), { code: 'INVALID_DEPTH' })
  for (const depth of ['deep', 0, -5, 10.5, '10', 'FULL']) {
    t.match(await c.request({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, depth }), { code: 'INVALID_DEPTH' }, `depth ${JSON.stringify(depth)}`)
  }
  t.match(await c.request({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, interval: '1000ms', depth: 'full' }), { type: 'subscribed', depth: 1000, interval: '1000ms' })
})

t.test('a reader that stops reading is owed the current state: merged on catch-up, no gap, no disconnect', async (t) => {
  const s = await startServer({ WS_CONFLATE_BYTES: '1024', JOURNAL_ENABLED: 'false' })
  t.teardown(() => s.close())
  const slow = await client(t, s.wsUrl)
  const book = new L2Book()
  slow.onMessage = feed(book, SYMBOL)
  await slow.subscribe('l2_updates', SYMBOL, 1000)
  await slow.subscribe('trades', SYMBOL)
  slow.ws.pause()
  // Volume fast enough to fill the kernel's buffers: the engine driven directly (the one POST /order
  // uses), rounds of 1,000 new levels in one turn, then their cancels, some crossing.
  const engine = engineOf(s.app)
  const random = seededRandom(5)
  const deadline = Date.now() + 30_000
  let rounds = 0
  while (s.app.gateway.stats().behind_subscribers === 0 || rounds < 3) {
    if (Date.now() > deadline) throw new Error(`the paused reader did not fall behind in ${rounds} rounds`)
    const ids: string[] = []
    for (let i = 0; i < 1000; i++) {
      const side = random() < 0.5 ? 'buy' : 'sell'
      const away = intBetween(random, -2, 900)
      const result = engine.submit({ symbol: SYMBOL, side, orderType: 'limit', quantity: '0.01', price: String(side === 'buy' ? MID - away : MID + away) })
      if (!result.ok) throw new Error(result.message)
      if (result.value.order.isOpen) ids.push(result.value.order.id)
    }
    await sleep(1)
    for (const orderId of ids.slice(0, 900)) engine.cancel({ symbol: SYMBOL, orderId })
    await sleep(1)
    rounds++
  }
  const stats = await gatewayStats(s.url)
  t.equal(stats.behind_subscribers, 1, 'the paused reader is behind')
  t.ok(stats.conflated_messages > 0, `${stats.conflated_messages} messages merged instead of queued`)
  slow.ws.resume()
  const expected = await getBook(s.url, SYMBOL, 1000)
  await until(() => JSON.stringify(book.levels()) === JSON.stringify(expected), 10_000, 'the resumed reader to hold the book')
  t.same(book.gaps, [], 'no gap')
  t.same(book.checksumMismatches, [], 'every checksum matched')
  t.equal(slow.closeInfo, null, 'still connected')
  const after = await gatewayStats(s.url)
  t.equal(after.behind_subscribers, 0, 'caught up')
  t.ok(after.publish_to_write_ms.count > 0, 'publish-to-write latency is measured')
})
