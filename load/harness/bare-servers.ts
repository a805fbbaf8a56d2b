/**
 * The baselines' servers, each run as its own child process (forked by
 * baselines.ts) so that, like the service, it has a process and an event
 * loop to itself:
 *   node bare-servers.js fastify  a bare Fastify app: POST /order takes the
 *                                 same JSON body and answers a fixed JSON
 *                                 object (a typical order answer);
 *   node bare-servers.js ws       a bare `ws` server that, on request,
 *                                 broadcasts messages of a given size to all
 *                                 its clients as fast as they take them.
 * Both report their port over IPC.
 */
import { performance } from 'node:perf_hooks'
import Fastify from 'fastify'
import { WebSocketServer, type WebSocket } from 'ws'

/** Shape and size of a typical resting-order answer of POST /order. */
export const FIXED_ORDER_ANSWER = {
  order_id: '123456',
  client_order_id: null,
  symbol: 'BTC-USDT',
  side: 'buy',
  order_type: 'limit',
  status: 'pending',
  price: '30000.5',
  quantity: '0.01',
  filled_quantity: '0',
  remaining_quantity: '0.01',
  timestamp: 1700000000.123,
  trades: [],
  total_maker_fees: '0',
  total_taker_fees: '0',
  bbo: { symbol: 'BTC-USDT', best_bid: '30000.5', best_ask: '30001', spread: '0.5', mid_price: '30000.75', timestamp: 1700000000.123 },
  processing_time_ms: 0.05
}

export type BareMessage =
  | { type: 'listening', port: number }
  | { type: 'broadcast-done', rounds: number, sent: number, elapsedMs: number, clients: number }

const send = (message: BareMessage): void => { process.send?.(message) }

async function bareFastify (): Promise<void> {
  // Same server options as the service where they touch the request path.
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, keepAliveTimeout: 72_000, connectionTimeout: 30_000, requestTimeout: 30_000 })
  app.post('/order', async () => FIXED_ORDER_ANSWER)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  send({ type: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 })
  process.on('SIGTERM', () => { app.close().finally(() => process.exit(0)) })
}

/** l2_update-shaped message padded to `bytes`, so consumers parse and seq-check it as they do the gateway's. */
export function paddedMessage (seq: number, bytes: number): string {
  const head = `{"type":"l2_update","symbol":"BARE","kind":"delta","seq":${seq},"bids":[],"asks":[],"timestamp":${Date.now() / 1000},"pad":"`
  return head + 'x'.repeat(Math.max(0, bytes - head.length - 2)) + '"}'
}

async function bareWs (): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 4096 })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const address = wss.address()
  wss.on('connection', (socket: WebSocket) => { socket.on('error', () => {}) })
  process.on('message', (m: { type: string, bytes: number, durationMs: number, maxBufferedBytes: number }) => {
    if (m.type !== 'broadcast') return
    // Rounds of "same string to every client"; a round waits while any client has
    // more than maxBufferedBytes unsent (backpressure instead of unbounded memory).
    const t0 = performance.now()
    const end = t0 + m.durationMs
    let seq = 0
    let sent = 0
    let rounds = 0
    const round = (): void => {
      if (performance.now() >= end) {
        send({ type: 'broadcast-done', rounds, sent, elapsedMs: performance.now() - t0, clients: wss.clients.size })
        return
      }
      for (const client of wss.clients) {
        if (client.bufferedAmount > m.maxBufferedBytes) {
          setTimeout(round, 1)
          return
        }
      }
      const text = paddedMessage(++seq, m.bytes)
      for (const client of wss.clients) client.send(text)
      sent += wss.clients.size
      rounds++
      setImmediate(round)
    }
    round()
  })
  send({ type: 'listening', port: typeof address === 'object' && address !== null ? address.port : 0 })
  process.on('SIGTERM', () => {
    for (const client of wss.clients) client.terminate()
    wss.close(() => process.exit(0))
  })
}

const mode = process.argv[2]
if (mode === 'fastify') await bareFastify()
else if (mode === 'ws') await bareWs()
else if (mode !== undefined) throw new Error(`bare-servers: unknown mode ${mode}`)
process.on('disconnect', () => process.exit(0))
