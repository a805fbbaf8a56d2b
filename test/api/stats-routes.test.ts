// GET /trades, /ticker, /tickers and /candles through the real app (inject), with a clock the test sets.
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { SYMBOL, get, limit, market, placeOk } from './support.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const MINUTE = 60_000

async function setup (t: Parameters<typeof buildTestApp>[0]) {
  const clock = { now: T0 }
  const app = await buildTestApp(t, {}, { clock: () => clock.now })
  /** One trade: a resting sell, then a market buy that takes it. */
  const trade = async (at: number, price: string, qty: string, symbol = SYMBOL) => {
    clock.now = at
    await placeOk(app, limit('sell', price, qty, { symbol }))
    await placeOk(app, market('buy', qty, { symbol }))
  }
  return { app, clock, trade }
}

t.test('GET /trades: the public tape, newest first, ?limit=N (default 100), no order ids', async (t) => {
  const { app, trade } = await setup(t)
  const empty = await get(app, `/trades/${SYMBOL}`)
  t.strictSame([empty.status, empty.body], [200, { symbol: SYMBOL, trades: [] }])
  for (let i = 0; i < 105; i++) await trade(T0 + i, String(30000 + i), '0.001')
  const all = await get(app, '/trades/btc-usdt')
  t.equal(all.body.symbol, SYMBOL)
  t.equal(all.body.trades.length, 100)
  t.strictSame(all.body.trades[0], {
    trade_id: 'BTC-USDT-105',
    symbol: SYMBOL,
    price: '30104',
    quantity: '0.001',
    aggressor_side: 'buy',
    timestamp: (T0 + 104) / 1000,
    trade_value: '30.104',
    maker_fee: '0.030104',
    taker_fee: '0.030104'
  })
  t.equal(all.body.trades[99].trade_id, 'BTC-USDT-6')
  const three = await get(app, `/trades/${SYMBOL}?limit=3`)
  t.same(three.body.trades.map((x: { trade_id: string }) => x.trade_id), ['BTC-USDT-105', 'BTC-USDT-104', 'BTC-USDT-103'])
  t.equal((await get(app, `/trades/${SYMBOL}?limit=1000`)).body.trades.length, 105)
})

t.test('GET /ticker and /tickers: last, best bid/ask and the rolling 24 hours, exact', async (t) => {
  const { app, clock, trade } = await setup(t)
  await trade(T0, '30000', '0.5')
  await trade(T0 + 30 * MINUTE, '31000.5', '0.25')
  await trade(T0 + 2 * 60 * MINUTE, '29000', '1')
  await placeOk(app, limit('buy', '28999.99', '1'))
  await placeOk(app, limit('sell', '29001', '1'))
  clock.now = T0 + 3 * 60 * MINUTE
  const ticker = await get(app, `/ticker/${SYMBOL}`)
  t.equal(ticker.status, 200)
  t.strictSame(ticker.body, {
    symbol: SYMBOL,
    last_price: '29000',
    best_bid: '28999.99',
    best_ask: '29001',
    open_24h: '30000',
    high_24h: '31000.5',
    low_24h: '29000',
    volume_24h: '1.75',
    quote_volume_24h: '51750.125',
    change_24h: '-1000',
    change_percent_24h: '-3.33',
    trades_24h: 3,
    timestamp: (T0 + 3 * 60 * MINUTE) / 1000
  })
  clock.now = T0 + 24 * 60 * MINUTE + 1
  const later = await get(app, '/ticker/btc-usdt')
  t.match(later.body, { open_24h: '31000.5', trades_24h: 2, volume_24h: '1.25' }, 'the first trade\'s minute left the window')
  const tickers = await get(app, '/tickers')
  t.equal(tickers.status, 200)
  t.same(tickers.body.tickers.map((x: { symbol: string }) => x.symbol), ['BTC-USDT', 'ETH-USDT', 'BNB-USDT', 'SOL-USDT'])
  t.strictSame(tickers.body.tickers[0], later.body)
  t.match(tickers.body.tickers[1], { symbol: 'ETH-USDT', last_price: null, open_24h: null, trades_24h: 0 })
})

t.test('GET /candles: interval required, start/end on open_time inclusive, newest `limit`, oldest first', async (t) => {
  const { app, trade } = await setup(t)
  await trade(T0 + 1_000, '100', '1')
  await trade(T0 + 2_000, '105', '2')
  await trade(T0 + 7 * MINUTE, '99', '1')
  await trade(T0 + 16 * MINUTE, '98', '3')
  const ones = await get(app, `/candles/${SYMBOL}?interval=1m`)
  t.equal(ones.status, 200)
  t.equal(ones.body.symbol, SYMBOL)
  t.equal(ones.body.interval, '1m')
  t.strictSame(ones.body.candles[0], {
    open_time: T0 / 1000, close_time: T0 / 1000 + 60, open: '100', high: '105', low: '100', close: '105', volume: '3', quote_volume: '310', trades: 2
  })
  t.same(ones.body.candles.map((c: { open_time: number }) => c.open_time), [T0 / 1000, T0 / 1000 + 420, T0 / 1000 + 960])
  const fives = await get(app, `/candles/${SYMBOL}?interval=5m`)
  t.same(fives.body.candles.map((c: { open_time: number, trades: number }) => [c.open_time, c.trades]), [[T0 / 1000, 2], [T0 / 1000 + 300, 1], [T0 / 1000 + 900, 1]])
  const day = await get(app, `/candles/${SYMBOL}?interval=1d`)
  t.match(day.body.candles, [{ open_time: Date.UTC(2026, 0, 1) / 1000, open: '100', high: '105', low: '98', close: '98', volume: '7', quote_volume: '703', trades: 4 }])
  const range = await get(app, `/candles/${SYMBOL}?interval=1m&start=${T0 / 1000 + 60}&end=${T0 / 1000 + 960}`)
  t.same(range.body.candles.map((c: { open_time: number }) => c.open_time), [T0 / 1000 + 420, T0 / 1000 + 960], 'end is inclusive')
  const newest = await get(app, `/candles/${SYMBOL}?interval=1m&limit=2`)
  t.same(newest.body.candles.map((c: { open_time: number }) => c.open_time), [T0 / 1000 + 420, T0 / 1000 + 960], 'the newest 2, oldest first')
  const quiet = await get(app, '/candles/ETH-USDT?interval=4h')
  t.strictSame(quiet.body, { symbol: 'ETH-USDT', interval: '4h', candles: [] }, 'no empty candles')
})

t.test('bad parameters → 400 INVALID_PARAMETER; unknown symbol → 404 SYMBOL_NOT_FOUND', async (t) => {
  const { app } = await setup(t)
  const bad = [
    '/trades/BTC-USDT?limit=0', '/trades/BTC-USDT?limit=1001', '/trades/BTC-USDT?limit=abc', '/trades/BTC-USDT?limit=1.5', '/trades/BTC-USDT?limit=',
    '/candles/BTC-USDT', '/candles/BTC-USDT?interval=2m', '/candles/BTC-USDT?interval=1M', '/candles/BTC-USDT?interval=1m&limit=0',
    '/candles/BTC-USDT?interval=1m&limit=1001', '/candles/BTC-USDT?interval=1m&start=-1', '/candles/BTC-USDT?interval=1m&start=1.5',
    '/candles/BTC-USDT?interval=1m&end=abc', '/candles/BTC-USDT?interval=1m&start=200&end=100', '/candles/BTC-USDT?interval=1m&end=123456789012'
  ]
  for (const url of bad) {
    const reply = await get(app, url)
    t.equal(reply.status, 400, url)
    t.equal(reply.body.error_code, 'INVALID_PARAMETER', url)
  }
  for (const url of ['/trades/XRP-USDT', '/ticker/XRP-USDT', '/candles/XRP-USDT?interval=1m']) {
    const reply = await get(app, url)
    t.equal(reply.status, 404, url)
    t.equal(reply.body.error_code, 'SYMBOL_NOT_FOUND', url)
  }
})

t.test('the routes are in the OpenAPI document with their schemas', async (t) => {
  const { app } = await setup(t)
  const doc = (await app.inject('/docs/json')).json()
  for (const path of ['/trades/{symbol}', '/ticker/{symbol}', '/tickers', '/candles/{symbol}']) {
    t.ok(doc.paths[path]?.get?.responses?.['200'], `GET ${path} is documented with a 200 schema`)
    t.ok(doc.paths[path]?.get?.responses?.['4XX'] ?? doc.paths[path]?.get?.responses?.['4xx'], `GET ${path} documents its errors`)
  }
  const candleQuery = doc.paths['/candles/{symbol}'].get.parameters.map((p: { name: string }) => p.name)
  t.same(candleQuery.sort(), ['end', 'interval', 'limit', 'start', 'symbol'])
})
