/** The market-data hub on its own: a real engine, fake subscribers, no server. */
import t from 'tap'
import { crc32 } from 'node:zlib'
import { MarketDataHub } from '../../src/gateway/market-data-hub.js'
import type { Subscriber } from '../../src/gateway/subscriber.js'
import { depthView } from '../../src/wire/market-views.js'
import { ANONYMOUS, MatchingEngine } from '../../src/engine/index.js'
import { UNIT, place, unitEngine } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'
import { Recorder } from '../helpers/recorder.js'
import { intBetween, seededRandom } from '../helpers/random.js'

/**
 * Applies a snapshot and the deltas after it, as a client would, checking that each delta applies to
 * the state held and that every message's checksum is the rebuilt book's (README's rule, zlib's CRC-32).
 */
function rebuild (messages: ReadonlyArray<Record<string, any>>) {
  const book = { bids: new Map<string, string>(), asks: new Map<string, string>() }
  const sorted = (map: Map<string, string>, desc: boolean) => [...map].sort((a, b) => desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]))
  let seq = -1
  for (const m of messages) {
    if (m.type !== 'l2_update') continue
    if (m.kind === 'snapshot') {
      book.bids = new Map(m.bids)
      book.asks = new Map(m.asks)
      seq = m.seq
    } else {
      if (m.prev_seq !== seq) throw new Error(`gap: held ${seq}, delta from ${m.prev_seq} to ${m.seq}`)
      if (m.seq <= seq) throw new Error(`seq did not rise: ${seq} → ${m.seq}`)
      seq = m.seq
      for (const [side, levels] of [['bids', m.bids], ['asks', m.asks]] as const) {
        for (const [price, qty] of levels) {
          if (qty === '0') book[side].delete(price)
          else book[side].set(price, qty)
        }
      }
    }
    const text = (levels: Array<[string, string]>) => levels.slice(0, 10).map(([p, q]) => `${p}:${q}`).join(',')
    const expected = crc32(`${text(sorted(book.bids, true))}|${text(sorted(book.asks, false))}`)
    if (m.checksum !== expected) throw new Error(`checksum at seq ${m.seq}: server ${m.checksum}, client ${expected}`)
  }
  return { bids: sorted(book.bids, true), asks: sorted(book.asks, false) }
}

t.test('the last l2 subscriber leaving mid-window does not poison the next subscriber\'s book', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  hub.start()
  t.teardown(() => hub.stop())
  const a = new Recorder()
  hub.subscribe(a, 'l2_updates', 'UNIT-USD')
  const resting = place(engine, { side: 'buy', qty: 1, price: 100 }).order
  hub.unsubscribe(a, 'l2_updates', 'UNIT-USD')
  engine.cancel({ symbol: 'UNIT-USD', orderId: resting.id })
  const b = new Recorder()
  hub.subscribe(b, 'l2_updates', 'UNIT-USD')
  b.send(hub.snapshot('UNIT-USD'))
  place(engine, { side: 'sell', qty: 2, price: 105 })
  hub.flush()
  t.same(rebuild(b.messages), depthView(engine.book('UNIT-USD')!, Infinity), 'snapshot + delta equal the book')
})

t.test('every depth rebuilds exactly the top N of the book, whatever moves in or out of it', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  hub.start()
  t.teardown(() => hub.stop())
  const book = engine.book('UNIT-USD')!
  const random = seededRandom(99)
  const open: string[] = []
  const step = () => {
    const roll = random()
    if (roll < 0.3 && open.length > 0) {
      const [orderId] = open.splice(intBetween(random, 0, open.length - 1), 1)
      engine.cancel({ symbol: 'UNIT-USD', orderId })
      return
    }
    const side = random() < 0.5 ? 'buy' : 'sell'
    // Mostly resting around 1000 (bids below, asks above), sometimes crossing or sweeping with a market order.
    const away = intBetween(random, -3, 40)
    const order = roll < 0.9
      ? place(engine, { side, qty: intBetween(random, 1, 9), price: side === 'buy' ? 1000 - away : 1000 + away })
      : place(engine, { side, type: 'market', qty: intBetween(random, 5, 40) })
    if (order.order.status === 'pending' || order.order.status === 'partially_filled') open.push(order.order.id)
  }
  for (let i = 0; i < 60; i++) step()

  const depths = [10, 12, 30, 1000]
  const subscribers = depths.map((depth) => {
    const s = new Recorder()
    hub.subscribe(s, 'l2_updates', 'UNIT-USD', depth)
    s.send(hub.snapshot('UNIT-USD', depth))
    return { depth, s }
  })
  // A second subscriber of depth 10 arrives mid-way and shares the view.
  let late: Recorder | null = null
  let checks = 0
  for (let window = 0; window < 150; window++) {
    const steps = intBetween(random, 0, 6)
    for (let i = 0; i < steps; i++) step()
    if (window === 75) {
      late = new Recorder()
      hub.subscribe(late, 'l2_updates', 'UNIT-USD', 10)
      late.send(hub.snapshot('UNIT-USD', 10))
    }
    hub.flush()
    for (const { depth, s } of subscribers) {
      const rebuilt = rebuild(s.messages)
      t.ok(rebuilt.bids.length <= depth && rebuilt.asks.length <= depth)
      if (JSON.stringify(rebuilt) !== JSON.stringify(depthView(book, depth))) {
        t.fail(`depth ${depth} differs from the book's top ${depth} after window ${window}`)
        return
      }
      checks++
    }
    if (late !== null) t.same(rebuild(late.messages), depthView(book, 10), `late depth-10 subscriber after window ${window}`)
  }
  t.equal(checks, 600, 'every depth equalled the book after every window')
  t.ok(book.bids.levelCount > 10 && book.asks.levelCount > 10, 'the book was deeper than the small views')
  const counts = subscribers.map(({ s }) => s.messages.filter((m) => m.kind === 'delta').length)
  t.ok(counts[0] < counts[2] && counts[2] <= counts[3], `shallower views get fewer deltas (${counts.join(', ')})`)
  t.ok(rebuild(late!.messages).bids.length > 0)
})

t.test('a snapshot is built once per depth and seq and shared; a resubscribe with another depth moves the subscriber', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 1000 })
  hub.start()
  t.teardown(() => hub.stop())
  for (let i = 0; i < 30; i++) place(engine, { side: 'buy', qty: 1, price: 100 + i })
  const a = new Recorder()
  const b = new Recorder()
  t.same(JSON.parse(hub.snapshot('UNIT-USD', 10)).bids, [], 'a snapshot shows the published book only: nothing before the window goes out')
  hub.flush()
  t.equal(hub.subscribe(a, 'l2_updates', 'UNIT-USD', 10), true)
  t.equal(hub.subscribe(a, 'l2_updates', 'UNIT-USD', 10), false, 'the same depth again is no change')
  hub.subscribe(b, 'l2_updates', 'UNIT-USD', 10)
  const first = hub.snapshot('UNIT-USD', 10)
  for (let i = 0; i < 5; i++) t.equal(hub.snapshot('UNIT-USD', 10), first, 'the same string while the seq stays')
  t.match(hub.stats, { snapshotsBuilt: 2, snapshotsSent: 7 })
  t.equal(JSON.parse(first).bids.length, 10)
  t.equal(JSON.parse(first).depth, 10)

  place(engine, { side: 'buy', qty: 1, price: 500 })
  hub.flush()
  const second = hub.snapshot('UNIT-USD', 10)
  t.equal(JSON.parse(second).seq, engine.sequence, 'a new seq (the command\'s), a new snapshot')
  t.ok(JSON.parse(second).seq > JSON.parse(first).seq)
  t.equal(hub.stats.snapshotsBuilt, 3)
  place(engine, { side: 'buy', qty: 1, price: 1 })
  hub.flush()
  t.equal(hub.snapshot('UNIT-USD', 10), second, 'a change below the top 10 moves neither the seq nor the snapshot')

  t.equal(hub.subscribe(a, 'l2_updates', 'UNIT-USD', 11), false, 'moved, not added')
  a.send(hub.snapshot('UNIT-USD', 11))
  place(engine, { side: 'buy', qty: 2, price: 99 })
  place(engine, { side: 'buy', qty: 3, price: 600 })
  hub.flush()
  t.same(rebuild(a.messages.slice(-2)), depthView(engine.book('UNIT-USD')!, 11), 'a follows depth 11 now')
  t.equal(b.messages.filter((m) => m.kind === 'delta').length, 2, 'b (depth 10) got one delta per change in its top 10')
  t.equal(hub.subscriberCount(), 2)
  hub.removeSubscriber(a)
  hub.removeSubscriber(b)
  t.equal(hub.subscriberCount(), 0)
  t.equal(hub.unsubscribe(a, 'l2_updates', 'UNIT-USD'), false)

  // A view made again after everyone left continues the seq: a number never names two states.
  const c = new Recorder()
  hub.subscribe(c, 'l2_updates', 'UNIT-USD', 10)
  t.ok(JSON.parse(hub.snapshot('UNIT-USD', 10)).seq > JSON.parse(second).seq)
  // A snapshot asked for a depth nobody holds leaves no view behind to keep in step.
  hub.snapshot('UNIT-USD', 50)
  place(engine, { side: 'sell', qty: 1, price: 700 })
  hub.flush()
  t.equal(c.messages.filter((m) => m.kind === 'delta').length, 1)
  place(engine, { side: 'sell', qty: 1, price: 701 })
  hub.flush()
  t.same(rebuild([JSON.parse(hub.snapshot('UNIT-USD', 50))]), depthView(engine.book('UNIT-USD')!, 50), 'made again from the book as published now')
})

t.test('market data waits for durability before it goes out', async (t) => {
  const engine = unitEngine()
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const hub = new MarketDataHub(engine, { batchMs: 0, durable: () => gate })
  hub.start()
  t.teardown(() => hub.stop())
  const s = new Recorder()
  hub.subscribe(s, 'trades', null)
  place(engine, { side: 'sell', qty: 1, price: 100 })
  place(engine, { side: 'buy', qty: 1, price: 100 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(s.messages.length, 0, 'nothing sent while the journal write is pending')
  release()
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(s.messages.length, 1)
  t.equal(s.messages[0].type, 'trade')
})

t.test('a failed journal drops the pending market data instead of publishing it', async (t) => {
  const engine = unitEngine()
  const hub = new MarketDataHub(engine, { batchMs: 0, durable: () => Promise.reject(new Error('disk gone')) })
  hub.start()
  t.teardown(() => hub.stop())
  const s = new Recorder()
  hub.subscribePrivate(s, ANONYMOUS, 'orders', 'UNIT-USD')
  let failures = 0
  hub.onFailure(() => { failures++ })
  place(engine, { side: 'sell', qty: 1, price: 100 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(s.messages.length, 0)
  t.equal(hub.failed, true, 'stopped for good')
  t.equal(failures, 1, 'the gateway is told once')
  place(engine, { side: 'sell', qty: 1, price: 101 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(failures, 1, 'and no later command reaches the stopped hub')
  t.equal(s.messages.length, 0)
})

t.test('stop() drops a batch still waiting for its window: nothing is sent after it', async (t) => {
  for (const batchMs of [0, 20]) {
    const engine = unitEngine()
    const hub = new MarketDataHub(engine, { batchMs })
    hub.start()
    const sent: string[] = []
    hub.subscribePrivate({ send: (text) => sent.push(text) }, ANONYMOUS, 'orders', 'UNIT-USD')
    place(engine, { side: 'sell', qty: 1, price: 100 })
    hub.stop()
    await new Promise((resolve) => setTimeout(resolve, batchMs + 40))
    t.same(sent, [], `batchMs ${batchMs}`)
    place(engine, { side: 'sell', qty: 1, price: 101 })
    await new Promise((resolve) => setTimeout(resolve, batchMs + 40))
    t.same(sent, [], 'and nothing later either: it no longer listens')
  }
})

t.test('a window that cannot be published is reported; the other symbols still go out', async (t) => {
  const engine = new MatchingEngine({ symbols: [UNIT, { ...UNIT, symbol: 'TWO-USD' }], clock: steppingClock() })
  const errors: unknown[] = []
  const hub = new MarketDataHub(engine, { batchMs: 0, onPublishError: (error) => errors.push(error) })
  hub.start()
  t.teardown(() => hub.stop())
  const broken: Subscriber = { send () { throw new Error('a transport bug') } }
  const fine = new Recorder()
  hub.subscribe(broken, 'l2_updates', 'UNIT-USD')
  hub.subscribe(fine, 'l2_updates', 'TWO-USD')
  place(engine, { side: 'sell', qty: 1, price: 100 })
  engine.submit({ symbol: 'TWO-USD', side: 'sell', orderType: 'limit', quantity: 1, price: 100 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.match(errors, [{ message: 'a transport bug' }])
  t.equal(fine.messages.length, 1, 'TWO-USD was published despite UNIT-USD failing')

  // Without a reporter the error is dropped, never thrown out of the flush (where it would be an unhandled rejection).
  const quiet = new MarketDataHub(engine, { batchMs: 0 })
  quiet.start()
  t.teardown(() => quiet.stop())
  const alsoFine = new Recorder()
  quiet.subscribe(broken, 'l2_updates', 'UNIT-USD')
  quiet.subscribe(alsoFine, 'l2_updates', 'TWO-USD')
  place(engine, { side: 'sell', qty: 1, price: 101 })
  engine.submit({ symbol: 'TWO-USD', side: 'sell', orderType: 'limit', quantity: 1, price: 101 })
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(alsoFine.messages.length, 1, 'the other symbol still goes out (an unhandled rejection would also fail this test)')
})
