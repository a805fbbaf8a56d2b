// Read-only endpoints: GET /book, /bbo, /symbols, /statistics and /health.
import t from 'tap'
import { crc32 } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { buildTestApp } from '../helpers/build-app.js'
import { steppingClock } from '../helpers/clock.js'
import { SYMBOL, get, limit, placeOk, post, statistics } from './support.js'

const DEFAULT_SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'BNB-USDT', 'SOL-USDT']
const MIN_QUANTITY: Record<string, string> = { 'BTC-USDT': '0.00001', 'ETH-USDT': '0.0001', 'BNB-USDT': '0.001', 'SOL-USDT': '0.01' }
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version

t.test('GET /book: best first, aggregated, 10 levels by default, ?levels=N', async (t) => {
  const app = await buildTestApp(t)
  for (let i = 0; i < 12; i++) {
    await placeOk(app, limit('buy', String(30000 - i), '0.01'))
    await placeOk(app, limit('sell', String(30100 + i), '0.02'))
  }
  await placeOk(app, limit('buy', '30000', '0.005'))
  await placeOk(app, limit('sell', '30100', '0.125'))

  const full = await get(app, `/book/${SYMBOL}`)
  t.equal(full.status, 200)
  t.same(Object.keys(full.body).sort(), ['asks', 'bids', 'checksum', 'seq', 'symbol', 'timestamp'])
  t.equal(full.body.seq, 26, 'seq: the newest command the book reflects (the 26th order)')
  const top10 = (levels: string[][]) => levels.map(([p, q]) => `${p}:${q}`).join(',')
  t.equal(full.body.checksum, crc32(`${top10(full.body.bids)}|${top10(full.body.asks)}`), 'checksum: CRC-32 of the top 10 levels as text')
  t.equal(full.body.symbol, SYMBOL)
  t.type(full.body.timestamp, 'number')
  t.equal(full.body.bids.length, 10)
  t.equal(full.body.asks.length, 10)
  t.strictSame(full.body.bids.slice(0, 3), [['30000', '0.015'], ['29999', '0.01'], ['29998', '0.01']])
  t.strictSame(full.body.asks.slice(0, 3), [['30100', '0.145'], ['30101', '0.02'], ['30102', '0.02']])
  t.strictSame(full.body.bids[9], ['29991', '0.01'])
  t.strictSame(full.body.asks[9], ['30109', '0.02'])

  const three = await get(app, `/book/${SYMBOL}?levels=3`)
  t.strictSame(three.body.bids, full.body.bids.slice(0, 3))
  t.strictSame(three.body.asks, full.body.asks.slice(0, 3))
  const all = await get(app, '/book/btc-usdt?levels=100')
  t.equal(all.body.symbol, SYMBOL, 'path symbol is case-insensitive')
  t.equal(all.body.bids.length, 12)
  t.equal(all.body.asks.length, 12)
  t.strictSame(all.body.bids[11], ['29989', '0.01'])
  const one = await get(app, `/book/${SYMBOL}?levels=1`)
  t.strictSame([one.body.bids, one.body.asks], [[['30000', '0.015']], [['30100', '0.145']]])
})

t.test('GET /book: levels out of range or not an integer → 400 INVALID_PARAMETER', async (t) => {
  const app = await buildTestApp(t)
  for (const levels of ['0', '1001', 'abc', '1.5', '-1', '', '1e1', '0x10']) {
    const reply = await get(app, `/book/${SYMBOL}?levels=${levels}`)
    t.equal(reply.status, 400, `levels=${levels}`)
    t.equal(reply.body.error_code, 'INVALID_PARAMETER', `levels=${levels}`)
  }
})

// Contract: "out of range or not an integer → 400 INVALID_PARAMETER", whatever
// the length of the text. (BookQuery's maxLength makes a long value a schema
// VALIDATION_ERROR instead.)
t.test('GET /book: a long out-of-range levels is still INVALID_PARAMETER', async (t) => {
  const app = await buildTestApp(t)
  const reply = await get(app, `/book/${SYMBOL}?levels=12345678901`)
  t.equal(reply.status, 400)
  t.equal(reply.body.error_code, 'INVALID_PARAMETER')
})

t.test('unknown symbol → 404 SYMBOL_NOT_FOUND and no book is created', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/book/XRP-USDT', '/bbo/XRP-USDT', '/statistics?symbol=XRP-USDT', '/book/BTC-USD']) {
    const reply = await get(app, url)
    t.equal(reply.status, 404, url)
    t.equal(reply.body.error_code, 'SYMBOL_NOT_FOUND', url)
  }
  const order = await post(app, '/order', limit('buy', '1', '20', { symbol: 'XRP-USDT' }))
  t.equal(order.status, 404)
  t.equal(order.body.error_code, 'SYMBOL_NOT_FOUND')

  const symbols = await get(app, '/symbols')
  t.strictSame(symbols.body.symbols, DEFAULT_SYMBOLS)
  t.equal(symbols.body.count, 4)
  t.same(Object.keys(symbols.body.symbol_info).sort(), [...DEFAULT_SYMBOLS].sort())
  const stats = await statistics(app)
  t.equal(stats.symbols_count, 4)
  t.same(Object.keys(stats.total_volume).sort(), [...DEFAULT_SYMBOLS].sort())
})

t.test('GET /bbo: nulls on an empty side, exact spread and mid', async (t) => {
  const app = await buildTestApp(t)
  const empty = await get(app, `/bbo/${SYMBOL}`)
  t.equal(empty.status, 200)
  t.same(Object.keys(empty.body).sort(), ['best_ask', 'best_bid', 'mid_price', 'spread', 'symbol', 'timestamp'])
  t.match(empty.body, { symbol: SYMBOL, best_bid: null, best_ask: null, spread: null, mid_price: null })
  t.type(empty.body.timestamp, 'number')

  await placeOk(app, limit('buy', '100.01', '1'))
  const bidOnly = await get(app, `/bbo/${SYMBOL}`)
  t.match(bidOnly.body, { best_bid: '100.01', best_ask: null, spread: null, mid_price: null })

  await placeOk(app, limit('sell', '100.04', '1'))
  await placeOk(app, limit('sell', '100.05', '1'))
  await placeOk(app, limit('buy', '100', '1'))
  const both = await get(app, '/bbo/btc-usdt')
  t.match(both.body, { symbol: SYMBOL, best_bid: '100.01', best_ask: '100.04', spread: '0.03', mid_price: '100.025' })

  const eth = await get(app, '/bbo/ETH-USDT')
  t.match(eth.body, { symbol: 'ETH-USDT', best_bid: null, best_ask: null }, 'books are per symbol')
})

t.test('GET /symbols: filters, counters and BBO of every configured symbol', async (t) => {
  const app = await buildTestApp(t)
  await placeOk(app, limit('buy', '30000', '0.1'))
  await placeOk(app, limit('sell', '30100', '0.3'))
  await placeOk(app, limit('buy', '30100', '0.1'))

  const reply = await get(app, '/symbols')
  t.equal(reply.status, 200)
  t.same(Object.keys(reply.body).sort(), ['count', 'symbol_info', 'symbols'])
  t.strictSame(reply.body.symbols, DEFAULT_SYMBOLS)
  t.equal(reply.body.count, 4)
  for (const symbol of DEFAULT_SYMBOLS) {
    const info = reply.body.symbol_info[symbol]
    t.same(Object.keys(info).sort(),
      ['active_orders', 'bbo', 'lot_size', 'max_quantity', 'min_notional', 'min_quantity', 'price_band', 'tick_size', 'total_trades', 'trading_status'], symbol)
    t.match(info, {
      tick_size: '0.01',
      lot_size: '0.00000001',
      min_quantity: MIN_QUANTITY[symbol],
      max_quantity: '900',
      min_notional: '10'
    }, symbol)
    t.equal(info.bbo.symbol, symbol)
  }
  const btc = reply.body.symbol_info[SYMBOL]
  t.equal(btc.active_orders, 2)
  t.equal(btc.total_trades, 1)
  t.match(btc.bbo, { best_bid: '30000', best_ask: '30100', spread: '100', mid_price: '30050' })
  t.match(reply.body.symbol_info['SOL-USDT'], { active_orders: 0, total_trades: 0 })
})

t.test('GET /statistics: engine-wide counters, volume per symbol, latency and error counts', async (t) => {
  const app = await buildTestApp(t)
  const fresh = await statistics(app)
  t.match(fresh, { orders_processed: 0, trades_executed: 0, symbols_count: 4, error_counts: {} })
  t.strictSame(fresh.total_volume, { 'BTC-USDT': '0', 'ETH-USDT': '0', 'BNB-USDT': '0', 'SOL-USDT': '0' })

  await placeOk(app, limit('sell', '30000', '0.25'))
  await placeOk(app, limit('sell', '30001', '0.25'))
  await placeOk(app, limit('buy', '30001', '0.3'))
  await placeOk(app, limit('buy', '2000', '0.5', { symbol: 'ETH-USDT' }))
  await placeOk(app, limit('sell', '2000', '0.125', { symbol: 'ETH-USDT' }))
  const bad = await post(app, '/order', limit('buy', '30000.001', '0.1'))
  t.equal(bad.body.error_code, 'VALIDATION_ERROR')
  await get(app, '/book/NOPE-USDT')

  const stats = await statistics(app)
  for (const key of ['orders_processed', 'trades_executed', 'total_volume', 'avg_latency_ms', 'p50_latency_ms',
    'p99_latency_ms', 'uptime_seconds', 'symbols_count', 'orders_per_second', 'error_counts']) {
    t.ok(Object.hasOwn(stats, key), key)
  }
  t.equal(stats.orders_processed, 5)
  t.equal(stats.trades_executed, 3)
  t.strictSame(stats.total_volume, { 'BTC-USDT': '0.3', 'ETH-USDT': '0.125', 'BNB-USDT': '0', 'SOL-USDT': '0' })
  for (const key of ['avg_latency_ms', 'p50_latency_ms', 'p99_latency_ms', 'uptime_seconds', 'orders_per_second']) {
    t.type(stats[key], 'number', key)
    t.ok(stats[key] >= 0, key)
  }
  t.ok(stats.p50_latency_ms <= stats.p99_latency_ms, 'p50 ≤ p99')
  t.strictSame(stats.error_counts, { VALIDATION_ERROR: 1, SYMBOL_NOT_FOUND: 1 })
})

t.test('GET /statistics?symbol=S: per-symbol figures', async (t) => {
  const app = await buildTestApp(t, {}, { clock: steppingClock() })
  const fresh = await statistics(app, SYMBOL)
  t.strictSame(fresh, {
    symbol: SYMBOL,
    total_orders: 0,
    total_trades: 0,
    total_volume: '0',
    last_trade_price: null,
    last_trade_time: null,
    active_orders: 0,
    bid_levels: 0,
    ask_levels: 0
  })

  await placeOk(app, limit('sell', '30000', '0.1')) // t0
  await placeOk(app, limit('sell', '30002', '0.1')) // t0 + 1 ms
  await placeOk(app, limit('buy', '29000', '0.1')) // t0 + 2 ms
  await placeOk(app, limit('buy', '29001', '0.2')) // t0 + 3 ms
  await placeOk(app, limit('buy', '30001', '0.15')) // t0 + 4 ms: trades 0.1 at 30000, rests 0.05
  await placeOk(app, limit('buy', '1000', '0.1', { symbol: 'ETH-USDT' }))

  const stats = await statistics(app, 'btc-usdt')
  t.strictSame(stats, {
    symbol: SYMBOL,
    total_orders: 5,
    total_trades: 1,
    total_volume: '0.1',
    last_trade_price: '30000',
    last_trade_time: 1_700_000_000.004,
    active_orders: 4,
    bid_levels: 3,
    ask_levels: 1
  })
  t.match(await statistics(app, 'ETH-USDT'), { total_orders: 1, total_trades: 0, active_orders: 1, bid_levels: 1 })
})

t.test('GET /health: status, timestamp in seconds, uptime, version, connections', async (t) => {
  const app = await buildTestApp(t)
  const reply = await get(app, '/health')
  t.equal(reply.status, 200)
  t.same(Object.keys(reply.body).sort(), ['connections', 'status', 'timestamp', 'uptime', 'version'])
  t.equal(reply.body.status, 'healthy')
  t.equal(reply.body.version, PACKAGE_VERSION)
  t.equal(reply.body.connections, 0)
  t.type(reply.body.uptime, 'number')
  t.ok(reply.body.uptime >= 0)
  t.type(reply.body.timestamp, 'number')
  t.ok(reply.body.timestamp > 1e9 && reply.body.timestamp < 1e11, 'epoch seconds, not milliseconds')
})
