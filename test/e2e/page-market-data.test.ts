// Browser test of the trading page's market data (issue 13): the trade tape filled from GET /trades
// on load and on a symbol switch, the ticker header, the candle chart, and the page's check of every
// l2 message (checksum after each, gaps by prev_seq) counted in window.__marketData.
//
// The server side of these (checksum/prev_seq/heartbeat, GET /trades, /ticker, /candles and their
// channels) comes from other parts of the issue. This file asks the server what it has (features())
// and asserts each part fully when present; when absent it asserts that the page does without it
// (empty tape, dashes, a note on the chart, no checksum compared) with no error. Once every part is
// merged, REQUIRE_ALL = true turns a missing part into a failure.
import t from 'tap'
import WebSocket from 'ws'
import { crc32 } from 'node:zlib'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { TIMEOUT, collectPageErrors, launchBrowser } from './browser.js'

const REQUIRE_ALL = true
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts')
const SYMBOL = 'BTC-USDT'

interface MarketData { messages: number, checked: number, checksumMismatches: number, gaps: number, resubscribes: number, heartbeats: number }
interface PageWindow {
  readonly __marketData: MarketData
  readonly __page: {
    state: { book: { ready: boolean, levels (side: string, n: number): Array<{ price: string, qty: string }> } }
    candles: { count: number, last: { close: number } | null }
  }
}
declare const window: PageWindow
declare const document: { querySelectorAll (s: string): ArrayLike<unknown> }

interface Features { trades: boolean, ticker: boolean, candles: boolean, checksum: boolean, prevSeq: boolean, heartbeat: boolean }

/** What the server has: the REST routes answer 200, and an l2 subscription's messages carry the new fields. */
async function features (url: string, wsUrl: string): Promise<Features> {
  const ok = async (path: string) => (await fetch(`${url}${path}`)).status === 200
  const [trades, ticker, candles] = await Promise.all([ok(`/trades/${SYMBOL}`), ok(`/ticker/${SYMBOL}`), ok(`/candles/${SYMBOL}?interval=1m`)])
  const seen: Array<Record<string, unknown>> = []
  const ws = new WebSocket(wsUrl)
  try {
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject) })
    const snapshot = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>
        seen.push(message)
        if (message.kind === 'snapshot') resolve()
      })
    })
    ws.send(JSON.stringify({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL }))
    // The order must come after the snapshot, or the snapshot holds it and no delta follows.
    await snapshot
    // One delta (for prev_seq) and long enough for a heartbeat at its default 1 s.
    // Resting far from the test's prices (and above the minimum notional), then cancelled: the book is as before.
    const probe = await post(url, { symbol: SYMBOL, side: 'buy', order_type: 'limit', quantity: '0.001', price: '20000.00' })
    await fetch(`${url}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: SYMBOL, order_id: probe.order_id }) })
    await new Promise((resolve) => setTimeout(resolve, 1500))
  } finally {
    ws.terminate()
  }
  const l2 = seen.filter((m) => m.type === 'l2_update')
  return {
    trades,
    ticker,
    candles,
    checksum: l2.length > 0 && l2.every((m) => typeof m.checksum === 'number'),
    prevSeq: l2.some((m) => m.kind === 'delta' && m.prev_seq !== undefined),
    heartbeat: seen.some((m) => m.type === 'heartbeat')
  }
}

async function post (url: string, order: Record<string, unknown>) {
  const res = await fetch(`${url}/order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) })
  return await res.json() as { order_id: string, trades?: Array<{ price: string, quantity: string }> }
}

const marketData = (page: Page) => page.evaluate(() => ({ ...window.__marketData }))
const tapeRows = (page: Page) => page.locator('#trades .trade-row')

t.test('trading page: tape on load and on switch, ticker, candles, a checksum check on every l2 message', async (t) => {
  const browser = await launchBrowser(t)
  if (browser === null) return
  // Heartbeats every 200 ms, so the page counts some within the test.
  const server = await startServer({ WS_HEARTBEAT_MESSAGE_MS: '200' })
  t.teardown(() => server.close())
  const has = await features(server.url, server.wsUrl)
  t.comment(`server features: ${JSON.stringify(has)}`)
  if (REQUIRE_ALL) t.same(has, { trades: true, ticker: true, candles: true, checksum: true, prevSeq: true, heartbeat: true }, 'every part of issue 13 is merged')

  // Four trades before the page opens: 30100 ×3, then 30200 (high 30200, low 30100, volume 0.4).
  await post(server.url, { symbol: SYMBOL, side: 'sell', order_type: 'limit', quantity: '0.3', price: '30100.00' })
  for (let i = 0; i < 3; i++) await post(server.url, { symbol: SYMBOL, side: 'buy', order_type: 'limit', quantity: '0.1', price: '30100.00' })
  await post(server.url, { symbol: SYMBOL, side: 'sell', order_type: 'limit', quantity: '0.1', price: '30200.00' })
  await post(server.url, { symbol: SYMBOL, side: 'buy', order_type: 'limit', quantity: '0.1', price: '30200.00' })

  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  const errors = collectPageErrors(page)
  const tradesAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === `/trades/${SYMBOL}`, { timeout: TIMEOUT })
  await page.goto(`${server.url}/`, { timeout: TIMEOUT })
  await page.locator('#conn-status', { hasText: /^\s*Connected\s*$/ }).waitFor({ timeout: TIMEOUT })
  t.equal((await tradesAnswer).status(), has.trades ? 200 : 404, 'the page asks GET /trades on load')

  // The tape on load.
  if (has.trades) {
    await page.waitForFunction(() => document.querySelectorAll('#trades .trade-row').length === 4, undefined, { timeout: TIMEOUT })
    t.equal((await tapeRows(page).first().locator('.trade-price').textContent())?.trim(), '30200.00', 'tape filled from GET /trades on load, newest first')
    t.equal((await tapeRows(page).last().locator('.trade-price').textContent())?.trim(), '30100.00')
  } else {
    await page.locator('#trades .trade-empty').waitFor({ timeout: TIMEOUT })
    t.equal(await tapeRows(page).count(), 0, 'no GET /trades: the tape waits for the feed, without an error')
  }

  // The ticker header.
  if (has.ticker) {
    await page.locator('#tk-last', { hasText: '30200.00' }).waitFor({ timeout: TIMEOUT })
    t.equal((await page.textContent('#tk-high'))?.trim(), '30200.00', '24 h high')
    t.equal((await page.textContent('#tk-low'))?.trim(), '30100.00', '24 h low')
    t.equal((await page.textContent('#tk-volume'))?.trim(), '0.40000000', '24 h volume at lot precision')
    t.match(await page.textContent('#tk-change'), /^\+100\.00 \(\+0\.33%\)$/, '24 h change, signed, with its percent')
  } else {
    await page.locator('#ticker-bar[data-available="false"]').waitFor({ timeout: TIMEOUT })
    t.equal((await page.textContent('#tk-last'))?.trim(), '--', 'no GET /ticker: the header shows dashes')
  }

  // The candle chart.
  if (has.candles) {
    await page.waitForFunction(() => (window.__page.candles.count) >= 1, undefined, { timeout: TIMEOUT })
    t.equal(await page.evaluate(() => window.__page.candles.last?.close), 30200, 'the last candle closes at the last trade')
  } else {
    await page.locator('#candle-note', { hasText: 'This server has no candles' }).waitFor({ timeout: TIMEOUT })
    t.pass('no GET /candles: the chart says so')
  }

  // Trading while the page watches: 30 levels a side, then market orders through them.
  const before = await marketData(page)
  let last = '30200'
  for (let i = 1; i <= 30; i++) {
    await post(server.url, { symbol: SYMBOL, side: 'sell', order_type: 'limit', quantity: '0.01', price: `${30300 + i}.00` })
    await post(server.url, { symbol: SYMBOL, side: 'buy', order_type: 'limit', quantity: '0.01', price: `${30000 - i}.00` })
  }
  for (let i = 0; i < 5; i++) {
    const answer = await post(server.url, { symbol: SYMBOL, side: i % 2 === 0 ? 'buy' : 'sell', order_type: 'market', quantity: '0.015' })
    last = answer.trades?.at(-1)?.price ?? last
  }
  // The page's book equals the server's (GET /book), level for level.
  const book = await (await fetch(`${server.url}/book/${SYMBOL}?levels=100`)).json() as { bids: string[][], asks: string[][] }
  const expected = { bids: book.bids.slice(0, 25).map(([p, q]) => [p, q]), asks: book.asks.slice(0, 25).map(([p, q]) => [p, q]) }
  await page.waitForFunction((want) => {
    const b = window.__page.state.book
    const side = (s: string) => b.levels(s, 25).map((l) => [l.price, l.qty])
    return b.ready && JSON.stringify({ bids: side('bids'), asks: side('asks') }) === JSON.stringify(want)
  }, expected, { timeout: TIMEOUT })
  t.pass("the page's book equals GET /book after 65 orders")
  const after = await marketData(page)
  const received = after.messages - before.messages
  t.ok(received >= 5, `the page received ${received} l2 messages while trading`)
  t.equal(after.gaps, 0, 'no gap')
  t.equal(after.checksumMismatches, 0, 'no checksum mismatch')
  t.equal(after.resubscribes, 0, 'never had to ask for a fresh snapshot')
  if (has.checksum) t.equal(after.checked, after.messages, `every l2 message's checksum was checked (${after.checked})`)
  else t.equal(after.checked, 0, 'no checksum on the wire: none compared')
  if (has.heartbeat) t.ok(after.heartbeats >= 1, `heartbeats counted (${after.heartbeats})`)
  if (has.ticker) {
    await page.locator('#tk-last', { hasText: `${Number(last).toFixed(2)}` }).waitFor({ timeout: TIMEOUT })
    t.pass(`the ticker follows the feed (last ${last})`)
  }
  if (has.candles) {
    await page.waitForFunction((p) => window.__page.candles.last?.close === p, Number(last), { timeout: TIMEOUT })
    t.pass('the candle follows the feed')
  }

  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'trading-page-market-data.png'), fullPage: true })

  // Symbol switch: ETH-USDT has no trades; back on BTC-USDT the tape is filled again.
  await page.selectOption('#symbol', 'ETH-USDT')
  await page.locator('#tk-symbol', { hasText: 'ETH-USDT' }).waitFor({ timeout: TIMEOUT })
  await page.locator('#trades .trade-empty').waitFor({ timeout: TIMEOUT })
  t.equal(await tapeRows(page).count(), 0, 'ETH-USDT: an empty tape')
  const again = page.waitForResponse((r) => new URL(r.url()).pathname === `/trades/${SYMBOL}`, { timeout: TIMEOUT })
  await page.selectOption('#symbol', SYMBOL)
  await again
  if (has.trades) {
    await page.locator('#trades .trade-row').first().waitFor({ timeout: TIMEOUT })
    t.equal((await tapeRows(page).first().locator('.trade-price').textContent())?.trim(), Number(last).toFixed(2), 'back on BTC-USDT: the tape is filled from GET /trades, newest first')
    t.ok(await tapeRows(page).count() >= 9, 'with the earlier trades too')
  } else {
    t.equal(await tapeRows(page).count(), 0, 'no GET /trades: the tape starts empty again')
  }
  await page.locator('#book-status', { hasText: 'Live' }).waitFor({ timeout: TIMEOUT })
  const end = await marketData(page)
  t.same([end.gaps, end.checksumMismatches], [0, 0], 'still no gap and no mismatch after the switches')
  t.same(errors, [], 'no console errors or uncaught page errors')
})

// The page's check itself, on messages made here with Node's zlib.crc32 (it runs on any server):
// static/book-feed.js and static/book.js imported into a page of the app's origin (no app.js there).
t.test('the page verifies checksums, finds gaps by prev_seq and takes resyncs (static/book-feed.js)', async (t) => {
  const browser = await launchBrowser(t)
  if (browser === null) return
  const server = await startServer()
  t.teardown(() => server.close())
  const page = await browser.newPage()
  await page.goto(`${server.url}/health`, { timeout: TIMEOUT })
  const sum = (bids: string[][], asks: string[][]) => {
    const side = (l: string[][]) => l.slice(0, 10).map(([p, q]) => `${p}:${q}`).join(',')
    return crc32(`${side(bids)}|${side(asks)}`)
  }
  const manyBids = Array.from({ length: 12 }, (_, i) => [String(99 - i), '1'])
  const messages = [
    { type: 'l2_update', symbol: 'TEST', kind: 'snapshot', seq: 10, bids: [['100.5', '2'], ['100', '1.25']], asks: [['101', '3']], checksum: sum([['100.5', '2'], ['100', '1.25']], [['101', '3']]) },
    { type: 'l2_update', symbol: 'TEST', kind: 'delta', seq: 13, prev_seq: 10, bids: [['100', '0']], asks: [['101.5', '1']], checksum: sum([['100.5', '2']], [['101', '3'], ['101.5', '1']]) },
    { type: 'l2_update', symbol: 'TEST', kind: 'delta', seq: 14, prev_seq: 13, bids: [['100.5', '1']], asks: [], checksum: 12345 },
    { type: 'l2_update', symbol: 'TEST', kind: 'snapshot', seq: 20, bids: [['100.5', '1']], asks: [['101', '3']], checksum: sum([['100.5', '1']], [['101', '3']]) },
    { type: 'l2_update', symbol: 'TEST', kind: 'delta', seq: 25, prev_seq: 22, bids: [], asks: [['101', '0']], checksum: 0 },
    { type: 'resync', channel: 'l2_updates', symbol: 'TEST', reason: 'dropped', seq: 30, bids: manyBids, asks: [['101', '2']], checksum: sum(manyBids, [['101', '2']]) },
    { type: 'l2_update', symbol: 'TEST', kind: 'delta', seq: 31, prev_seq: 30, bids: [['99', '0.5']], asks: [], checksum: sum([['99', '0.5'], ...manyBids.slice(1)], [['101', '2']]) }
  ]
  const result = await page.evaluate(async ({ messages, modules }) => {
    const { OrderBook } = await import(modules[0])
    const { createBookFeed, marketData } = await import(modules[1])
    const book = new OrderBook('TEST')
    let resubscribed = 0
    const feed = createBookFeed({ getBook: () => book, resubscribe: () => { resubscribed++ }, onChange: () => {} })
    for (const m of messages) feed.onL2(m)
    const side = (s: string) => book.levels(s, 3).map((l: { price: string, qty: string }) => [l.price, l.qty])
    return { data: { ...marketData }, resubscribed, seq: book.seq, ready: book.ready, bids: side('bids'), asks: side('asks') }
  }, { messages, modules: ['/book.js', '/book-feed.js'] })
  t.match(result.data, { messages: 7, checked: 6, checksumMismatches: 1, gaps: 1, resyncs: 1, resubscribes: 2 }, 'one mismatch, one gap, one resync: each counted')
  t.equal(result.resubscribed, 2, 'a mismatch and a gap each ask for a fresh snapshot')
  t.same([result.ready, result.seq], [true, 31], 'the resync replaced the book and the next delta applied')
  t.same(result.bids, [['99', '0.5'], ['98', '1'], ['97', '1']])
  t.same(result.asks, [['101', '2']])
})
