/**
 * The gateway once the journal has failed: market data would now run ahead
 * of what is durable, so every open session is closed 1013 (try again later,
 * elsewhere) and a new connection is closed the same way at once. The disk
 * fails through the journal writer's io seam (every write EFBIG, like a full
 * disk); test/journal/disk-full.test.ts makes a disk full for real against
 * the server process.
 */
import t from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import type { WriterIo } from '../../src/journal/journal-writer.js'
import { UNAVAILABLE } from '../../plugins/ws-session.js'
import { startServer } from '../helpers/server.js'

interface Closed { code: number, reason: string, messages: string[] }

/** A client that records what it got until the server closes it (bounded). */
function open (url: string): { ws: WebSocket, messages: string[], opened: Promise<unknown>, closed: Promise<Closed> } {
  const ws = new WebSocket(url)
  const messages: string[] = []
  ws.on('message', (data) => { messages.push(String(data)) })
  const opened = once(ws, 'open')
  const closed = new Promise<Closed>((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('not closed by the server in 10 s')) }, 10_000)
    ws.on('close', (code, reason) => { clearTimeout(timer); resolve({ code, reason: reason.toString(), messages }) })
    ws.on('error', reject)
  })
  return { ws, messages, opened, closed }
}

t.test('a failed journal closes every session 1013 and refuses new ones the same way', async (t) => {
  const server = await startServer()
  t.teardown(() => server.close())
  const first = open(server.wsUrl)
  await first.opened
  first.ws.send(JSON.stringify({ type: 'subscribe', channel: 'l2_updates', symbol: 'BTC-USDT', id: 'sub-1' }))
  const deadline = Date.now() + 10_000
  while (!first.messages.some((m) => m.includes('"snapshot"')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  t.ok(first.messages.some((m) => m.includes('"snapshot"')), 'subscribed: the book snapshot arrived')

  const writer = (server.app.exchange as unknown as { persistence: { writer: { io: WriterIo } } }).persistence.writer
  writer.io.write = ((_fd: number, _buffer: Buffer, _offset: number, _length: number, _position: null, callback: (error: Error | null, written: number) => void) => {
    callback(Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' }), 0)
  }) as unknown as WriterIo['write']

  const order = await fetch(`${server.url}/order`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '100' })
  })
  t.equal(order.status, 503)
  t.equal((await order.json() as { error_code: string }).error_code, 'JOURNAL_UNAVAILABLE')

  const gone = await first.closed
  t.equal(gone.code, 1013, 'the open session is closed 1013')
  t.equal(gone.reason, UNAVAILABLE)

  const late = open(server.wsUrl)
  const refused = await late.closed
  t.equal(refused.code, 1013, 'a new connection is closed 1013 at once')
  t.equal(refused.reason, UNAVAILABLE)
  t.strictSame(refused.messages, [], 'before any message: no session was made')
})
