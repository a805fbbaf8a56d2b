/**
 * WebSocket order entry in a worker thread (started by ws-orders.ts, so the generator's JSON and socket work
 * runs beside the coordinator, not on it). Each of its connections signs in when keys are given (AUTH=required:
 * the `auth` message over the connection's nonce), then pipelines order.place requests (response_type ack,
 * crossing prices so trades happen) and an order.cancel of a resting order every CANCEL_EVERY requests:
 *   saturate {durationMs}: closed loop, up to `window` requests in flight per connection;
 *   open {ratePerConnection, durationMs}: requests sent at their scheduled times (a 1 ms timer), whatever is
 *     in flight, and latency measured from the scheduled time (no coordinated omission).
 * Every answer is checked: its id must be pending (else a duplicate), and answers come in request order per
 * connection (refusals before queueing, TOO_MANY_IN_FLIGHT and RATE_LIMIT, may come at once).
 */
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import WebSocket from 'ws'
import { sign, wsSignInPayload } from '../../src/auth/signature.js'
import type { ApiKey } from './auth.js'
import { LogHistogram, type HistogramJson } from './histogram.js'
import { parseMix, randomOrder, SYMBOL_NAMES } from './orders.js'

export interface WsOrdersWorkerConfig {
  readonly wsUrl: string
  readonly connections: number
  readonly window: number
  /** One key per connection (AUTH=required), or none (AUTH=off). */
  readonly keys: readonly ApiKey[]
  readonly connectTimeoutMs: number
}

export type WsOrdersCommand =
  | { type: 'saturate', durationMs: number }
  | { type: 'open', ratePerConnection: number, durationMs: number }
  | { type: 'close' }

export interface WsOrdersCounters {
  sent: number
  places: number
  cancels: number
  answered: number
  ok: number
  /** Refusals by code; expected ones (a cancel of an order that filled meanwhile) are in expected. */
  errors: Record<string, number>
  expected: Record<string, number>
  /** An answer whose id was not pending (answered twice, or never asked). */
  duplicates: number
  /** An answer that overtook an earlier request of its connection. */
  outOfOrder: number
  /** Requests still unanswered when the phase's drain timed out. */
  unanswered: number
  /** Open model: scheduled requests sent more than 2 ms late (the generator fell behind). */
  late: number
  /** Connections closed during the phase, by close code. */
  closes: Record<string, number>
  latency: HistogramJson
  elapsedMs: number
  /** This thread's event-loop utilisation over the phase (near 1: the generator is the bottleneck). */
  elu: number
}

export type WsOrdersReply =
  | { type: 'ready', connected: number, failures: string[] }
  | { type: 'done', counters: WsOrdersCounters }

/** Cancel refusals the flow meets by design: the order it names filled or was cancelled meanwhile. */
export const EXPECTED_CANCEL_CODES = new Set(['ORDER_NOT_FOUND', 'ORDER_NOT_OPEN'])
/** Refused before queueing: answered at once, outside the request order (contract §2). */
const IMMEDIATE_CODES = new Set(['TOO_MANY_IN_FLIGHT', 'RATE_LIMIT'])
const OPEN_STATUSES = new Set(['pending', 'partially_filled', 'new', 'open'])
export const CANCEL_EVERY = 10
const CROSSING_MIX = parseMix('limit:80,ioc:20')

interface Pending { readonly at: number, readonly cancel: boolean }

class Connection {
  readonly ws: WebSocket
  nextId = 1
  readonly pending = new Map<number, Pending>()
  readonly fifo: number[] = []
  head = 0
  readonly resting: Array<{ symbol: string, orderId: string }> = []
  private corked = false
  private readonly socket: { cork: () => void, uncork: () => void } | null

  constructor (ws: WebSocket) {
    this.ws = ws
    // ws writes each frame on its own; corking until the end of the turn sends a turn's frames in one write.
    this.socket = (ws as unknown as { _socket?: { cork: () => void, uncork: () => void } })._socket ?? null
  }

  send (text: string): void {
    if (!this.corked && this.socket !== null) {
      this.corked = true
      this.socket.cork()
      process.nextTick(() => { this.corked = false; this.socket?.uncork() })
    }
    this.ws.send(text)
  }

  get inFlight (): number {
    return this.pending.size
  }
}

function freshCounters (): Omit<WsOrdersCounters, 'latency' | 'elapsedMs' | 'elu'> {
  return { sent: 0, places: 0, cancels: 0, answered: 0, ok: 0, errors: {}, expected: {}, duplicates: 0, outOfOrder: 0, unanswered: 0, late: 0, closes: {} }
}

const config = workerData as WsOrdersWorkerConfig
const connections: Connection[] = []
let counters = freshCounters()
let latency = new LogHistogram()
/** Called after each answer in the closed loop (refill the window); null in other phases. */
let onAnswer: ((c: Connection) => void) | null = null
let sending = false
let symbolTurn = 0

/**
 * Order params, serialized once: a pool per symbol cycled through, so a request costs the generator one
 * string concatenation (the crossing flow of orders.ts; prices repeat after POOL orders of a symbol).
 */
const POOL = 4096
const pools = SYMBOL_NAMES.map((symbol) => Array.from({ length: POOL }, () => JSON.stringify({ ...randomOrder({ symbols: [symbol], mix: CROSSING_MIX, band: 0.002 }), response_type: 'ack' })))
let poolTurn = 0

function request (c: Connection, at: number): void {
  const id = c.nextId++
  let frame: string
  const cancel = id % CANCEL_EVERY === 0 && c.resting.length > 0
  if (cancel) {
    const target = c.resting.shift() as { symbol: string, orderId: string }
    frame = `{"type":"order.cancel","id":${id},"params":{"symbol":"${target.symbol}","order_id":"${target.orderId}"}}`
    counters.cancels++
  } else {
    const pool = pools[symbolTurn++ % pools.length]
    frame = `{"type":"order.place","id":${id},"params":${pool[poolTurn++ % POOL]}}`
    counters.places++
  }
  c.pending.set(id, { at, cancel })
  c.fifo.push(id)
  counters.sent++
  c.send(frame)
}

function onMessage (c: Connection, text: string): void {
  let m: { type?: string, id?: unknown, code?: string, result?: { order_id?: string, status?: string, symbol?: string } }
  try {
    m = JSON.parse(text)
  } catch {
    counters.errors.UNPARSEABLE = (counters.errors.UNPARSEABLE ?? 0) + 1
    return
  }
  if (typeof m.id !== 'number') {
    // Not an answer to an order.* request (connected, heartbeat, ...), unless it is an error.
    if (m.type === 'error') counters.errors[`NO_ID_${m.code ?? '?'}`] = (counters.errors[`NO_ID_${m.code ?? '?'}`] ?? 0) + 1
    return
  }
  const id = m.id
  const p = c.pending.get(id)
  if (p === undefined) {
    counters.duplicates++
    return
  }
  const now = performance.now()
  const code = m.type === 'error' ? (m.code ?? 'UNKNOWN') : null
  if (code === null || !IMMEDIATE_CODES.has(code)) {
    while (c.head < c.fifo.length && !c.pending.has(c.fifo[c.head])) c.head++
    if (c.fifo[c.head] !== id) counters.outOfOrder++
  }
  c.pending.delete(id)
  if (c.head > 4096 && c.head * 2 > c.fifo.length) { c.fifo.splice(0, c.head); c.head = 0 }
  counters.answered++
  latency.record(now - p.at)
  if (code === null) {
    counters.ok++
    const r = m.result
    if (!p.cancel && r !== undefined && typeof r.order_id === 'string' && typeof r.symbol === 'string' && OPEN_STATUSES.has(r.status ?? '') && c.resting.length < 1000) {
      c.resting.push({ symbol: r.symbol, orderId: r.order_id })
    }
  } else if (p.cancel && EXPECTED_CANCEL_CODES.has(code)) {
    counters.expected[code] = (counters.expected[code] ?? 0) + 1
  } else {
    counters.errors[code] = (counters.errors[code] ?? 0) + 1
  }
  onAnswer?.(c)
}

async function connect (index: number): Promise<Connection> {
  const ws = new WebSocket(config.wsUrl, { perMessageDeflate: false })
  const key = config.keys.length > 0 ? config.keys[index % config.keys.length] : null
  return await new Promise<Connection>((resolve, reject) => {
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('connect timeout')) }, config.connectTimeoutMs)
    const c = new Connection(ws)
    ws.once('error', (error) => { clearTimeout(timer); reject(error) })
    const handshake = (data: WebSocket.RawData): void => {
      const m = JSON.parse(data.toString()) as { type?: string, nonce?: string, code?: string, message?: string }
      if (m.type === 'connected' && key !== null) {
        const timestamp = String(Date.now())
        ws.send(JSON.stringify({ type: 'auth', api_key: key.keyId, timestamp: Number(timestamp), signature: sign(key.secret, wsSignInPayload(timestamp, m.nonce ?? '')), id: 'signin' }))
        return
      }
      if (m.type === 'error') {
        clearTimeout(timer)
        reject(new Error(`sign-in refused: ${m.code ?? '?'} ${m.message ?? ''}`))
        return
      }
      if ((m.type === 'connected' && key === null) || m.type === 'authenticated') {
        clearTimeout(timer)
        ws.off('message', handshake)
        ws.on('message', (d: WebSocket.RawData) => onMessage(c, d.toString()))
        ws.on('close', (code) => { counters.closes[String(code)] = (counters.closes[String(code)] ?? 0) + 1 })
        ws.on('error', () => {})
        resolve(c)
      }
    }
    ws.on('message', handshake)
  })
}

async function drain (timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (connections.some((c) => c.inFlight > 0 && c.ws.readyState === WebSocket.OPEN) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  for (const c of connections) {
    counters.unanswered += c.inFlight
    c.pending.clear()
    c.fifo.length = 0
    c.head = 0
  }
}

async function runPhase (run: () => Promise<void>): Promise<WsOrdersCounters> {
  counters = freshCounters()
  latency = new LogHistogram()
  const elu0 = performance.eventLoopUtilization()
  const t0 = performance.now()
  await run()
  const elapsedMs = performance.now() - t0
  const elu = performance.eventLoopUtilization(elu0).utilization
  return { ...counters, latency: latency.toJSON(), elapsedMs, elu }
}

async function saturate (durationMs: number): Promise<void> {
  sending = true
  const refill = (c: Connection): void => {
    if (!sending) return
    while (c.inFlight < config.window && c.ws.readyState === WebSocket.OPEN) request(c, performance.now())
  }
  onAnswer = refill
  connections.forEach(refill)
  await new Promise((resolve) => setTimeout(resolve, durationMs))
  sending = false
  onAnswer = null
  await drain(10_000)
}

async function open (ratePerConnection: number, durationMs: number): Promise<void> {
  const start = performance.now()
  const intervalMs = 1000 / ratePerConnection
  const total = Math.floor(durationMs / intervalMs)
  const scheduled = connections.map(() => 0)
  // Connection i starts i/n of an interval later, so the connections' sends interleave.
  const offset = (i: number): number => (i / connections.length) * intervalMs
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now()
      let finished = true
      connections.forEach((c, i) => {
        if (c.ws.readyState !== WebSocket.OPEN) return
        while (scheduled[i] < total) {
          const at = start + offset(i) + scheduled[i] * intervalMs
          if (at > now) break
          if (now - at > 2) counters.late++
          scheduled[i]++
          request(c, at)
        }
        if (scheduled[i] < total) finished = false
      })
      if (finished) {
        clearInterval(timer)
        resolve()
      }
    }
    const timer = setInterval(tick, 1)
  })
  await drain(10_000)
}

async function main (): Promise<void> {
  const port = parentPort
  if (port === null) throw new Error('ws-orders-worker runs as a worker thread')
  const failures: string[] = []
  const results = await Promise.allSettled(Array.from({ length: config.connections }, async (_, i) => await connect(i)))
  for (const r of results) {
    if (r.status === 'fulfilled') connections.push(r.value)
    else failures.push(String((r.reason as Error).message ?? r.reason))
  }
  port.postMessage({ type: 'ready', connected: connections.length, failures } satisfies WsOrdersReply)
  port.on('message', (command: WsOrdersCommand) => {
    if (command.type === 'close') {
      for (const c of connections) c.ws.terminate()
      port.close()
      return
    }
    const run = command.type === 'saturate' ? async () => await saturate(command.durationMs) : async () => await open(command.ratePerConnection, command.durationMs)
    runPhase(run).then((c) => port.postMessage({ type: 'done', counters: c } satisfies WsOrdersReply), (error: unknown) => { throw error })
  })
}

if (parentPort !== null) await main()
