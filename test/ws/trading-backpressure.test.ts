/**
 * Backpressure of the trading API: a client that pipelines 40,000 orders
 * and does not read its answers. The server stops reading that connection
 * once more than WS_CONFLATE_BYTES of answers wait to be sent, so what it
 * holds stays within in-flight answers plus one buffer (without the pause it
 * would queue tens of megabytes); once the client reads again, every request
 * is answered exactly once, queued ones in request order.
 */
import t from 'tap'
import WebSocket from 'ws'
import type { Socket } from 'node:net'
import { identityServer } from './identity.js'
import { gatewayStats, sleep, until } from './ws-client.js'

const N = 40_000
const CONFLATE = 4096
const IN_FLIGHT = 1000
/** The largest answer these orders get (a full answer with a trade), with room to spare. */
const ANSWER_MAX = 2048
/** One read of the socket: frames the server parses before its pause takes effect are answered too. */
const READ_CHUNK_ANSWERS = 100 * 1024

t.test('a client that pipelines but never reads: the server pauses reading; bounded memory; every answer arrives once it reads', async (t) => {
  const s = await identityServer(t, {
    AUTH: 'off', WS_CONFLATE_BYTES: String(CONFLATE), WS_MAX_IN_FLIGHT: String(IN_FLIGHT), WS_MAX_ORDERS_PER_SECOND: '10000000', JOURNAL_FSYNC: 'none'
  })
  const ws = new WebSocket(s.wsUrl)
  t.teardown(() => ws.terminate())
  const answers: Array<{ id: number, code: string }> = []
  let connected = false
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string, id?: number, code?: string }
    if (m.type === 'connected') connected = true
    else if (m.id !== undefined) answers.push({ id: m.id as number, code: m.type === 'error' ? m.code as string : 'ok' })
  })
  await new Promise<void>((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
  await until(() => connected, 5000, 'connected')
  const socket = (ws as unknown as { _socket: Socket })._socket
  socket.pause()

  for (let i = 0; i < N; i++) {
    ws.send(`{"type":"order.place","id":${i},"params":{"symbol":"BTC-USDT","side":"${i % 2 === 0 ? 'buy' : 'sell'}","order_type":"limit","quantity":"1","price":"100"}}`)
  }

  // While the client does not read: sample what the server holds and how much it has read.
  let maxHeld = 0
  const read: number[] = []
  for (let i = 0; i < 30; i++) {
    await sleep(50)
    const stats = await gatewayStats(s.url)
    maxHeld = Math.max(maxHeld, stats.max_buffered_bytes)
    read.push(stats.trading_requests)
  }
  const bound = CONFLATE + IN_FLIGHT * ANSWER_MAX + READ_CHUNK_ANSWERS
  t.ok(maxHeld > CONFLATE, `the client's unread answers piled up to ${maxHeld} bytes`)
  t.ok(maxHeld <= bound, `the server never held more than ${bound} bytes for it (held at most ${maxHeld})`)
  t.ok(read[read.length - 1] < N, `it stopped reading: ${read[read.length - 1]} of ${N} requests read`)
  t.equal(read[read.length - 1], read[read.length - 10], 'and read nothing more while the client did not read')

  socket.resume()
  await until(() => answers.length >= N, 120_000, `all ${N} answers (have ${answers.length})`, 50)
  await sleep(100)
  t.equal(answers.length, N, 'no answer twice')
  t.same([...new Set(answers.map((a) => a.id))].length, N, 'every id answered')
  const queued = answers.filter((a) => a.code !== 'TOO_MANY_IN_FLIGHT').map((a) => a.id)
  t.ok(queued.every((id, i) => i === 0 || id > queued[i - 1]), 'queued requests answered in request order')
  t.ok(queued.length >= IN_FLIGHT, `${queued.length} executed; the rest refused at the in-flight limit`)
  t.same(answers.filter((a) => a.code !== 'ok' && a.code !== 'TOO_MANY_IN_FLIGHT'), [], 'no other error')
  const after = await gatewayStats(s.url)
  t.match(after, { trading_in_flight: 0, slow_consumer_disconnects: 0 }, 'nothing left in flight; never closed as a slow consumer')
})
