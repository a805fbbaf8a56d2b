/** The market statistics on their own: a real engine's trades, a controlled clock, no server. */
import t from 'tap'
import { MatchingEngine } from '../../src/engine/index.js'
import { CandleSeries, INTERVAL_MS, isCandleInterval } from '../../src/market/candle-series.js'
import { MarketStats, type SymbolStats } from '../../src/market/market-stats.js'
import { candleView, percentText, tapeView, tickerView } from '../../src/wire/stats-views.js'
import { UNIT } from '../helpers/engine.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const MINUTE = 60_000

/** An engine whose clock the test sets, followed by fresh statistics. */
function setup (symbols = [UNIT]) {
  const clock = { now: T0 }
  const engine = new MatchingEngine({ symbols, clock: () => clock.now })
  const market = new MarketStats()
  market.follow(engine)
  return { clock, engine, market, stats: market.of(symbols[0].symbol) as SymbolStats }
}

/** One trade of `qty` at `price` at time `at`: a resting sell, then a buy taking it. */
function trade (s: ReturnType<typeof setup>, at: number, price: number, qty: number, symbol = UNIT.symbol) {
  s.clock.now = at
  for (const side of ['sell', 'buy'] as const) {
    const result = s.engine.submit({ symbol, side, orderType: 'limit', price, quantity: qty })
    if (!result.ok) throw new Error(result.message)
  }
}

t.test('candles: aligned to UTC multiples of each interval, OHLCV exact, only intervals with trades', async (t) => {
  const s = setup()
  trade(s, T0 + 5_000, 100, 2)
  trade(s, T0 + 30_000, 110, 1)
  trade(s, T0 + 59_999, 90, 3)
  trade(s, T0 + 3 * MINUTE + 1, 95, 4)
  const spec = s.engine.book(UNIT.symbol)!.spec
  const ones = s.stats.candles['1m'].range(0, Number.MAX_SAFE_INTEGER, 1000).map((c) => candleView(c, INTERVAL_MS['1m'], spec))
  t.strictSame(ones, [
    { open_time: T0 / 1000, close_time: T0 / 1000 + 60, open: '100', high: '110', low: '90', close: '90', volume: '6', quote_volume: '580', trades: 3 },
    { open_time: T0 / 1000 + 180, close_time: T0 / 1000 + 240, open: '95', high: '95', low: '95', close: '95', volume: '4', quote_volume: '380', trades: 1 }
  ])
  const day = s.stats.candles['1d'].current!
  t.equal(day.openTime, Date.UTC(2026, 0, 1), '1d opens at UTC midnight')
  t.equal(s.stats.candles['4h'].current!.openTime, T0, '12:00 is a multiple of 4 hours')
  t.equal(s.stats.candles['1h'].size, 1)
  t.equal(day.trades, 4)
  // Range: open_time in [start, end], the newest `limit`, oldest first.
  t.same(s.stats.candles['1m'].range(T0 + MINUTE, Number.MAX_SAFE_INTEGER, 10).map((c) => c.openTime), [T0 + 3 * MINUTE])
  t.same(s.stats.candles['1m'].range(0, T0, 10).map((c) => c.openTime), [T0])
  t.same(s.stats.candles['1m'].range(0, Number.MAX_SAFE_INTEGER, 1).map((c) => c.openTime), [T0 + 3 * MINUTE])
  t.ok(isCandleInterval('4h'))
  t.notOk(isCandleInterval('2m'))
  t.notOk(isCandleInterval(undefined))
})

t.test('a trade stamped before the newest (a clock stepped back) counts in the current candle', async (t) => {
  const s = setup()
  trade(s, T0 + 2 * MINUTE, 100, 1)
  trade(s, T0, 101, 1)
  t.equal(s.stats.candles['1m'].size, 1)
  t.equal(s.stats.candles['1m'].current!.close, 101)
  t.equal(s.stats.tape.newest(1)[0].timestamp, T0, 'the tape keeps the trade\'s own time')
})

t.test('retention: the last 1000 trades and the last 1000 candles per interval', async (t) => {
  const series = new CandleSeries(MINUTE, 1000)
  for (let i = 0; i < 1005; i++) series.add(T0 + i * MINUTE, 1, 1)
  t.equal(series.size, 1000)
  t.equal(series.range(0, Number.MAX_SAFE_INTEGER, 1000)[0].openTime, T0 + 5 * MINUTE)
  const s = setup()
  for (let i = 0; i < 1003; i++) trade(s, T0 + i, 100 + (i % 7), 1)
  t.equal(s.stats.tape.size, 1000)
  const newest = s.stats.tape.newest(1000)
  t.equal(newest[0].seq, 1003, 'newest first')
  t.equal(newest[999].seq, 4)
  t.equal(s.stats.tape.newest(5).length, 5)
})

t.test('the ticker: a rolling window of 1440 one-minute buckets ending with the current one', async (t) => {
  const s = setup()
  const book = s.engine.book(UNIT.symbol)!
  const empty = tickerView(s.stats, book, T0)
  t.strictSame(empty, {
    symbol: UNIT.symbol,
    last_price: null,
    best_bid: null,
    best_ask: null,
    open_24h: null,
    high_24h: null,
    low_24h: null,
    volume_24h: null,
    quote_volume_24h: null,
    change_24h: null,
    change_percent_24h: null,
    trades_24h: 0,
    timestamp: T0 / 1000
  })
  trade(s, T0, 200, 1)
  trade(s, T0 + 10 * MINUTE, 250, 2)
  trade(s, T0 + 23 * 60 * MINUTE, 150, 3)
  s.clock.now = T0 + 23 * 60 * MINUTE
  for (const [side, price] of [['buy', 140], ['sell', 160]] as const) s.engine.submit({ symbol: UNIT.symbol, side, orderType: 'limit', price, quantity: 1 })
  const at = (now: number) => tickerView(s.stats, book, now)
  t.match(at(T0 + 24 * 60 * MINUTE - 1), {
    last_price: '150',
    best_bid: '140',
    best_ask: '160',
    open_24h: '200',
    high_24h: '250',
    low_24h: '150',
    volume_24h: '6',
    quote_volume_24h: '1150',
    change_24h: '-50',
    change_percent_24h: '-25.00',
    trades_24h: 3
  }, 'the first bucket is still the 1440th')
  t.match(at(T0 + 24 * 60 * MINUTE), { open_24h: '250', high_24h: '250', change_24h: '-100', change_percent_24h: '-40.00', trades_24h: 2, volume_24h: '5' },
    'one minute later the first bucket has left the window')
  t.match(at(T0 + 48 * 60 * MINUTE), { last_price: '150', open_24h: null, trades_24h: 0, change_percent_24h: null }, 'a quiet day: no window, the last price stays')
  t.match(at(T0 - MINUTE), { open_24h: null, trades_24h: 0 }, 'a clock before every bucket sees none')
})

t.test('percentages: 2 decimals, rounded half away from zero, exact', async (t) => {
  t.equal(percentText(0, 7), '0.00')
  t.equal(percentText(1, 3), '33.33')
  t.equal(percentText(2, 3), '66.67')
  t.equal(percentText(-2, 3), '-66.67')
  t.equal(percentText(1, 8), '12.50')
  t.equal(percentText(-1, 80000), '0.00', 'a change that rounds to zero has no sign')
  t.equal(percentText(1, 20000), '0.01', 'half a hundredth rounds up')
  t.equal(percentText(3, 1), '300.00')
})

t.test('quote volume is exact past 2^53 tick·lots, and formatted with the symbol\'s steps', async (t) => {
  const big = { symbol: 'BTC-USDT', tickSize: '0.01', lotSize: '0.00001', minQuantity: '0.00001', maxQuantity: '100000', minNotional: '0' }
  const s = setup([big])
  // One trade of 90000 at 99999.99 is 9,999,999 ticks × 9,000,000,000 lots ≈ 9 × 10^16 tick·lots: past 2^53 already.
  for (let i = 0; i < 3; i++) trade(s, T0 + i, 99999.99, 90000, big.symbol)
  const view = tickerView(s.stats, s.engine.book(big.symbol)!, T0 + 10)
  t.equal(view.volume_24h, '270000')
  t.equal(view.quote_volume_24h, '26999997300')
  t.ok(s.stats.window(T0)!.quote > BigInt(Number.MAX_SAFE_INTEGER), 'the units are past 2^53')
  const odd = { symbol: 'ODD-USD', tickSize: '0.5', lotSize: '0.25', minQuantity: '0.25', maxQuantity: '1000', minNotional: '0' }
  const o = setup([odd])
  trade(o, T0, 10.5, 0.75, odd.symbol)
  trade(o, T0 + 1, 9, 0.5, odd.symbol)
  t.match(tickerView(o.stats, o.engine.book(odd.symbol)!, T0 + 2), { volume_24h: '1.25', quote_volume_24h: '12.375', change_24h: '-1.5', change_percent_24h: '-14.29' })
  t.match(candleView(o.stats.candles['5m'].current!, INTERVAL_MS['5m'], o.engine.book(odd.symbol)!.spec), { volume: '1.25', quote_volume: '12.375', open: '10.5' })
})

t.test('save and load: the same tape, buckets and candles; no section means empty statistics', async (t) => {
  const s = setup()
  for (let i = 0; i < 50; i++) trade(s, T0 + i * 7 * MINUTE, 100 + (i % 5), 1 + (i % 3))
  const saved = s.market.save()
  const copy = setup()
  copy.market.load(JSON.parse(JSON.stringify(saved)))
  t.strictSame(copy.market.save(), saved)
  const spec = s.engine.book(UNIT.symbol)!.spec
  t.strictSame(tapeView(copy.stats, spec, copy.engine, 1000), tapeView(s.stats, spec, s.engine, 1000), 'the public tape is the same')
  t.strictSame(tickerView(copy.stats, copy.engine.book(UNIT.symbol)!, T0 + 400 * MINUTE).volume_24h, tickerView(s.stats, s.engine.book(UNIT.symbol)!, T0 + 400 * MINUTE).volume_24h)
  // Later trades continue where the saved ones stopped, in both.
  trade(s, T0 + 351 * MINUTE, 120, 1)
  trade(copy, T0 + 351 * MINUTE, 120, 1)
  t.strictSame(copy.market.save().symbols[0].candles, s.market.save().symbols[0].candles)

  const fresh = setup()
  fresh.market.load(undefined)
  t.equal(fresh.stats.tape.size, 0)
  fresh.market.load({ version: 1, symbols: [{ ...saved.symbols[0], symbol: 'GONE-USD' }] })
  t.equal(fresh.stats.tape.size, 0, 'a symbol no longer traded is dropped')
  t.throws(() => fresh.market.load({ version: 2 } as never), /unsupported market statistics format 2/)
  t.equal(fresh.market.of('GONE-USD'), undefined)
})
