/**
 * Shutdown against the real process when its stdout is no longer a healthy
 * pipe (the parent died, or stopped reading): SIGTERM still drains and exits
 * 0 with the final snapshot, a second signal exits at once, and the grace
 * period ends a shutdown that cannot finish. None of it may wait on logging.
 */
import t, { type Test } from 'tap'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { startChildServer, type ChildServer } from '../helpers/child-server.js'

/** Slack for a loaded machine on top of the bound under test; a hang still fails. */
const MARGIN_MS = 10_000

function dataDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The exit, or 'timeout' if the process is still there after `ms`. */
async function exitWithin (server: ChildServer, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })
  const result = await Promise.race([server.exited, timeout])
  clearTimeout(timer)
  return result
}

/**
 * A request whose body never comes: it keeps app.close() waiting (until requestTimeout, 30 s).
 * `Expect: 100-continue` makes the server say when it has taken the request in, so the
 * signal cannot overtake it (it would then be answered 503 SHUTTING_DOWN).
 */
async function holdRequest (t: Test, url: string): Promise<Socket> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  t.teardown(() => { socket.destroy() })
  socket.on('error', () => {})
  await once(socket, 'connect')
  socket.write('POST /order HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\nexpect: 100-continue\r\n\r\n')
  const [reply] = await once(socket, 'data') as [Buffer]
  if (!reply.toString().startsWith('HTTP/1.1 100')) throw new Error(`expected 100 Continue, got ${reply.toString()}`)
  return socket
}

/** One resting order, so that the final snapshot has something to save. */
async function placeOrder (t: Test, url: string): Promise<void> {
  const order = await request(url + '/order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '100' }) })
  t.equal(order.statusCode, 200, 'order placed')
  await order.body.dump()
}

/** True once the listener is closed (the first signal has been handled). */
async function portClosed (url: string, ms = 30_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    try {
      const res = await request(url + '/health', { headersTimeout: 2000, bodyTimeout: 2000 })
      await res.body.dump()
    } catch {
      return true
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

t.test('SIGTERM with stdout closed by its reader: exits 0 with the final snapshot', async (t) => {
  const dir = dataDir(t)
  const graceMs = 3000
  const server = await startChildServer(t, { DATA_DIR: dir, SHUTDOWN_GRACE_MS: String(graceMs) })
  await placeOrder(t, server.url)
  // The parent's end of the pipe goes away: every later write to stdout fails with EPIPE.
  server.child.stdout?.destroy()
  server.child.kill('SIGTERM')
  const exit = await exitWithin(server, graceMs + MARGIN_MS)
  t.same(exit, { code: 0, signal: null }, 'exits 0 instead of hanging in a log write')
  t.ok(readdirSync(dir).some((f) => f.startsWith('snapshot-')), 'final snapshot written')
})

t.test('SIGTERM with a stdout nobody reads (pipe full): exits 0', async (t) => {
  const dir = dataDir(t)
  const graceMs = 3000
  const server = await startChildServer(t, { DATA_DIR: dir, SHUTDOWN_GRACE_MS: String(graceMs), LOG_LEVEL: 'debug' })
  await placeOrder(t, server.url)
  // Stop reading: the pipe fills up with the debug lines of the requests below.
  server.child.stdout?.pause()
  for (let i = 0; i < 1500; i++) {
    const res = await request(server.url + '/health')
    await res.body.dump()
  }
  server.child.kill('SIGTERM')
  const exit = await exitWithin(server, graceMs + MARGIN_MS)
  t.same(exit, { code: 0, signal: null }, 'exits 0 instead of blocking on a full pipe')
  t.ok(readdirSync(dir).some((f) => f.startsWith('snapshot-')), 'final snapshot written')
})

t.test('a second signal exits at once while the first one waits on a request', async (t) => {
  const server = await startChildServer(t, { DATA_DIR: dataDir(t), SHUTDOWN_GRACE_MS: '120000' })
  await holdRequest(t, server.url)
  server.child.stdout?.destroy()
  server.child.kill('SIGTERM')
  t.ok(await portClosed(server.url), 'the first signal closed the listener')
  t.equal(await exitWithin(server, 1000), 'timeout', 'the held request keeps the graceful shutdown waiting')
  server.child.kill('SIGTERM')
  const exit = await exitWithin(server, MARGIN_MS)
  t.same(exit, { code: 1, signal: null }, 'the second signal exits 1 without waiting for the grace period')
})

t.test('the grace period ends a shutdown that cannot finish', async (t) => {
  const graceMs = 1500
  const server = await startChildServer(t, { DATA_DIR: dataDir(t), SHUTDOWN_GRACE_MS: String(graceMs) })
  await holdRequest(t, server.url)
  server.child.stdout?.destroy()
  server.child.kill('SIGTERM')
  const exit = await exitWithin(server, graceMs + MARGIN_MS)
  t.same(exit, { code: 1, signal: null }, 'forced exit 1 after SHUTDOWN_GRACE_MS')
})
