/**
 * SIGTERM under load against the real server process: in-flight requests
 * complete, late ones get 503 SHUTTING_DOWN (or find the port closed),
 * WebSocket clients see 1001, the final snapshot is written and the process
 * exits 0 within the grace bound. Every acknowledged order is there after
 * a restart.
 */
import t from 'tap'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Pool, request } from 'undici'
import WebSocket from 'ws'
import { startChildServer } from '../helpers/child-server.js'

/** Polls a condition for up to `ms`; false if it never held (the test then fails fast instead of hanging). */
async function waitFor (condition: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

t.test('SIGTERM drains and exits cleanly', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'signal-'))
  const env = { DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '5000' }
  const server = await startChildServer(t, env)
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws')
  const wsClosed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject) })

  const pool = new Pool(server.url, { connections: 8 })
  t.teardown(() => pool.destroy())
  const acknowledged: string[] = []
  const statuses = new Map<number, number>()
  let connectionErrors = 0
  const state = { stop: false }
  let signalledAt = 0
  const worker = async (id: number) => {
    for (let i = 0; !state.stop; i++) {
      try {
        const res = await pool.request({
          path: '/order',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ symbol: 'BTC-USDT', side: i % 2 === 0 ? 'buy' : 'sell', order_type: 'limit', quantity: '0.01', price: String(29990 + ((id + i) % 20)) })
        })
        const body = await res.body.json() as { order_id?: string, error_code?: string }
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        if (res.statusCode === 200) acknowledged.push(body.order_id as string)
        else if (res.statusCode !== 503 || body.error_code !== 'SHUTTING_DOWN') t.fail(`unexpected ${res.statusCode} ${JSON.stringify(body)}`)
      } catch {
        // Only acceptable once the server has begun closing its port.
        if (signalledAt === 0) t.fail('a request failed before the signal')
        connectionErrors++
        if (Date.now() - signalledAt > 1000) return
      }
    }
  }
  const workers = Array.from({ length: 8 }, (_, id) => worker(id))
  t.ok(await waitFor(() => acknowledged.length >= 100), '100 orders acknowledged')
  // SIGUSR2 takes a snapshot on demand, without stopping the flow.
  server.child.kill('SIGUSR2')
  t.ok(await waitFor(() => readdirSync(dataDir).some((f) => f.startsWith('snapshot-'))), 'SIGUSR2 wrote a snapshot while orders flowed')
  const onDemand = readdirSync(dataDir).filter((f) => f.startsWith('snapshot-'))
  t.ok(await waitFor(() => acknowledged.length >= 200), 'the flow went on after the snapshot')
  signalledAt = Date.now()
  server.child.kill('SIGTERM')
  const exit = await server.exited
  const tookMs = Date.now() - signalledAt
  state.stop = true
  await Promise.all(workers)

  t.equal(exit.code, 0, 'exit code 0')
  t.ok(tookMs < 5000, `exited within the grace bound (${tookMs} ms)`)
  t.equal(await wsClosed, 1001, 'WebSocket clients are closed with 1001 going away')
  t.same([...statuses.keys()].filter((s) => s !== 200 && s !== 503), [], 'only 200 or 503 answers')
  const snapshots = readdirSync(dataDir).filter((f) => f.startsWith('snapshot-'))
  t.ok(snapshots.some((f) => !onDemand.includes(f)), `final snapshot written at shutdown (${snapshots.join(', ')})`)
  t.match(server.output(), /engine stopped/)

  const again = await startChildServer(t, env)
  let missing = 0
  for (const id of acknowledged) {
    const res = await request(`${again.url}/order/${id}?symbol=BTC-USDT`)
    await res.body.dump()
    if (res.statusCode !== 200) missing++
  }
  t.equal(missing, 0, `all ${acknowledged.length} acknowledged orders survive the restart`)
  t.comment(`statuses ${JSON.stringify(Object.fromEntries(statuses))}, connection errors after signal ${connectionErrors}`)
})
