import t, { type Test } from 'tap'
import { startServer } from '../helpers/server.js'
import { intBetween, seededRandom } from '../helpers/random.js'
import { L2Book, connect, feed, getBook, rest, sleep, until, type Level, type OrderInput, type TestClient } from './ws-client.js'

const SYMBOL = 'BTC-USDT'
const MID = 30000
/** Offsets stay within ±45 so neither side can pass GET /book's 100-level cap. */
const SPREAD = 45

interface Flow {
  orders: number
  cancelled: number
  trades: number
}

/** One seeded random step over REST: limit (some crossing), market, ioc, fok, or a cancel. */
async function step (url: string, random: () => number, open: string[], flow: Flow): Promise<void> {
  const roll = random()
  if (roll < 0.2 && open.length > 0) {
    const [orderId] = open.splice(intBetween(random, 0, open.length - 1), 1)
    const { status } = await rest(url, 'POST', '/cancel', { symbol: SYMBOL, order_id: orderId })
    // 404 when the order has been filled meanwhile.
    if (status === 200) flow.cancelled++
    else if (status !== 404) throw new Error(`POST /cancel → ${status}`)
    return
  }
  const side = random() < 0.5 ? 'buy' : 'sell'
  const quantity = String(intBetween(random, 1, 50) / 100)
  // Buys mostly below the mid, sells mostly above; about one in nine crosses.
  const away = intBetween(random, -5, SPREAD)
  const price = String(side === 'buy' ? MID - away : MID + away)
  let order: OrderInput
  if (roll < 0.7) order = { side, quantity, price }
  else if (roll < 0.8) order = { side, order_type: 'market', quantity }
  else if (roll < 0.92) order = { side, order_type: 'ioc', quantity, price: String(side === 'buy' ? MID + 10 : MID - 10) }
  else order = { side, order_type: 'fok', quantity: String(intBetween(random, 1, 200) / 100), price: String(side === 'buy' ? MID + 20 : MID - 20) }
  const { status, body } = await rest<{ order_id: string, status: string, trades: unknown[] }>(url, 'POST', '/order', { symbol: SYMBOL, order_type: 'limit', ...order })
  if (status !== 200) throw new Error(`POST /order ${JSON.stringify(order)} → ${status} ${JSON.stringify(body)}`)
  flow.orders++
  flow.trades += body.trades.length
  if (body.status === 'pending' || body.status === 'partially_filled') open.push(body.order_id)
}

function sameBook (book: L2Book, expected: { bids: Level[], asks: Level[] }): boolean {
  return JSON.stringify(book.levels()) === JSON.stringify(expected)
}

async function subscriber (t: Test, wsUrl: string) {
  const { client } = await connect(wsUrl)
  t.teardown(() => client.close())
  const book = new L2Book()
  client.onMessage = feed(book, SYMBOL)
  return { client, book }
}

async function reconstruct (t: Test, batchMs: string, seed: number) {
  const s = await startServer({ WS_BATCH_MS: batchMs })
  t.teardown(() => s.close())
  const random = seededRandom(seed)
  const open: string[] = []
  const flow: Flow = { orders: 0, cancelled: 0, trades: 0 }

  // A book to start from, so the first snapshot is not empty.
  for (let i = 0; i < 20; i++) await step(s.url, random, open, flow)

  const early = await subscriber(t, s.wsUrl)
  const snapshot = await early.client.subscribe('l2_updates', SYMBOL)
  t.ok(snapshot !== null && snapshot.bids.length + snapshot.asks.length > 0, 'the first snapshot shows the starting book')
  // Shallow views: levels move in and out of their depth all the time in this flow. The second gets
  // its deltas merged per 100 ms window.
  const shallow = await Promise.all(([[10, 'raw'], [50, '100ms']] as const).map(async ([depth, interval]) => ({ depth, interval, ...await subscriber(t, s.wsUrl) })))
  for (const { client, depth, interval } of shallow) await client.subscribe('l2_updates', SYMBOL, depth, interval)
  let shallowChecks = 0
  const checkShallow = async (when: string) => {
    for (const { client, book, depth } of shallow) {
      const expected = await getBook(s.url, SYMBOL, depth)
      await until(() => sameBook(book, expected), 3000, `the depth-${depth} book to equal GET /book?levels=${depth} ${when}`)
      t.same(book.gaps, [], `depth ${depth}: no gap`)
      t.same(book.checksumMismatches, [], `depth ${depth}: every checksum matched`)
      t.same(client.errors, [])
      shallowChecks++
    }
  }

  let late: { client: TestClient, book: L2Book } | null = null
  let lateSubscribed: Promise<unknown> | null = null
  for (let i = 0; i < 300; i++) {
    if (i === 150) {
      late = await subscriber(t, s.wsUrl)
      // Subscribe while the flow goes on, at the slowest interval: its merged deltas start from an
      // earlier state than its snapshot's, and the client's rule (drop what is not past its seq;
      // apply a delta whose prev_seq it holds or passed) still gives the exact book.
      lateSubscribed = late.client.subscribe('l2_updates', SYMBOL, 100, '1000ms')
    }
    await step(s.url, random, open, flow)
    if (i % 60 === 59) await checkShallow(`after step ${i}`)
  }
  await lateSubscribed
  t.ok(flow.trades > 20 && flow.cancelled > 10, `the flow traded and cancelled (${JSON.stringify(flow)})`)

  const expected = await getBook(s.url, SYMBOL, 100)
  const { body: stats } = await rest<{ bid_levels: number, ask_levels: number }>(s.url, 'GET', `/statistics?symbol=${SYMBOL}`)
  t.equal(expected.bids.length, stats.bid_levels, 'GET /book holds every bid level')
  t.equal(expected.asks.length, stats.ask_levels, 'GET /book holds every ask level')

  for (const [name, { client, book }] of [['early', early], ['late', late as NonNullable<typeof late>]] as const) {
    await until(() => sameBook(book, expected), 3000, `${name} subscriber's book to equal GET /book (last seq ${book.seq})`)
    t.same(book.levels().bids, expected.bids, `${name}: bids equal GET /book`)
    t.same(book.levels().asks, expected.asks, `${name}: asks equal GET /book`)
    t.same(book.gaps, [], `${name}: every delta applies to the seq the client held`)
    t.same(book.checksumMismatches, [], `${name}: every checksum matched`)
    t.ok(book.deltas > 0, `${name}: applied ${book.deltas} deltas`)
    t.same(client.errors, [], `${name}: no client errors`)
  }
  t.equal(late?.book.seq, early.book.seq, 'both ended on the same seq')
  await checkShallow('at the end')
  t.equal(shallowChecks, 12, 'depth 10 and depth 50 equalled GET /book?levels=N at every check')
  // Never more (a shallower view changes only when its top N does; a merged one once per window);
  // how many fewer depends on how the flow fell into windows, so a loaded machine may give equal counts.
  t.ok(shallow[0].book.deltas <= early.book.deltas && shallow[1].book.deltas <= early.book.deltas,
    `shallower and merged views got no more deltas (${early.book.deltas}, ${shallow[0].book.deltas}, ${shallow[1].book.deltas})`)
  t.ok((late?.book.deltas ?? 0) < early.book.deltas, 'the late subscriber started mid-flow')

  // Nothing more comes once the book is still, and both stay equal.
  const lastSeq = early.book.seq
  await sleep(Number(batchMs) * 2 + 1100)
  t.equal(early.book.seq, lastSeq, 'no delta after the last one applied')
  t.ok(sameBook(early.book, expected) && sameBook(late!.book, expected), 'still equal after a quiet period')
}

t.test('snapshot + deltas rebuild GET /book after a random flow (batch 25 ms)', async (t) => {
  await reconstruct(t, '25', 20240501)
})

t.test('snapshot + deltas rebuild GET /book after a random flow (batch 0: every turn)', async (t) => {
  await reconstruct(t, '0', 7)
})

t.test('a snapshot holds the depth asked for (default 100, "full" = WS_MAX_DEPTH), and GET /book at that depth is the same state', async (t) => {
  const s = await startServer({ WS_BATCH_MS: '5' })
  t.teardown(() => s.close())
  const orders = Array.from({ length: 120 }, (_, i) => [
    { symbol: SYMBOL, side: 'buy', order_type: 'limit', quantity: '0.01', price: String(MID - 1 - i) },
    { symbol: SYMBOL, side: 'sell', order_type: 'limit', quantity: '0.02', price: String(MID + 1 + i) + '.5' }
  ]).flat()
  for (const order of orders) {
    const { status } = await rest(s.url, 'POST', '/order', order)
    if (status !== 200) throw new Error(`POST /order → ${status}`)
  }
  const { client } = await connect(s.wsUrl)
  t.teardown(() => client.close())
  const snapshot = await client.subscribe('l2_updates', SYMBOL)
  t.equal(snapshot?.depth, 100, 'the default depth')
  t.equal(snapshot?.bids.length, 100, '100 bid levels')
  t.equal(snapshot?.asks.length, 100, '100 ask levels')
  t.same(snapshot?.bids.slice(0, 2), [['29999', '0.01'], ['29998', '0.01']], 'bids best first')
  t.same(snapshot?.asks.slice(0, 2), [['30001.5', '0.02'], ['30002.5', '0.02']], 'asks best first')
  const top = await getBook(s.url, SYMBOL, 100)
  t.same(snapshot?.bids, top.bids, 'the 100 bid levels equal GET /book')
  t.same(snapshot?.asks, top.asks, 'the 100 ask levels equal GET /book')
  const deep = await client.subscribe('l2_updates', SYMBOL, 500)
  t.equal(deep?.bids.length, 120, 'depth 500: every bid level')
  t.equal(deep?.asks.length, 120, 'depth 500: every ask level')
  const { body: rest500 } = await rest<{ seq: number, checksum: number, bids: Level[], asks: Level[] }>(s.url, 'GET', `/book/${SYMBOL}?levels=500`)
  t.same([rest500.bids, rest500.asks, rest500.seq, rest500.checksum], [deep?.bids, deep?.asks, deep?.seq, deep?.checksum], 'GET /book?levels=500: the same levels, seq and checksum')
  const full = await client.subscribe('l2_updates', SYMBOL, 'full')
  t.equal(full?.depth, 1000, '"full" is WS_MAX_DEPTH')
  t.equal(full?.bids.length, 120, 'full: every bid level')
  const refused = await client.request({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, depth: 1 })
  t.equal(refused.code, 'INVALID_DEPTH', 'depth 1 is gone: the checksum covers 10 levels')
})
