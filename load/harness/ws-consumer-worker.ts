/**
 * Market-data consumers in their own process (forked by ws-consumers.ts, so
 * their CPU is not the load generator's). Each consumer holds one WebSocket
 * on /ws, subscribes to l2_updates and trades of one symbol, checks that each
 * delta's seq is the previous + 1, and records accept-to-receipt latency
 * (receipt time minus trade.timestamp * 1000: the engine stamps trades with
 * its wall clock, on this same machine). Talks to the parent over IPC:
 *   parent → worker: start {config}, reset, stop
 *   worker → parent: ready, progress (each second), reset-done, final
 */
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import { LogHistogram, type HistogramJson } from './histogram.js'

export interface WorkerConfig {
  readonly wsUrl: string
  readonly count: number
  readonly symbol: string
  readonly channels: readonly string[]
  /** 'gateway': wait for connected + acks + snapshot; 'bare': ready on open (bare ws baseline). */
  readonly handshake: 'gateway' | 'bare'
  readonly connectConcurrency: number
  readonly connectTimeoutMs: number
}

export interface WorkerCounters {
  messages: number
  bytes: number
  byType: Record<string, number>
  gaps: number
  snapshots: number
  deltas: number
  trades: number
  errors: number
  invalid: number
  closes: Record<string, number>
  acceptToReceipt: HistogramJson
  publishToReceipt: HistogramJson
  since: number
  at: number
}

export type WorkerMessage =
  | { type: 'ready', connected: number, failures: number, connectMs: number }
  | { type: 'progress', at: number, messages: number, gaps: number, open: number }
  | { type: 'reset-done', at: number }
  | { type: 'final', counters: WorkerCounters, connected: number, failures: number }

interface Consumer {
  ws: WebSocket
  seq: Map<string, number>
  acks: number
  snapshot: boolean
  greeted: boolean
}

const now = (): number => performance.timeOrigin + performance.now()

let stopping = false
let c = fresh()
let progressMessages = 0
let progressGaps = 0
const consumers: Consumer[] = []

function fresh () {
  return {
    messages: 0,
    bytes: 0,
    byType: new Map<string, number>(),
    gaps: 0,
    snapshots: 0,
    deltas: 0,
    trades: 0,
    errors: 0,
    invalid: 0,
    closes: new Map<string, number>(),
    accept: new LogHistogram(),
    publish: new LogHistogram(),
    since: Date.now()
  }
}

function send (message: WorkerMessage): void {
  process.send?.(message)
}

function onMessage (consumer: Consumer, data: Buffer): void {
  const at = now()
  c.messages++
  c.bytes += data.length
  progressMessages++
  let msg: Record<string, unknown>
  try {
    msg = JSON.parse(data.toString()) as Record<string, unknown>
  } catch {
    c.invalid++
    return
  }
  const type = String(msg.type)
  c.byType.set(type, (c.byType.get(type) ?? 0) + 1)
  if (type === 'l2_update') {
    const symbol = String(msg.symbol)
    const seq = Number(msg.seq)
    if (msg.kind === 'snapshot') {
      consumer.seq.set(symbol, seq)
      consumer.snapshot = true
      c.snapshots++
      return
    }
    c.deltas++
    const last = consumer.seq.get(symbol)
    if (last !== undefined && seq !== last + 1) {
      c.gaps++
      progressGaps++
    }
    consumer.seq.set(symbol, seq)
    if (typeof msg.timestamp === 'number') c.publish.record(at - msg.timestamp * 1000)
  } else if (type === 'trade' && Array.isArray(msg.data)) {
    for (const trade of msg.data as Array<{ timestamp?: unknown }>) {
      c.trades++
      if (typeof trade.timestamp === 'number') c.accept.record(at - trade.timestamp * 1000)
    }
  } else if (type === 'subscribed') {
    consumer.acks++
  } else if (type === 'connected') {
    consumer.greeted = true
  } else if (type === 'error') {
    c.errors++
  }
}

function isReady (consumer: Consumer, config: WorkerConfig): boolean {
  if (config.handshake === 'bare') return true
  return consumer.greeted && consumer.acks >= config.channels.length && (!config.channels.includes('l2_updates') || consumer.snapshot)
}

async function connectOne (config: WorkerConfig): Promise<boolean> {
  const ws = new WebSocket(config.wsUrl, { perMessageDeflate: false })
  const consumer: Consumer = { ws, seq: new Map(), acks: 0, snapshot: false, greeted: false }
  return await new Promise<boolean>((resolve) => {
    let settled = false
    const settle = (ok: boolean): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(ok)
    }
    const timer = setTimeout(() => { ws.terminate(); settle(false) }, config.connectTimeoutMs)
    ws.on('message', (data: Buffer) => {
      onMessage(consumer, data)
      if (!settled && isReady(consumer, config)) settle(true)
    })
    ws.on('open', () => {
      consumers.push(consumer)
      for (const channel of config.channels) ws.send(JSON.stringify({ type: 'subscribe', channel, symbol: config.symbol }))
      if (config.handshake === 'bare') settle(true)
    })
    ws.on('error', () => {
      c.errors++
      settle(false)
    })
    ws.on('close', (code: number) => {
      if (!stopping) c.closes.set(String(code), (c.closes.get(String(code)) ?? 0) + 1)
      settle(false)
    })
  })
}

async function start (config: WorkerConfig): Promise<void> {
  const t0 = performance.now()
  let connected = 0
  let failures = 0
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < config.count) {
      next++
      if (await connectOne(config)) connected++
      else failures++
    }
  }
  await Promise.all(Array.from({ length: Math.min(config.connectConcurrency, config.count) }, lane))
  send({ type: 'ready', connected, failures, connectMs: Math.round(performance.now() - t0) })
  const timer = setInterval(() => {
    const open = consumers.filter((x) => x.ws.readyState === WebSocket.OPEN).length
    send({ type: 'progress', at: Date.now(), messages: progressMessages, gaps: progressGaps, open })
    progressMessages = 0
    progressGaps = 0
  }, 1000)
  process.on('message', (message: { type: string }) => {
    if (message.type === 'reset') {
      c = fresh()
      send({ type: 'reset-done', at: c.since })
    } else if (message.type === 'stop') {
      clearInterval(timer)
      finish(connected, failures)
    }
  })
}

function finish (connected: number, failures: number): void {
  const counters: WorkerCounters = {
    messages: c.messages,
    bytes: c.bytes,
    byType: Object.fromEntries(c.byType),
    gaps: c.gaps,
    snapshots: c.snapshots,
    deltas: c.deltas,
    trades: c.trades,
    errors: c.errors,
    invalid: c.invalid,
    closes: Object.fromEntries(c.closes),
    acceptToReceipt: c.accept.toJSON(),
    publishToReceipt: c.publish.toJSON(),
    since: c.since,
    at: Date.now()
  }
  stopping = true
  for (const consumer of consumers) consumer.ws.terminate()
  process.send?.({ type: 'final', counters, connected, failures } satisfies WorkerMessage, () => process.exit(0))
}

process.once('message', (message: { type: string, config: WorkerConfig }) => {
  if (message.type !== 'start') return
  start(message.config).catch((error: unknown) => {
    process.stderr.write(`consumer worker failed: ${String(error)}\n`)
    process.exit(1)
  })
})
// The parent gone means nobody will read our results.
process.on('disconnect', () => process.exit(0))
