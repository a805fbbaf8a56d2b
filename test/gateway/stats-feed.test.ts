/** The ticker and candles feed on its own: a real engine and statistics, fake subscribers, no server. */
import t from 'tap'
import type { Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { MatchingEngine } from '../../src/engine/index.js'
import { MarketStats } from '../../src/market/market-stats.js'
import { StatsFeed, type StatsFeedOptions } from '../../src/gateway/stats-feed.js'
import { TypeRegistry } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { CandleMessage, TickerMessage } from '../../schemas/stats.js'
import { Recorder } from '../helpers/recorder.js'
import { UNIT } from '../helpers/engine.js'

const OTHER = { ...UNIT, symbol: 'OTHER-USD' }
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const THROTTLE = 40

function setup (t: Test, options: Partial<StatsFeedOptions> = {}) {
  const clock = { now: T0 }
  const engine = new MatchingEngine({ symbols: [UNIT, OTHER], clock: () => clock.now })
  const stats = new MarketStats()
  stats.follow(engine)
  const feed = new StatsFeed(engine, { stats, now: () => clock.now, throttleMs: THROTTLE, ...options })
  feed.start()
  t.teardown(() => feed.stop())
  const order = (side: 'buy' | 'sell', price: number, quantity: number, symbol = UNIT.symbol) => {
    const result = engine.submit({ symbol, side, orderType: 'limit', price, quantity })
    if (!result.ok) throw new Error(result.message)
  }
  const trade = (price: number, quantity: number, symbol = UNIT.symbol) => {
    order('sell', price, quantity, symbol)
    order('buy', price, quantity, symbol)
  }
  return { clock, engine, stats, feed, order, trade }
}

// Nullable fields are JSON-schema type lists (Type.Unsafe, for fast-json-stringify): the compiler checks them through this.
TypeRegistry.Set<{ type: string[] }>('Unsafe', (schema, value) => schema.type.includes(value === null ? 'null' : typeof value))
const tickerShape = TypeCompiler.Compile(TickerMessage)
const candleShape = TypeCompiler.Compile(CandleMessage)

/** Lets the feed's timers and promises run. */
const settle = async (ms = THROTTLE * 2) => await sleep(ms)

t.test('ticker: once right after subscribing, then on change, throttled, the same string to everyone', async (t) => {
  const { feed, trade, order } = setup(t)
  const a = new Recorder()
  const b = new Recorder()
  t.equal(feed.subscribe(a, 'ticker', 'unit-usd'), true)
  t.equal(feed.subscribe(a, 'ticker', UNIT.symbol), false, 'idempotent')
  t.equal(a.texts.length, 0, 'nothing before the journal said durable')
  await settle(1)
  t.match(a.messages, [{ type: 'ticker', symbol: UNIT.symbol, last_price: null, trades_24h: 0, timestamp: T0 / 1000 }])
  feed.subscribe(b, 'ticker', UNIT.symbol)
  // A burst: one message for all of it, showing the final state.
  for (let i = 0; i < 20; i++) trade(100 + i, 1)
  await settle(THROTTLE / 4)
  t.equal(a.texts.length, 2, 'the first change goes out at once')
  t.match(a.messages[1], { last_price: '119', trades_24h: 20, volume_24h: '20', high_24h: '119', open_24h: '100' })
  t.equal(b.texts[b.texts.length - 1], a.texts[1], 'both got the same text')
  trade(200, 2)
  trade(201, 2)
  await settle(THROTTLE / 4)
  t.equal(a.texts.length, 2, 'within the throttle window: held back')
  await settle()
  t.equal(a.texts.length, 3, 'then one message')
  t.match(a.messages[2], { last_price: '201', trades_24h: 22 })
  // A change that leaves the ticker as it was (a bid below the best) sends nothing.
  order('buy', 50, 1)
  order('buy', 40, 1)
  await settle()
  t.match(a.messages[3], { best_bid: '50' })
  order('buy', 30, 1)
  await settle()
  t.equal(a.texts.length, 4, 'unchanged: not sent again')
  t.equal(feed.unsubscribe(a, 'ticker', UNIT.symbol), true)
  t.equal(feed.unsubscribe(a, 'ticker', UNIT.symbol), false)
  trade(300, 1)
  await settle()
  t.equal(a.texts.length, 4, 'unsubscribed: nothing more')
  t.match(JSON.parse(b.texts[b.texts.length - 1]), { last_price: '300' })
  for (const message of [...a.messages, ...b.messages]) t.ok(tickerShape.Check(message), 'a ticker message as schemas/stats.ts says')
})

t.test('ticker of every symbol (symbol null): one per symbol on subscribing, each symbol once per push', async (t) => {
  const { feed, trade } = setup(t)
  const all = new Recorder()
  t.equal(feed.subscribe(all, 'ticker', null), true)
  t.equal(feed.subscribe(all, 'ticker', OTHER.symbol), true, 'also one symbol: still one message per push')
  await settle(1)
  t.same(all.messages.map((m) => m.symbol), [UNIT.symbol, OTHER.symbol, OTHER.symbol])
  trade(10, 1, OTHER.symbol)
  await settle()
  t.same(all.messages.slice(3).map((m) => [m.symbol, m.last_price]), [[OTHER.symbol, '10']])
  t.equal(feed.unsubscribe(all, 'ticker', null), true)
  trade(11, 1, UNIT.symbol)
  await settle()
  t.equal(all.texts.length, 4, 'the all-symbols subscription is gone')
  feed.removeSubscriber(all)
  trade(12, 1, OTHER.symbol)
  await settle()
  t.equal(all.texts.length, 4, 'removed everywhere')
})

t.test('candles: the current candle on trades, per interval; once after subscribing if one exists', async (t) => {
  const { feed, trade, clock } = setup(t)
  const one = new Recorder()
  const day = new Recorder()
  t.equal(feed.subscribe(one, 'candles', UNIT.symbol, '1m'), true)
  t.equal(feed.subscribe(one, 'candles', UNIT.symbol, '1m'), false)
  await settle(1)
  t.equal(one.texts.length, 0, 'no candle yet: nothing to send')
  clock.now = T0 + 5_000
  trade(100, 2)
  trade(90, 1)
  await settle()
  t.strictSame(one.messages, [{
    type: 'candle',
    symbol: UNIT.symbol,
    interval: '1m',
    open_time: T0 / 1000,
    close_time: T0 / 1000 + 60,
    open: '100',
    high: '100',
    low: '90',
    close: '90',
    volume: '3',
    quote_volume: '290',
    trades: 2,
    timestamp: (T0 + 5_000) / 1000
  }])
  feed.subscribe(day, 'candles', UNIT.symbol, '1d')
  await settle(1)
  t.match(day.messages, [{ interval: '1d', open_time: Date.UTC(2026, 0, 1) / 1000, trades: 2 }], 'the current candle at once')
  clock.now = T0 + 61_000
  trade(95, 1)
  trade(96, 1, OTHER.symbol)
  await settle()
  t.match(one.messages[1], { open_time: T0 / 1000 + 60, open: '95', trades: 1 }, 'a new minute: a new candle')
  t.equal(one.texts.length, 2, 'another symbol\'s trade is not this feed\'s')
  t.match(day.messages[1], { trades: 3, close: '95' })
  for (const message of [...one.messages, ...day.messages]) t.ok(candleShape.Check(message), 'a candle message as schemas/stats.ts says')
  t.notOk(candleShape.Check({ ...one.messages[0], open_time: 'x' }), 'and the schema tells a wrong one')
  t.equal(feed.unsubscribe(one, 'candles', UNIT.symbol, '1m'), true)
  t.equal(feed.unsubscribe(one, 'candles', UNIT.symbol, '1m'), false)
  t.equal(feed.unsubscribe(one, 'candles', UNIT.symbol, '5m'), false)
  feed.removeSubscriber(day)
  trade(97, 1)
  await settle()
  t.same([one.texts.length, day.texts.length], [2, 2], 'nothing after leaving')
  t.throws(() => feed.subscribe(one, 'candles', UNIT.symbol, '2m'), /interval/)
  t.throws(() => feed.subscribe(one, 'candles', UNIT.symbol), /interval/)
  t.throws(() => feed.subscribe(one, 'ticker', 'NOPE-USD'), /not a traded symbol/)
  t.throws(() => feed.subscribe(one, 'candles', null, '1m'), /not a traded symbol/)
  t.ok(StatsFeed.isInterval('15m'))
  t.notOk(StatsFeed.isInterval('15s'))
})

t.test('market data waits for the journal; a failed journal stops the feed for good', async (t) => {
  let release: () => void = () => {}
  let fail: (error: Error) => void = () => {}
  let pending = 0
  const durable = () => new Promise<void>((resolve, reject) => {
    pending++
    release = resolve
    fail = reject
  })
  const { feed, trade } = setup(t, { durable })
  const sub = new Recorder()
  feed.subscribe(sub, 'ticker', UNIT.symbol)
  trade(100, 1)
  await settle()
  t.equal(sub.texts.length, 0, 'nothing while the journal has not answered')
  release()
  await settle()
  t.same(sub.messages.map((m) => m.trades_24h), [0], 'the subscribe message first, once durable')
  release()
  await settle()
  t.same(sub.messages.map((m) => m.trades_24h), [0, 1], 'then the push, in the order built')
  t.equal(pending, 2, 'each waited for its own durable()')
  trade(101, 1)
  await settle()
  fail(new Error('disk full'))
  await settle()
  t.equal(feed.failed, true)
  t.equal(sub.texts.length, 2, 'never published')
  trade(102, 1)
  feed.checkWindows()
  await settle()
  t.equal(sub.texts.length, 2, 'a failed feed stays quiet')
  t.equal(feed.subscribe(new Recorder(), 'ticker', UNIT.symbol), true, 'subscribing still answers (the gateway closes sessions)')
})

t.test('the 24-hour window moves with time alone: the ticker is checked at each window-check multiple', async (t) => {
  const { feed, trade, clock } = setup(t, { windowCheckMs: 30 })
  const sub = new Recorder()
  trade(100, 1)
  feed.subscribe(sub, 'ticker', UNIT.symbol)
  await settle(1)
  t.match(sub.messages, [{ trades_24h: 1 }])
  clock.now = T0 + 25 * 3_600_000
  await settle(100)
  t.match(sub.messages[1], { trades_24h: 0, open_24h: null, last_price: '100' }, 'the trade left the window: pushed without any trade')
  const count = sub.texts.length
  await settle(100)
  t.equal(sub.texts.length, count, 'unchanged since: nothing more')
  feed.unsubscribe(sub, 'ticker', UNIT.symbol)
  await settle(100)
})

t.test('leaving before a push is built or sent, stopping, and a failure from outside: nothing goes out', async (t) => {
  // A journal the test holds back (hold) and lets go (drain).
  const journal = { open: true, waiting: [] as Array<() => void> }
  const durable = () => journal.open ? Promise.resolve() : new Promise<void>((resolve) => { journal.waiting.push(resolve) })
  const hold = () => { journal.open = false }
  const drain = async () => {
    journal.open = true
    for (const resolve of journal.waiting.splice(0)) resolve()
    await settle()
  }
  const { feed, trade } = setup(t, { durable })
  const all = new Recorder()
  const one = new Recorder()
  feed.subscribe(all, 'ticker', null)
  feed.subscribe(one, 'candles', UNIT.symbol, '5m')
  trade(100, 1)
  await settle()
  t.match(all.messages.map((m) => m.symbol), [UNIT.symbol, OTHER.symbol, UNIT.symbol], 'every symbol\'s ticker reaches an all-symbols subscriber')
  t.match(one.messages, [{ type: 'candle', interval: '5m', trades: 1 }])

  // Built, then the subscribers leave before the journal answers.
  hold()
  trade(101, 1)
  await settle()
  feed.removeSubscriber(one)
  feed.unsubscribe(all, 'ticker', null)
  await drain()
  t.equal(all.texts.length, 3, 'left before it was sent: not sent')
  t.equal(one.texts.length, 1)

  // Marked, then the subscriber leaves before it is built.
  feed.subscribe(one, 'candles', UNIT.symbol, '1h')
  await settle()
  trade(102, 1)
  feed.unsubscribe(one, 'candles', UNIT.symbol, '1h')
  await settle()
  t.equal(one.texts.length, 2, 'only the subscribe message')

  // Stopped with a push pending.
  feed.subscribe(all, 'ticker', UNIT.symbol)
  await settle()
  const count = all.texts.length
  trade(103, 1)
  feed.stop()
  await settle()
  t.equal(all.texts.length, count, 'stop drops what was pending')

  // Failed from outside (the exchange's gate) while a message waits for the journal.
  feed.start()
  hold()
  trade(104, 1)
  await settle()
  feed.fail()
  await drain()
  t.equal(all.texts.length, count, 'a failed feed sends nothing it had built')
})
