/**
 * The hub's slower intervals, subscribers that fall behind, resyncs and the
 * REST book's seq: a real engine, fake subscribers, no server, the hub's
 * windows and ticks driven by hand.
 */
import t, { type Test } from 'tap'
import { MarketDataHub } from '../../src/gateway/market-data-hub.js'
import { depthView } from '../../src/wire/market-views.js'
import type { MatchingEngine } from '../../src/engine/index.js'
import { place, unitEngine } from '../helpers/engine.js'
import { Recorder } from '../helpers/recorder.js'
import { ClientBook } from '../helpers/l2-client.js'
import { intBetween, seededRandom } from '../helpers/random.js'

const SYMBOL = 'UNIT-USD'

/** A subscriber whose unsent bytes the test sets. */
class Lagging extends Recorder {
  bufferedBytes = 0
}

/** Seeded random resting orders, cancels and crossing orders on UNIT-USD. */
function flow (engine: MatchingEngine, seed: number) {
  const random = seededRandom(seed)
  const open: string[] = []
  return () => {
    const roll = random()
    if (roll < 0.3 && open.length > 0) {
      const [orderId] = open.splice(intBetween(random, 0, open.length - 1), 1)
      engine.cancel({ symbol: SYMBOL, orderId })
      return
    }
    const side = random() < 0.5 ? 'buy' : 'sell'
    const away = intBetween(random, -3, 60)
    const order = roll < 0.92
      ? place(engine, { side, qty: intBetween(random, 1, 9), price: side === 'buy' ? 1000 - away : 1000 + away })
      : place(engine, { side, type: 'market', qty: intBetween(random, 5, 40) })
    if (order.order.status === 'pending' || order.order.status === 'partially_filled') open.push(order.order.id)
  }
}

function setup (t: Test, options: { conflateBytes?: number, tradeTail?: number } = {}) {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 60_000, ...options })
  hub.start()
  t.teardown(() => hub.stop())
  return { engine, hub, book: engine.book(SYMBOL)!, step: flow(engine, 42) }
}

t.test('a 100ms or 1000ms subscriber gets the exact merge of the window\'s deltas, once per window', async (t) => {
  const { hub, book, step } = setup(t)
  const raw = new Recorder()
  const slow = new Recorder()
  hub.subscribe(raw, 'l2_updates', SYMBOL, 10)
  raw.send(hub.snapshot(SYMBOL, 10))
  hub.subscribe(slow, 'l2_updates', SYMBOL, 10, '100ms')
  slow.send(hub.snapshot(SYMBOL, 10, '100ms'))
  t.match(slow.messages[0], { kind: 'snapshot', depth: 10, interval: '100ms' })
  let ticks = 0
  for (let window = 0; window < 200; window++) {
    for (let i = intBetween(seededRandom(window), 0, 5); i > 0; i--) step()
    hub.flush()
    if (window % 7 === 6) {
      hub.tick('100ms')
      ticks++
      const rebuilt = new ClientBook().applyAll(slow.messages)
      if (JSON.stringify(rebuilt.levels()) !== JSON.stringify(depthView(book, 10))) {
        t.fail(`the 100ms book differs from the top 10 after window ${window}`)
        return
      }
    }
  }
  const rawDeltas = raw.messages.filter((m) => m.kind === 'delta').length
  const slowDeltas = slow.messages.filter((m) => m.kind === 'delta').length
  t.ok(slowDeltas <= ticks && slowDeltas < rawDeltas / 3, `one merged delta per window at most (${slowDeltas} for ${rawDeltas} raw deltas in ${ticks} windows)`)
  const chained = slow.messages.slice(1)
  for (let i = 1; i < chained.length; i++) {
    if (chained[i].prev_seq !== chained[i - 1].seq) t.fail(`merged delta ${i} does not follow the one before`)
  }
  t.same(new ClientBook().applyAll(raw.messages).levels(), depthView(book, 10), 'the raw subscriber holds the same book')
})

t.test('a subscriber that falls behind is owed one merged delta and its trades in order, not a backlog', async (t) => {
  const { hub, book, step } = setup(t, { conflateBytes: 1000 })
  const lagging = new Lagging()
  hub.subscribe(lagging, 'l2_updates', SYMBOL, 50)
  hub.subscribe(lagging, 'trades', SYMBOL)
  lagging.send(hub.snapshot(SYMBOL, 50))
  for (let i = 0; i < 5; i++) { step(); hub.flush() }
  const before = lagging.texts.length
  lagging.bufferedBytes = 5000
  let tradeMessages = 0
  for (let window = 0; window < 40; window++) {
    step()
    hub.flush()
    tradeMessages = hub.stats.conflated
  }
  t.equal(lagging.texts.length, before, 'nothing more was queued while it was behind')
  t.equal(hub.behindCount, 1)
  t.ok(hub.stats.conflated > 10, `${tradeMessages} messages merged instead of sent`)
  hub.catchUp()
  t.equal(lagging.texts.length, before, 'still behind: still nothing')
  lagging.bufferedBytes = 0
  hub.catchUp()
  t.equal(hub.behindCount, 0, 'caught up')
  const owed = lagging.messages.slice(before)
  const deltas = owed.filter((m) => m.type === 'l2_update')
  t.equal(deltas.length, 1, 'one merged delta')
  t.ok(owed.every((m) => m.type === 'l2_update' || m.type === 'trade'), 'no resync: the merge stayed within its bound')
  t.same(new ClientBook().applyAll(lagging.messages).levels(), depthView(book, 50), 'the book it holds is the true book')
  const tradeIds = lagging.messages.filter((m) => m.type === 'trade').flatMap((m) => m.data.map((d: { trade_id: string }) => d.trade_id))
  t.same(tradeIds, [...tradeIds].sort((a, b) => Number(a.split('-').pop()) - Number(b.split('-').pop())), 'trades in execution order')
  t.equal(new Set(tradeIds).size, book.stats.totalTrades, 'every trade, once')
})

t.test('past its bounds a behind subscriber gets a resync: a fresh snapshot, or the newest trades', async (t) => {
  const { engine, hub, book } = setup(t, { conflateBytes: 1000, tradeTail: 5 })
  const lagging = new Lagging()
  hub.subscribe(lagging, 'l2_updates', SYMBOL, 10)
  hub.subscribe(lagging, 'trades', SYMBOL)
  lagging.send(hub.snapshot(SYMBOL, 10))
  lagging.bufferedBytes = 5000
  // More than 2 × 10 prices move through the top 10: the merge would outgrow its bound.
  for (let i = 0; i < 30; i++) {
    place(engine, { side: 'buy', qty: 1, price: 500 + i })
    hub.flush()
  }
  // Eight trades, one window each: more than the tail of five.
  for (let i = 0; i < 8; i++) {
    place(engine, { side: 'sell', qty: 1, type: 'market' })
    hub.flush()
  }
  lagging.bufferedBytes = 0
  hub.catchUp()
  const [resync, trades, ...more] = lagging.messages.slice(1)
  t.match(resync, { type: 'resync', channel: 'l2_updates', symbol: SYMBOL, reason: 'dropped', depth: 10, interval: 'raw' })
  t.match(trades, { type: 'resync', channel: 'trades', symbol: SYMBOL, reason: 'dropped', dropped: 8 })
  t.equal(trades.trades.length, 8, 'the newest trades (up to 100), oldest first')
  t.same(more, [])
  t.equal(hub.stats.resyncs, 2)
  const client = new ClientBook().applyAll(lagging.messages)
  t.same(client.levels(), depthView(book, 10), 'the resync is the true book')
  place(engine, { side: 'buy', qty: 1, price: 900 })
  hub.flush()
  client.apply(lagging.messages.at(-1)!)
  t.same(client.levels(), depthView(book, 10), 'and the next delta applies to it')
})

t.test('GET /book\'s state lines up with the stream at any seq: the REST procedure, step by step', async (t) => {
  const { hub, book, step } = setup(t)
  const buffered = new Recorder()
  hub.subscribe(buffered, 'l2_updates', SYMBOL, 100, '100ms')
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 3; i++) { step(); hub.flush() }
    const rest = hub.book(SYMBOL, 100)
    const client = new ClientBook()
    client.apply({ type: 'l2_update', kind: 'snapshot', seq: rest.seq, bids: rest.bids, asks: rest.asks, checksum: rest.checksum })
    for (let i = 0; i < 4; i++) { step(); hub.flush() }
    hub.tick('100ms')
    // Every delta of the stream so far: the client drops the old ones by seq and applies the rest.
    for (const m of buffered.messages) if (m.kind === 'delta') client.apply(m)
    if (JSON.stringify(client.levels()) !== JSON.stringify(depthView(book, 100))) {
      t.fail(`round ${round}: the REST snapshot at seq ${rest.seq} + the stream differ from the book`)
      return
    }
  }
  t.pass('30 REST snapshots taken mid-window each lined up with the merged stream')
})

t.test('settled() waits for the pending window; the REST book never shows an unpublished state', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 0 })
  hub.start()
  t.teardown(() => hub.stop())
  place(engine, { side: 'buy', qty: 3, price: 100 })
  t.equal(hub.pending, true)
  t.same(hub.book(SYMBOL, 10).bids, [], 'not yet published')
  await hub.settled()
  t.equal(hub.pending, false)
  t.same(hub.book(SYMBOL, 10).bids, [['100', '3']])
  t.equal(hub.book(SYMBOL, 10).seq, engine.sequence)
  await hub.settled()
  t.pass('nothing pending: at once')
})

t.test('a 100ms group that emptied and filled again does not send a merge with a hole in it', async (t) => {
  const { hub, book, step } = setup(t)
  const keeper = new Recorder()
  // Keeps the depth's view alive while the 100ms group empties.
  hub.subscribe(keeper, 'l2_updates', SYMBOL, 10)
  const first = new Recorder()
  hub.subscribe(first, 'l2_updates', SYMBOL, 10, '100ms')
  for (let i = 0; i < 10; i++) { step(); hub.flush() }
  hub.unsubscribe(first, 'l2_updates', SYMBOL)
  for (let i = 0; i < 20; i++) { step(); hub.flush() }
  const second = new Recorder()
  hub.subscribe(second, 'l2_updates', SYMBOL, 10, '100ms')
  second.send(hub.snapshot(SYMBOL, 10, '100ms'))
  for (let i = 0; i < 10; i++) { step(); hub.flush() }
  hub.tick('100ms')
  t.same(new ClientBook().applyAll(second.messages).levels(), depthView(book, 10), 'the newcomer holds the true book')
})

t.test('a behind subscriber that leaves the trades of a symbol is no longer owed them', async (t) => {
  const { engine, hub } = setup(t, { conflateBytes: 1000 })
  const lagging = new Lagging()
  hub.subscribe(lagging, 'trades', null)
  place(engine, { side: 'buy', qty: 1, price: 100 })
  lagging.bufferedBytes = 5000
  place(engine, { side: 'sell', qty: 1, type: 'market' })
  hub.flush()
  t.equal(hub.behindCount, 1)
  t.equal(hub.unsubscribe(lagging, 'trades', null), true)
  lagging.bufferedBytes = 0
  hub.catchUp()
  t.same(lagging.messages, [], 'the trades it left are not sent')
  t.equal(hub.unsubscribe(lagging, 'trades', null), false)
})

t.test('a behind subscriber that moves to another depth or interval is owed nothing of its old view', async (t) => {
  for (const [from, to] of [[[10, 'raw'], [50, 'raw']], [[10, '100ms'], [10, 'raw']], [[50, 'raw'], [10, 'raw']]] as const) {
    const { hub, book, step } = setup(t, { conflateBytes: 1000 })
    const lagging = new Lagging()
    hub.subscribe(lagging, 'l2_updates', SYMBOL, from[0], from[1])
    lagging.send(hub.snapshot(SYMBOL, from[0], from[1]))
    for (let i = 0; i < 30; i++) { step(); hub.flush() }
    lagging.bufferedBytes = 5000
    for (let i = 0; i < 30; i++) { step(); hub.flush(); if (i % 5 === 0) hub.tick('100ms') }
    hub.subscribe(lagging, 'l2_updates', SYMBOL, to[0], to[1])
    lagging.send(hub.snapshot(SYMBOL, to[0], to[1]))
    for (let i = 0; i < 30; i++) { step(); hub.flush() }
    lagging.bufferedBytes = 0
    hub.catchUp()
    hub.tick('100ms')
    const after = lagging.messages.slice(lagging.messages.findLastIndex((m) => m.kind === 'snapshot'))
    t.same(new ClientBook().applyAll(after).levels(), depthView(book, to[0]), `${from.join(' ')} → ${to.join(' ')}: the true book, every checksum right`)
  }
})

t.test('settled() resolves once the commands before it are published, however busy the engine stays', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 0, durable: () => new Promise((resolve) => setTimeout(resolve, 5)) })
  hub.start()
  t.teardown(() => hub.stop())
  let running = true
  let price = 1
  const busy = setInterval(() => { if (running) place(engine, { side: 'buy', qty: 1, price: price++ }) }, 1)
  t.teardown(() => { running = false; clearInterval(busy) })
  place(engine, { side: 'sell', qty: 1, price: 100_000 })
  const asked = engine.sequence
  await hub.settled()
  t.ok(hub.book(SYMBOL, 1).seq >= asked, 'the published book holds the command before the call')
  t.same(hub.book(SYMBOL, 1).asks, [['100000', '1']])
})

t.test('behind subscribers that held the same seq are owed one merged delta, built once and shared', async (t) => {
  const { hub, book, step } = setup(t, { conflateBytes: 1000 })
  const lagging = Array.from({ length: 50 }, () => new Lagging())
  for (const s of lagging) {
    hub.subscribe(s, 'l2_updates', SYMBOL, 10)
    s.send(hub.snapshot(SYMBOL, 10))
  }
  for (let i = 0; i < 5; i++) { step(); hub.flush() }
  for (const s of lagging) s.bufferedBytes = 5000
  for (let i = 0; i < 40; i++) { step(); hub.flush() }
  for (const s of lagging) s.bufferedBytes = 0
  hub.catchUp()
  const owed = lagging.map((s) => s.texts.at(-1))
  t.equal(new Set(owed).size, 1, 'the same text for all fifty')
  t.same(new ClientBook().applyAll(lagging[0].messages).levels(), depthView(book, 10), 'and it is the true book')
})

t.test('a subscriber behind by more deltas than the view keeps is owed a resync', async (t) => {
  const { engine, hub, book } = setup(t, { conflateBytes: 1000 })
  const lagging = new Lagging()
  hub.subscribe(lagging, 'l2_updates', SYMBOL, 1000)
  lagging.send(hub.snapshot(SYMBOL, 1000))
  lagging.bufferedBytes = 5000
  // One price changing every window: a tiny merge, but more windows than the history holds.
  for (let i = 0; i < 1100; i++) {
    const order = place(engine, { side: 'buy', qty: 1, price: 100 })
    hub.flush()
    engine.cancel({ symbol: SYMBOL, orderId: order.order.id })
    hub.flush()
  }
  lagging.bufferedBytes = 0
  hub.catchUp()
  t.match(lagging.messages.at(-1), { type: 'resync', channel: 'l2_updates', depth: 1000 })
  t.same(new ClientBook().applyAll(lagging.messages).levels(), depthView(book, 1000))
})

t.test('a behind 100ms subscriber owed more than twice its depth in prices gets a resync', async (t) => {
  const { engine, hub, book } = setup(t, { conflateBytes: 1000 })
  const lagging = new Lagging()
  hub.subscribe(lagging, 'l2_updates', SYMBOL, 10, '100ms')
  lagging.send(hub.snapshot(SYMBOL, 10, '100ms'))
  lagging.bufferedBytes = 5000
  for (let i = 0; i < 30; i++) {
    place(engine, { side: 'sell', qty: 1, price: 2000 - i })
    hub.flush()
    hub.tick('100ms')
  }
  lagging.bufferedBytes = 0
  hub.catchUp()
  t.match(lagging.messages.at(-1), { type: 'resync', channel: 'l2_updates', interval: '100ms' })
  t.same(new ClientBook().applyAll(lagging.messages).levels(), depthView(book, 10))
})

t.test('a behind 100ms subscriber is owed its windows merged into one delta', async (t) => {
  const { hub, book, step } = setup(t, { conflateBytes: 1000 })
  const lagging = new Lagging()
  hub.subscribe(lagging, 'l2_updates', SYMBOL, 50, '100ms')
  lagging.send(hub.snapshot(SYMBOL, 50, '100ms'))
  lagging.bufferedBytes = 5000
  for (let i = 0; i < 12; i++) {
    step()
    hub.flush()
    if (i % 4 === 3) hub.tick('100ms')
  }
  lagging.bufferedBytes = 0
  hub.catchUp()
  t.equal(lagging.messages.length, 2, 'the snapshot, then one merged delta')
  t.match(lagging.messages[1], { type: 'l2_update', kind: 'delta' })
  t.same(new ClientBook().applyAll(lagging.messages).levels(), depthView(book, 50))
})
