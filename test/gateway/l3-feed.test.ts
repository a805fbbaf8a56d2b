/** The l3 feed on its own: a real engine, fake subscribers, no server. */
import t, { type Test } from 'tap'
import { MatchingEngine, type NewOrderInput } from '../../src/engine/index.js'
import { L3Feed, type L3FeedOptions } from '../../src/gateway/l3-feed.js'
import { checksumOf } from '../../src/gateway/checksum.js'
import { l3Checksum, l3ChecksumOfRows, l3ChecksumText } from '../../src/gateway/l3-view.js'
import { L3Delta, L3Resync, L3Snapshot } from '../../schemas/l3.js'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { L3Client, engineRows } from '../helpers/l3-client.js'
import { UNIT } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

const DEC = { symbol: 'DEC-USD', tickSize: '0.5', lotSize: '0.25', minQuantity: '0.25', maxQuantity: '1000', minNotional: '0' }
const S = DEC.symbol
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
const checks = { snapshot: TypeCompiler.Compile(L3Snapshot), delta: TypeCompiler.Compile(L3Delta), resync: TypeCompiler.Compile(L3Resync) }

function setup (t: Test, options: L3FeedOptions = {}) {
  const engine = new MatchingEngine({ symbols: [DEC, UNIT], clock: steppingClock() })
  const feed = new L3Feed(engine, { commandTime: () => 1_700_000_123_456, ...options })
  feed.start()
  feed.start()
  t.teardown(() => feed.stop())
  const order = (fields: Partial<NewOrderInput>) => {
    const result = engine.submit({ symbol: S, side: 'buy', orderType: 'limit', accountId: 'acct-1', ...fields })
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`)
    return result.value.order.id
  }
  const client = (symbol = S) => {
    const c = new L3Client(symbol)
    t.same(feed.subscribe(c, symbol), { ok: true }, 'subscribed')
    return c
  }
  /** The client's book equals the engine's and it saw no problem. */
  const same = (c: L3Client, what: string, symbol = S) => {
    t.same(c.problems, [], `${what}: no gap or checksum problem`)
    t.same(c.book(), engineRows(engine, symbol), `${what}: the rebuilt book equals the engine's`)
  }
  return { engine, feed, order, client, same }
}

t.test('a snapshot lists every resting order by level and queue, formatted, with seq, checksum and timestamp; one build for the subscribers of a cut', async (t) => {
  const { engine, feed, order, client, same } = setup(t)
  const a = order({ price: '100', quantity: '2' })
  const b = order({ price: '100.5', quantity: '0.25', clientOrderId: 'cid-b' })
  const c = order({ price: '100', quantity: '1.25', displayQuantity: '0.5' })
  const d = order({ side: 'sell', price: '101', quantity: '3', accountId: 'acct-2' })
  engine.submit({ symbol: S, side: 'sell', orderType: 'stop_limit', price: '90', stopPrice: '95', quantity: '1', accountId: 'acct-2' })
  const one = client()
  const two = client()
  t.equal(one.texts.length, 0, 'nothing before the next turn')
  await turn()
  const snapshot = one.messages[0]
  t.ok(checks.snapshot.Check(snapshot), 'the snapshot has its schema')
  t.same(snapshot, {
    type: 'l3_update',
    symbol: S,
    kind: 'snapshot',
    seq: engine.sequence,
    bids: [[b, '100.5', '0.25'], [a, '100', '2'], [c, '100', '0.5']],
    asks: [[d, '101', '3']],
    checksum: checksumOf(`${b}:100.5:0.25,${a}:100:2,${c}:100:0.5|${d}:101:3`),
    timestamp: 1_700_000_123.456
  }, 'the iceberg shows its slice; the untriggered stop is not there')
  t.equal(two.texts[0], one.texts[0], 'the same snapshot for both')
  t.same(feed.stats, { deltasPublished: 0, snapshotsBuilt: 1, snapshotsSent: 2, resyncs: 0 })
  t.notMatch(one.texts[0], /acct-|cid-/, 'no account or client id')
  same(one, 'snapshot')
  t.equal(feed.subscriptionCount, 2)
})

t.test('deltas: add at the back, change in place, delete; an iceberg refresh is delete + add; untriggered stops show nothing', async (t) => {
  const { engine, feed, order, client, same } = setup(t)
  const ice = order({ side: 'sell', price: '101', quantity: '3', displayQuantity: '1' })
  const plain = order({ side: 'sell', price: '101', quantity: '2' })
  const a = client()
  await turn()
  const seq0 = engine.sequence
  order({ side: 'buy', orderType: 'limit', timeInForce: 'ioc', price: '101', quantity: '1.5' })
  await turn()
  const delta = a.messages[1]
  t.ok(checks.delta.Check(delta), 'the delta has its schema')
  t.same(delta.events, [
    { action: 'delete', order_id: ice, side: 'sell', price: '101', quantity: '0' },
    { action: 'add', order_id: ice, side: 'sell', price: '101', quantity: '1' },
    { action: 'change', order_id: plain, side: 'sell', price: '101', quantity: '1.5' }
  ], 'the slice used up goes to the back; the next order keeps its place')
  t.equal(delta.prev_seq, seq0)
  t.equal(delta.seq, engine.sequence)
  t.same(a.book().asks.map((r) => r[0]), [plain, ice])
  same(a, 'after the refresh')

  const stop = engine.submit({ symbol: S, side: 'sell', orderType: 'stop_limit', price: '99.5', stopPrice: '100', quantity: '1', accountId: 'acct-3' })
  if (!stop.ok) throw new Error(stop.code)
  await turn()
  t.equal(a.texts.length, 2, 'an untriggered stop sends nothing')
  t.equal(feed.stats.deltasPublished, 1)

  // A trade at 100 triggers the stop: it takes the rest of the bid and rests at 99.5.
  const bid = order({ price: '100', quantity: '1' })
  order({ side: 'sell', orderType: 'market', quantity: '0.25', accountId: 'acct-2' })
  await turn()
  t.same(a.messages[2].events.map((e: any) => [e.action, e.order_id, e.side, e.price, e.quantity]), [
    ['add', bid, 'buy', '100', '1'],
    ['change', bid, 'buy', '100', '0.75'],
    ['delete', bid, 'buy', '100', '0'],
    ['add', stop.value.order.id, 'sell', '99.5', '0.25']
  ], 'two commands in one delta, in execution order')
  same(a, 'after the trigger')
})

t.test('amends: a reduction keeps the place, a new price or a larger quantity goes to the back, down to the filled quantity deletes', async (t) => {
  const { engine, order, client, same } = setup(t)
  const first = order({ price: '100', quantity: '2' })
  const second = order({ price: '100', quantity: '2' })
  const ice = order({ price: '100', quantity: '3', displayQuantity: '1' })
  const a = client()
  await turn()
  const amend = (orderId: string, newQuantity: string | null, newPrice: string | null = null) => {
    const result = engine.amend({ symbol: S, orderId, accountId: 'acct-1', newQuantity, newPrice })
    if (!result.ok) throw new Error(result.code)
  }
  const last = () => a.messages[a.messages.length - 1].events.map((e: any) => [e.action, e.order_id, e.price, e.quantity])
  amend(first, '1')
  await turn()
  t.same(last(), [['change', first, '100', '1']], 'a reduction is a change')
  amend(ice, '2')
  await turn()
  t.equal(a.texts.length, 2, 'a reduction of an iceberg that still shows the same slice sends nothing')
  amend(first, '3')
  await turn()
  t.same(last(), [['delete', first, '100', '0'], ['add', first, '100', '3']], 'a larger quantity goes to the back')
  amend(second, null, '99.5')
  await turn()
  t.same(last(), [['delete', second, '100', '0'], ['add', second, '99.5', '2']], 'a new price moves it')
  t.same(a.book().bids.map((r) => r[0]), [ice, first, second])
  amend(ice, null, '102')
  order({ side: 'sell', price: '102', quantity: '0.5', accountId: 'acct-2' })
  amend(ice, '0.5')
  await turn()
  t.same(last(), [['delete', ice, '100', '0'], ['add', ice, '102', '1'], ['change', ice, '102', '0.5'], ['delete', ice, '102', '0']],
    'three commands in one delta, in order: moved, part-filled, amended down to its fill')
  same(a, 'after the amends')
})

t.test('a late subscriber\'s snapshot and the deltas after it stay equal to the book and to an early subscriber\'s', async (t) => {
  const { engine, order, client, same } = setup(t)
  const early = client()
  const flow = (base: number) => {
    for (let i = 0; i < 20; i++) {
      const side = i % 2 === 0 ? 'buy' : 'sell'
      order({ side, price: String(base + (side === 'buy' ? -(i % 5) / 2 : (i % 5) / 2)), quantity: String(1 + (i % 3)), displayQuantity: i % 4 === 0 ? '0.5' : undefined })
    }
    order({ side: 'sell', orderType: 'market', quantity: '4' })
  }
  flow(100)
  await turn()
  flow(101)
  const late = client()
  flow(99)
  await turn()
  const lateSnapshot = late.messages[0]
  t.equal(lateSnapshot.kind, 'snapshot')
  t.equal(lateSnapshot.seq, early.seq, 'the late snapshot is at the seq the early subscriber holds')
  flow(100.5)
  await turn()
  same(early, 'early')
  same(late, 'late')
  t.same(late.book(), early.book())
  t.equal(late.seq, engine.sequence)
})

t.test('L3_TOO_LARGE: a book with more resting orders than the bound is refused; untriggered stops do not count', async (t) => {
  const { engine, feed, order, client } = setup(t, { maxOrders: 2 })
  const ids = [order({ price: '100', quantity: '1' }), order({ price: '99', quantity: '1' })]
  engine.submit({ symbol: S, side: 'sell', orderType: 'stop_market', stopPrice: '95', quantity: '1', accountId: 'acct-2' })
  client()
  ids.push(order({ price: '98', quantity: '1' }))
  const refused = feed.subscribe(new L3Client(S), S)
  t.same(refused, { ok: false, code: 'L3_TOO_LARGE', message: 'DEC-USD holds 3 resting orders, more than the 2 an l3 snapshot lists; l2_updates shows the book by level' })
  t.equal(feed.subscriptionCount, 1)
  engine.cancel({ symbol: S, orderId: ids[0], accountId: 'acct-1' })
  const b = client()
  await turn()
  t.equal(b.messages[0].bids.length, 2)
})

t.test('resync: a fresh snapshot as a resync message instead of the next delta; unknown subscribers and repeated calls', async (t) => {
  const { feed, order, client, same } = setup(t)
  const a = client()
  const b = client()
  order({ price: '100', quantity: '1' })
  t.equal(feed.resync(a, S), true, 'a resync while the snapshot is coming waits for that snapshot')
  await turn()
  t.same([a.messages.length, b.messages.length], [1, 1])
  order({ price: '100.5', quantity: '1' })
  t.equal(feed.resync(a, S), true)
  t.equal(feed.resync(a, S), true, 'twice is once')
  await turn()
  const resync = a.messages[1]
  t.ok(checks.resync.Check(resync), 'the resync has its schema')
  t.same([resync.type, resync.channel, resync.reason, resync.seq], ['resync', 'l3', 'dropped', b.seq])
  t.equal(b.messages[1].kind, 'delta', 'the others get the delta')
  t.equal(a.messages.length, 2)
  t.same(feed.stats.resyncs, 1)
  same(a, 'after the resync')
  t.equal(feed.resync(new L3Client(S), S), false, 'not subscribed')
  t.equal(feed.resync(a, 'NOPE-USD'), false, 'no such subscription')
})

t.test('subscribe twice, unsubscribe, removeSubscriber, a symbol forgotten and followed again', async (t) => {
  const { engine, feed, order, client, same } = setup(t)
  const a = client()
  t.same(feed.subscribe(a, 'dec-usd'), { ok: true }, 'again, by another spelling: a no-op')
  const gone = client()
  t.equal(feed.unsubscribe(gone, S), true, 'a subscriber that leaves before its snapshot gets none')
  const u = client(UNIT.symbol)
  await turn()
  t.same([a.messages.length, gone.messages.length, u.messages.length], [1, 0, 1])
  order({ price: '100', quantity: '1' })
  engine.submit({ symbol: UNIT.symbol, side: 'sell', orderType: 'limit', price: 5, quantity: 1 })
  feed.removeSubscriber(a)
  await turn()
  t.equal(a.messages.length, 1, 'nothing after removeSubscriber')
  t.equal(u.messages.length, 2, 'the other symbol goes on')
  same(u, 'UNIT', UNIT.symbol)
  t.equal(feed.unsubscribe(a, S), false, 'not subscribed any more')
  t.equal(feed.unsubscribe(a, 'NOPE-USD'), false)
  // DEC-USD has nobody: its commands are not tracked, and a new subscriber starts from the book.
  order({ price: '99', quantity: '1' })
  const again = client()
  await turn()
  same(again, 'followed again')
  t.ok(again.seq! >= a.seq!, 'its seq does not go back')
  order({ side: 'sell', orderType: 'market', quantity: '1.5' })
  await turn()
  same(again, 'followed again, then a trade')
  t.equal(feed.subscriptionCount, 2)
})

t.test('nothing goes out before durable() resolves; what happens meanwhile is the next delta; a failed journal stops the feed', async (t) => {
  let release: () => void = () => {}
  let fail: (error: Error) => void = () => {}
  let failures = 0
  const { engine, feed, order, client, same } = setup(t, {
    durable: () => new Promise<void>((resolve, reject) => { release = resolve; fail = reject }),
    onFailure: () => failures++
  })
  const a = client()
  await turn()
  t.equal(a.texts.length, 0, 'the snapshot waits for the journal')
  release()
  await turn()
  t.equal(a.messages[0].kind, 'snapshot')
  order({ price: '100', quantity: '1' })
  await turn()
  const held = engine.sequence
  order({ price: '100', quantity: '2' })
  await turn()
  t.equal(a.texts.length, 1, 'the delta waits')
  release()
  await turn()
  t.equal(a.messages[1].seq, held, 'the first delta is the command the journal had when it was cut')
  await turn()
  t.equal(a.texts.length, 2, 'the next cut waits for its own durable()')
  release()
  await turn()
  t.same(a.messages.map((m) => m.kind), ['snapshot', 'delta', 'delta'], 'the next one follows')
  same(a, 'after the waits')
  order({ price: '100', quantity: '3' })
  await turn()
  fail(new Error('disk gone'))
  await turn()
  t.equal(failures, 1)
  t.equal(feed.failed, true)
  order({ price: '100', quantity: '4' })
  await turn()
  t.equal(a.texts.length, 3, 'nothing that was not journaled, nothing after')
  t.equal(feed.subscriptionCount, 0)
})

t.test('a subscriber that throws: the error is reported and the other symbols still go out; stop() ends the flushes', async (t) => {
  const errors: unknown[] = []
  const { engine, feed, order, client } = setup(t, { onPublishError: (error) => errors.push(error) })
  const bad = { send: () => { throw new Error('broken socket') } }
  feed.subscribe(bad, S)
  const u = client(UNIT.symbol)
  await turn()
  t.equal(errors.length, 1)
  t.equal(u.messages.length, 1)
  feed.stop()
  order({ price: '100', quantity: '1' })
  engine.submit({ symbol: UNIT.symbol, side: 'sell', orderType: 'limit', price: 5, quantity: 1 })
  await turn()
  t.equal(u.messages.length, 1, 'nothing after stop()')
})

t.test('the l3 checksum: the contract\'s text, the same from the book and from rows, and test vectors', async (t) => {
  const { engine, order } = setup(t)
  t.equal(checksumOf('|'), 2343686810, 'empty book')
  t.equal(checksumOf('7:100.5:2,3:100:1.25|9:101:3'), 3847712668)
  const book = engine.book(S)!
  t.equal(l3ChecksumText(book), '|')
  for (let i = 0; i < 12; i++) {
    order({ price: String(100 - i), quantity: '1' })
    order({ price: String(100 - i), quantity: '0.5' })
  }
  order({ side: 'sell', price: '101', quantity: '2' })
  const rows = engineRows(engine, S)
  const text = l3ChecksumText(book)
  t.equal(text.split('|')[0].split(',').length, 20, 'ten levels of two orders')
  t.notOk(text.includes(':89:'), 'the eleventh level is not hashed')
  t.equal(l3Checksum(book), checksumOf(text))
  t.equal(l3ChecksumOfRows(rows.bids, rows.asks), l3Checksum(book), 'rows a client holds give the same checksum')
})

t.test('a subscriber that leaves while its snapshot waits for the journal gets nothing; the others get theirs', async (t) => {
  let release: () => void = () => {}
  const { feed, client } = setup(t, { durable: () => new Promise<void>((resolve) => { release = resolve }) })
  const a = client()
  const b = client()
  await turn()
  feed.unsubscribe(a, S)
  t.same(feed.subscribe(a, S), { ok: true }, 'and comes back: a new subscription, for the next cut')
  feed.removeSubscriber(b)
  release()
  await turn()
  t.same([a.texts.length, b.texts.length], [0, 0])
  await turn()
  release()
  await turn()
  t.same(a.messages.map((m) => m.kind), ['snapshot'])
})

t.test('defaults: the wall clock for timestamps, the journal always durable, errors and failures swallowed', async (t) => {
  const engine = new MatchingEngine({ symbols: [DEC], clock: steppingClock() })
  let journal: 'ok' | 'failed' = 'ok'
  const quiet = new L3Feed(engine)
  const feed = new L3Feed(engine, { durable: () => journal === 'ok' ? Promise.resolve() : Promise.reject(new Error('gone')) })
  for (const f of [quiet, feed]) {
    f.start()
    t.teardown(() => f.stop())
  }
  const a = new L3Client(S)
  const before = Date.now() / 1000
  quiet.subscribe(a, S)
  quiet.subscribe({ send: () => { throw new Error('broken') } }, S)
  feed.subscribe(new L3Client(S), S)
  await turn()
  t.ok(a.messages[0].timestamp >= before && a.messages[0].timestamp <= Date.now() / 1000, 'a wall-clock timestamp')
  journal = 'failed'
  engine.submit({ symbol: S, side: 'buy', orderType: 'limit', price: '100', quantity: '1' })
  await turn()
  t.equal(feed.failed, true)
  t.equal(quiet.failed, false)
})
