// The exchange's trades, ticker and candles reads, and its ticker feed, when the journal fails:
// nothing is answered or published from memory any more.
import t from 'tap'
import { mkdtempSync, rmSync, write } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalExchange } from '../../src/exchange/local-exchange.js'
import type { WriterIo } from '../../src/journal/journal-writer.js'
import { loadConfig } from '../../src/config.js'
import { ANONYMOUS_ACCOUNT } from '../../src/exchange/exchange.js'
import { steppingClock } from '../helpers/clock.js'
import { Recorder } from '../helpers/recorder.js'

const ANON = { accountId: ANONYMOUS_ACCOUNT }
const quiet = { info () {}, warn () {}, error () {} }

t.test('once the journal failed, trades, ticker, tickers and candles answer JOURNAL_UNAVAILABLE and the feed stops', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stats-service-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const disk = { failing: false }
  const io: Partial<WriterIo> = {
    write: ((fd: number, buffer: Buffer, offset: number, length: number, position: null, callback: (error: Error | null, written: number) => void) => {
      if (!disk.failing) return write(fd, buffer, offset, length, position, callback)
      callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 0)
    }) as unknown as WriterIo['write']
  }
  const config = loadConfig({ DATA_DIR: dir, JOURNAL_FSYNC: 'always' })
  const exchange = new LocalExchange({ engine: config.engine, journal: config.journal, batchMs: 0, maxTradesInAnswer: 10, log: quiet, clock: steppingClock(), journalIo: io })
  t.teardown(() => exchange.close())
  const sub = new Recorder()
  exchange.statsFeed.subscribe(sub, 'ticker', 'ETH-USDT')
  const sell = { symbol: 'ETH-USDT', side: 'sell', order_type: 'limit', quantity: '1', price: '2000' } as const
  t.match(await exchange.placeOrder(ANON, sell), { ok: true })
  t.match(await exchange.placeOrder(ANON, { symbol: 'ETH-USDT', side: 'buy', order_type: 'market', quantity: '0.5' }), { ok: true })
  t.match(await exchange.recentTrades('ETH-USDT', 10), { ok: true, value: { symbol: 'ETH-USDT', trades: [{ price: '2000', quantity: '0.5' }] } })
  t.match(await exchange.tickers(), { ok: true })
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.match(sub.messages.at(-1), { type: 'ticker', last_price: '2000' })
  const seen = sub.texts.length

  disk.failing = true
  t.match(await exchange.placeOrder(ANON, { symbol: 'ETH-USDT', side: 'buy', order_type: 'market', quantity: '0.5' }), { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  for (const outcome of [
    await exchange.recentTrades('ETH-USDT', 10), await exchange.ticker('ETH-USDT'), await exchange.tickers(),
    await exchange.candles('ETH-USDT', { interval: '1m', start: 0, end: Number.MAX_SAFE_INTEGER, limit: 10 })
  ]) t.match(outcome, { ok: false, code: 'JOURNAL_UNAVAILABLE' })
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(exchange.statsFeed.failed, true, 'the feed stopped')
  t.equal(sub.texts.length, seen, 'the unacknowledged trade was never published')
})
