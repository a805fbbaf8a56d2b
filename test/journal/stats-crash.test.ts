// The real server killed with SIGKILL after a periodic snapshot and more trades: restarted on the same
// files, it answers /trades and /candles with the same bytes, and the same ticker but for its timestamp.
import t from 'tap'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { startChildServer, type ChildServer } from '../helpers/child-server.js'

const URLS = ['/trades/BTC-USDT?limit=1000', ...['1m', '5m', '15m', '1h', '4h', '1d'].map((interval) => `/candles/BTC-USDT?interval=${interval}&limit=1000`)]

async function post (server: ChildServer, body: unknown): Promise<void> {
  const res = await request(server.url + '/order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`order refused: ${res.statusCode} ${text}`)
}

async function read (server: ChildServer, url: string): Promise<string> {
  const res = await request(server.url + url)
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${text}`)
  return text
}

/** The ticker without its timestamp (the time of the request, which differs between two processes). */
async function ticker (server: ChildServer): Promise<Record<string, unknown>> {
  const { timestamp: _now, ...rest } = JSON.parse(await read(server, '/ticker/BTC-USDT'))
  return rest
}

t.test('SIGKILL after a snapshot and more trades: the restarted server gives back the same tape, candles and ticker', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stats-crash-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = { DATA_DIR: dataDir, JOURNAL_FSYNC: 'always', SNAPSHOT_EVERY: '25' }
  const server = await startChildServer(t, env)
  const hasSnapshot = () => readdirSync(dataDir).some((name) => name.startsWith('snapshot-'))
  for (let i = 0; i < 20; i++) {
    await post(server, { symbol: 'BTC-USDT', side: 'sell', order_type: 'limit', quantity: '0.01', price: String(30000 + i * 0.5) })
    await post(server, { symbol: 'BTC-USDT', side: 'buy', order_type: 'market', quantity: String(i % 2 === 0 ? '0.01' : '0.005') })
    // The periodic snapshot is written by a replica in a worker thread: wait for it before the tail's trades.
    if (i === 14) {
      const deadline = Date.now() + 30_000
      while (!hasSnapshot() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  t.ok(hasSnapshot(), 'a periodic snapshot was written')
  const before = await Promise.all(URLS.map(async (url) => await read(server, url)))
  const tickerBefore = await ticker(server)
  t.ok(JSON.parse(before[0]).trades.length >= 20, 'trades were made')
  server.child.kill('SIGKILL')
  t.equal((await server.exited).signal, 'SIGKILL')

  const restarted = await startChildServer(t, env)
  const journal = JSON.parse(await read(restarted, '/statistics')).journal
  t.ok(journal.recovered_from_snapshot > 0 && journal.replayed_at_start > 0, 'recovered from the snapshot and the journal tail')
  for (const [i, url] of URLS.entries()) t.equal(await read(restarted, url), before[i], `${url}: byte for byte`)
  t.strictSame(await ticker(restarted), tickerBefore, 'the same ticker')
  await restarted.stop()
})
