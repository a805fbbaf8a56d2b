/**
 * A full disk for real: the server runs under `ulimit -f` (RLIMIT_FSIZE), so
 * the journal's writes are cut short and then fail with EFBIG, in the middle
 * of batches of concurrent orders. Every order answered 200 must be there
 * after a restart, exactly as acknowledged; every order answered with an
 * error must not. Needs `npm run build`.
 */
import t from 'tap'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { MatchingEngine, stateDigest } from '../../src/engine/index.js'
import { spawnServer } from '../helpers/server-process.js'

interface Sent { cid: string, side: 'buy' | 'sell', price: string, status?: number, orderId?: string, timestampMs?: number }

async function post (url: string, sent: Sent): Promise<void> {
  const res = await request(url + '/order', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'BTC-USDT', side: sent.side, order_type: 'limit', quantity: '0.5', price: sent.price, client_order_id: sent.cid })
  })
  const body = await res.body.json() as { order_id?: string, timestamp?: number }
  sent.status = res.statusCode
  sent.orderId = body.order_id
  sent.timestampMs = body.timestamp === undefined ? undefined : Math.round(body.timestamp * 1000)
}

t.test('disk full mid-batch: acknowledged orders survive a restart, refused ones never come back', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'disk-full-'))
  const env = { DATA_DIR: dataDir, JOURNAL_FSYNC: 'always', SNAPSHOT_EVERY: '0' }
  // 48 blocks of 512 bytes: room for about 200 records.
  const limited = spawnServer(t, env, { fileSizeBlocks: 48 })
  const url = await limited.listening()
  // The limit must surface as EFBIG, not kill the process: SIGXFSZ (signal 25) is ignored.
  const ignored = BigInt('0x' + /SigIgn:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${limited.child.pid}/status`, 'utf8'))![1])
  t.equal((ignored >> 24n) & 1n, 1n, 'the server ignores SIGXFSZ')

  const sent: Sent[] = []
  let wave = 0
  let failedWaves = 0
  while (failedWaves < 2 && wave < 100) {
    // Sixteen at once, so the journal writes them as one batch; prices cross, so refused orders trade too.
    const batch: Sent[] = Array.from({ length: 16 }, (_, i) => ({
      cid: `w${wave}-${i}`,
      side: i % 2 === 0 ? 'buy' : 'sell',
      price: String(30000 + ((i * 7 + wave) % 5) - 2)
    }))
    await Promise.all(batch.map((s) => post(url, s)))
    sent.push(...batch)
    if (batch.some((s) => s.status !== 200)) failedWaves++
    wave++
  }
  const acknowledged = sent.filter((s) => s.status === 200)
  const refused = sent.filter((s) => s.status !== 200)
  t.ok(acknowledged.length > 50, `${acknowledged.length} acknowledged before the disk filled`)
  t.ok(refused.length >= 16, `${refused.length} refused`)
  t.ok(refused.every((s) => s.status === 503), 'refused with 503 JOURNAL_UNAVAILABLE, not dropped connections or 500s')
  t.equal(limited.child.exitCode, null, 'the process is still up (the cut-back succeeded)')
  // Until it is replaced, it answers nothing from a memory that holds the refused orders.
  const health = await request(url + '/health')
  t.equal(health.statusCode, 503, '/health tells the orchestrator the process is no longer useful')
  t.match(await health.body.json(), { status: 'unhealthy', reason: /journal/ })
  const book = await request(url + '/book/BTC-USDT')
  t.equal(book.statusCode, 503, 'the book is not served from memory')
  t.match(await book.body.json(), { error_code: 'JOURNAL_UNAVAILABLE' })
  limited.child.kill('SIGKILL')
  await limited.exited
  t.same(readdirSync(dataDir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left behind')

  const restarted = spawnServer(t, env)
  const again = await restarted.listening()
  for (const s of refused) {
    const res = await request(`${again}/order?symbol=BTC-USDT&client_order_id=${s.cid}`)
    await res.body.dump()
    if (res.statusCode !== 404) t.fail(`refused order ${s.cid} is present after the restart`)
  }
  // The acknowledged orders, in sequence (order id) order, replayed in a fresh engine: the same state, fills included.
  let now = 0
  const replay = new MatchingEngine({ clock: () => now })
  for (const s of [...acknowledged].sort((a, b) => Number(a.orderId) - Number(b.orderId))) {
    now = s.timestampMs as number
    const result = replay.submit({ symbol: 'BTC-USDT', side: s.side, orderType: 'limit', quantity: '0.5', price: s.price, clientOrderId: s.cid })
    t.ok(result.ok && result.value.order.id === s.orderId, `replayed ${s.cid} as ${s.orderId}`)
  }
  const statistics = await (await request(again + '/statistics')).body.json() as { state_digest: string }
  t.equal(statistics.state_digest, stateDigest(replay), 'the recovered state is exactly the acknowledged orders')
})
