/**
 * A flood of connections against the real process: beyond the cap they are
 * closed as they arrive, descriptors never run out (nothing throws EMFILE
 * from a timer), the server answers again once they close, and SIGTERM still
 * ends with the final snapshot and exit 0. The descriptor limit is lowered
 * for the child, as a small container or a careless ulimit would (to 256:
 * Node's ESM loader opens the module graph's files in parallel and needs
 * over 128 descriptors to start this app at all).
 */
import t, { type Test } from 'tap'
import { once } from 'node:events'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { connectionCap } from '../../src/config.js'
import { startChildServer } from '../helpers/child-server.js'

function dataDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'connections-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function waitFor (condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!await condition()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}

const DESCRIPTOR_LIMIT = 256

/** Opens `count` raw connections and keeps them; `closed()` counts those the server has closed. */
async function flood (t: Test, url: string, count: number) {
  const { hostname, port } = new URL(url)
  const sockets: Socket[] = []
  let closed = 0
  t.teardown(() => { for (const socket of sockets) socket.destroy() })
  for (let i = 0; i < count; i++) {
    const socket = connect(Number(port), hostname)
    socket.on('error', () => {})
    socket.on('close', () => { closed++ })
    sockets.push(socket)
    await Promise.race([once(socket, 'connect'), once(socket, 'close')])
  }
  return { closed: () => closed, close: () => { for (const socket of sockets) socket.destroy() } }
}

async function healthy (url: string): Promise<boolean> {
  try {
    const res = await request(url + '/health', { reset: true, headersTimeout: 2000, bodyTimeout: 2000 })
    await res.body.dump()
    return res.statusCode === 200
  } catch {
    return false
  }
}

t.test('the connection cap follows the descriptor limit', async (t) => {
  t.equal(connectionCap(10_000, 64), 32, 'half of a small limit is kept in reserve')
  t.equal(connectionCap(10_000, 1024), 960)
  t.equal(connectionCap(10_000, 1_048_576), 10_000, 'the configured value when the limit is far above it')
  t.equal(connectionCap(500, null), 500, 'the configured value when the limit is unknown')
  t.equal(connectionCap(10, 1), 1, 'never zero')
})

t.test('MAX_CONNECTIONS: connections beyond it are closed as they arrive', async (t) => {
  const server = await startChildServer(t, { DATA_DIR: dataDir(t), MAX_CONNECTIONS: '4' })
  const connections = await flood(t, server.url, 10)
  t.ok(await waitFor(() => connections.closed() >= 6, 20_000), `6 of 10 closed by the server (${connections.closed()})`)
  t.equal(connections.closed(), 6, 'the 4 under the cap stay open')
  connections.close()
  t.ok(await waitFor(() => healthy(server.url), 20_000), 'answers once they are gone')
})

t.test('more connections than descriptors: the server stays up, recovers and shuts down cleanly', async (t) => {
  const dir = dataDir(t)
  const server = await startChildServer(t, { DATA_DIR: dir, SHUTDOWN_GRACE_MS: '10000' }, { descriptorLimit: DESCRIPTOR_LIMIT })
  const order = await request(server.url + '/order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '100' }) })
  t.equal(order.statusCode, 200, 'an order to snapshot at the end')
  await order.body.dump()

  const cap = connectionCap(10_000, DESCRIPTOR_LIMIT)
  const count = DESCRIPTOR_LIMIT + 50
  const connections = await flood(t, server.url, count)
  t.ok(await waitFor(() => connections.closed() >= count - cap || server.child.exitCode !== null, 30_000), `connections over the cap closed (${connections.closed()})`)
  // Several sampling intervals of the load-shedding probe while the connections are held.
  await new Promise((resolve) => setTimeout(resolve, 3000))
  t.equal(server.child.exitCode, null, 'the server is still running')

  connections.close()
  t.ok(await waitFor(() => server.child.exitCode !== null || healthy(server.url), 30_000), 'answers /health once connections free up')
  t.equal(server.child.exitCode, null, 'still running')

  server.child.kill('SIGTERM')
  const exit = await server.exited
  t.same(exit, { code: 0, signal: null }, 'SIGTERM: exit 0')
  t.ok(readdirSync(dir).some((f) => f.startsWith('snapshot-')), 'final snapshot written')
  t.notMatch(server.output(), /EMFILE/, 'no EMFILE anywhere in the log')
})
