// Trades, tickers and candles come back identical after a restart: from a snapshot plus the journal
// tail, from a final snapshot alone; a snapshot written before they existed restores empty ones.
import t from 'tap'
import type { Test } from 'tap'
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../src/app.js'
import { encodeSnapshot } from '../../src/journal/snapshot-store.js'
import { testConfig } from '../helpers/build-app.js'
import { SYMBOL, get, limit, market, placeOk } from '../api/support.js'

const T0 = Date.UTC(2026, 0, 1, 23, 0, 0)
const MINUTE = 60_000
const URLS = [
  `/trades/${SYMBOL}?limit=1000`, '/trades/ETH-USDT', `/ticker/${SYMBOL}`, '/tickers',
  ...['1m', '5m', '15m', '1h', '4h', '1d'].map((interval) => `/candles/${SYMBOL}?interval=${interval}&limit=1000`), '/candles/ETH-USDT?interval=1m'
]

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'stats-restart-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function open (t: Test, dir: string, clock: { now: number }) {
  const app = await buildApp(testConfig(t, { DATA_DIR: dir, SNAPSHOT_EVERY: '0' }), { logger: false, clock: () => clock.now })
  t.teardown(() => app.close())
  return app
}

type App = Awaited<ReturnType<typeof open>>

/** The exact bytes of every answer, at one clock reading. */
async function answers (app: App, clock: { now: number }, at: number): Promise<string[]> {
  clock.now = at
  const out: string[] = []
  for (const url of URLS) {
    const res = await app.inject({ method: 'GET', url })
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    out.push(res.body)
  }
  return out
}

/** Trades at `count` moments from `from`, 7 minutes apart, on two symbols, with orders left resting. */
async function trade (app: App, clock: { now: number }, from: number, count: number) {
  for (let i = 0; i < count; i++) {
    clock.now = from + i * 7 * MINUTE + i
    const price = String(30000 + (i % 9) * 10.25)
    await placeOk(app, limit('sell', price, '0.002'))
    await placeOk(app, market('buy', '0.002'))
    await placeOk(app, limit('buy', '29000', '0.001'))
    if (i % 3 === 0) {
      await placeOk(app, limit('buy', '2000.5', '0.25', { symbol: 'ETH-USDT' }))
      await placeOk(app, market('sell', '0.125', { symbol: 'ETH-USDT' }))
    }
  }
}

/** The journal segments and snapshots of `from`, copied as a crash would leave them (no lock, no final snapshot). */
function copyFiles (from: string, to: string): void {
  for (const name of readdirSync(from)) if (/^(journal|snapshot)-/.test(name)) copyFileSync(join(from, name), join(to, name))
}

t.test('a snapshot plus the journal tail, and a final snapshot alone, give back the same bytes', async (t) => {
  const dir = tempDir(t)
  const clock = { now: T0 }
  const first = await open(t, dir, clock)
  await trade(first, clock, T0, 30)
  t.ok(await first.exchange.snapshot(), 'snapshot taken')
  await trade(first, clock, T0 + 300 * MINUTE, 12)
  const at = T0 + 400 * MINUTE
  const before = await answers(first, clock, at)
  t.match(JSON.parse(before[2]), { trades_24h: 42, open_24h: '30000' })
  t.ok(JSON.parse(before[4]).candles.length > 30, 'there are many candles')

  // A crash now: the snapshot and the tail after it, as they are on disk.
  const crashed = tempDir(t)
  copyFiles(dir, crashed)
  const snapshots = readdirSync(crashed).filter((name) => name.startsWith('snapshot-'))
  t.equal(snapshots.length, 1)
  const saved = JSON.parse(readFileSync(join(crashed, snapshots[0]), 'utf8').split('\n')[1])
  t.equal(saved.market.version, 1, 'the snapshot holds the market section')
  t.equal(saved.market.symbols.find((s: { symbol: string }) => s.symbol === SYMBOL).trades.length, 30)
  const restarted = await open(t, crashed, clock)
  const journal = JSON.parse((await restarted.inject('/statistics')).body).journal
  t.ok(journal.recovered_from_snapshot > 0, 'recovered from the snapshot')
  t.ok(journal.replayed_at_start > 0, 'and replayed the tail')
  t.strictSame(await answers(restarted, clock, at), before, 'snapshot + tail: byte for byte')

  // Both go on alike.
  await trade(first, clock, at, 2)
  await trade(restarted, clock, at, 2)
  t.strictSame(await answers(restarted, clock, at + MINUTE), await answers(first, clock, at + MINUTE), 'later trades extend both alike')

  const expected = await answers(first, clock, at + 2 * MINUTE)
  await first.close()
  const reopened = await open(t, dir, clock)
  t.equal(JSON.parse((await reopened.inject('/statistics')).body).journal.replayed_at_start, 0, 'the final snapshot holds everything')
  t.strictSame(await answers(reopened, clock, at + 2 * MINUTE), expected, 'final snapshot alone: byte for byte')
})

t.test('a snapshot without the market section (an older version) restores empty statistics; the tail after it counts', async (t) => {
  const dir = tempDir(t)
  const clock = { now: T0 }
  const first = await open(t, dir, clock)
  await trade(first, clock, T0, 5)
  await first.exchange.snapshot()
  for (const price of ['30000', '30010.25']) {
    clock.now += MINUTE
    await placeOk(first, limit('sell', price, '0.002'))
    await placeOk(first, market('buy', '0.002'))
  }
  const old = tempDir(t)
  copyFiles(dir, old)
  const name = readdirSync(old).find((n) => n.startsWith('snapshot-')) as string
  const { market: _dropped, ...state } = JSON.parse(readFileSync(join(old, name), 'utf8').split('\n')[1])
  writeFileSync(join(old, name), encodeSnapshot(state))
  const restarted = await open(t, old, clock)
  clock.now = T0 + 200 * MINUTE
  const trades = await get(restarted, `/trades/${SYMBOL}?limit=1000`)
  t.same(trades.body.trades.map((x: { trade_id: string }) => x.trade_id), ['BTC-USDT-7', 'BTC-USDT-6'], 'only the replayed tail\'s trades')
  const ticker = await get(restarted, `/ticker/${SYMBOL}`)
  t.match(ticker.body, { trades_24h: 2, last_price: '30010.25' })
  const eth = await get(restarted, '/ticker/ETH-USDT')
  t.match(eth.body, { last_price: '2000.5', open_24h: null, trades_24h: 0 }, 'the last price is the engine\'s; the window is empty')
  t.strictSame((await get(restarted, '/candles/ETH-USDT?interval=1d')).body.candles, [])
})
