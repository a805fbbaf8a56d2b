/**
 * Market-data consumers in their own process (forked by ws-consumers.ts, so
 * their CPU is not the load generator's). Each consumer holds one WebSocket
 * on /ws, subscribes to l2_updates (with its depth and interval, issue 13) and
 * trades of one symbol, and verifies every l2 message as the contract asks a
 * client to: a delta not past the held seq is dropped, one whose prev_seq is
 * past it is a gap (servers before issue 13 send no prev_seq: seq must then
 * be the previous + 1), and
 * after applying each snapshot, delta or resync to its own book (l2-book.ts)
 * the book's CRC-32 must equal the message's checksum (when the server sends
 * one). Records accept-to-receipt latency: receipt time minus the l2 message's
 * timestamp (the engine time of the newest command it reflects), per
 * interval, and minus trade.timestamp for trades (the engine stamps both with
 * its wall clock, on this same machine). Talks to the parent over IPC:
 *   parent → worker: start {config}, reset, stop
 *   worker → parent: ready, progress (each second), reset-done, final
 */
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import type { Level } from './book-checksum.js'
import { LogHistogram, type HistogramJson } from './histogram.js'
import { bookFromSnapshot, type L2Book } from './l2-book.js'
import { subscribeMessages, type L2Subscription } from './l2-subscription.js'

export interface WorkerConfig {
  readonly wsUrl: string
  readonly count: number
  readonly symbol: string
  readonly channels: readonly string[]
  /** 'gateway': wait for connected + acks + snapshot; 'bare': ready on open (bare ws baseline). */
  readonly handshake: 'gateway' | 'bare'
  readonly connectConcurrency: number
  readonly connectTimeoutMs: number
  readonly l2: L2Subscription
  /** Index of this worker's first consumer in the group (for the round-robin of intervals). */
  readonly firstIndex: number
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
  /** l2 messages whose checksum was compared with the consumer's own book. */
  checksumsVerified: number
  checksumMismatches: number
  /** l2 messages received while the consumer's book was known wrong (after a mismatch, until a snapshot or resync). */
  unverified: number
  /** What the server sent, seen at least once: a checksum, a prev_seq. */
  checksumSeen: boolean
  prevSeqSeen: boolean
  l2Resyncs: number
  tradeResyncs: number
  heartbeats: number
  closes: Record<string, number>
  acceptToReceipt: HistogramJson
  /** Receipt minus the l2 message's timestamp, by the subscription's interval ('default': none sent). */
  l2ToReceipt: Record<string, HistogramJson>
  /** Consumers per interval. */
  intervals: Record<string, number>
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
  interval: string
  seq: Map<string, number>
  book: L2Book | null
  /** The book failed a checksum: not judged again until a snapshot or resync replaces it. */
  broken: boolean
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
const intervalCount = new Map<string, number>()
let workerConfig: WorkerConfig | null = null

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
    checksumsVerified: 0,
    checksumMismatches: 0,
    unverified: 0,
    checksumSeen: false,
    prevSeqSeen: false,
    l2Resyncs: 0,
    tradeResyncs: 0,
    heartbeats: 0,
    closes: new Map<string, number>(),
    accept: new LogHistogram(),
    l2: new Map<string, LogHistogram>(),
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
  const text = data.toString()
  let msg: Record<string, unknown>
  try {
    msg = JSON.parse(text) as Record<string, unknown>
  } catch {
    c.invalid++
    return
  }
  const type = String(msg.type)
  c.byType.set(type, (c.byType.get(type) ?? 0) + 1)
  if (type === 'l2_update' || (type === 'resync' && msg.channel === 'l2_updates')) {
    onL2(consumer, msg, text, at)
  } else if (type === 'trade' && Array.isArray(msg.data)) {
    for (const trade of msg.data as Array<{ timestamp?: unknown }>) {
      c.trades++
      if (typeof trade.timestamp === 'number') c.accept.record(at - trade.timestamp * 1000)
    }
  } else if (type === 'resync') {
    c.tradeResyncs++
  } else if (type === 'heartbeat') {
    c.heartbeats++
  } else if (type === 'subscribed') {
    consumer.acks++
  } else if (type === 'connected') {
    consumer.greeted = true
  } else if (type === 'error') {
    c.errors++
  }
}

const levels = (value: unknown): Level[] => Array.isArray(value) ? value as Level[] : []

/** One l2 message: chain its seq, apply it to the consumer's book, compare the checksums, time it. */
function onL2 (consumer: Consumer, msg: Record<string, unknown>, text: string, at: number): void {
  const symbol = String(msg.symbol)
  const seq = Number(msg.seq)
  const replaces = msg.kind === 'snapshot' || msg.type === 'resync'
  if (replaces) {
    if (msg.type === 'resync') c.l2Resyncs++
    else c.snapshots++
    consumer.snapshot = true
    const depth = typeof msg.depth === 'number' ? msg.depth : typeof workerConfig?.l2.depth === 'number' ? workerConfig.l2.depth : 0
    consumer.book = bookFromSnapshot(levels(msg.bids), levels(msg.asks), depth, text)
    consumer.broken = false
  } else {
    const held = consumer.seq.get(symbol)
    // Issue 13: a delta not past the held seq is already in the book (a merged interval delta right
    // after a snapshot): dropped, as the README tells a client to.
    if (held !== undefined && typeof msg.prev_seq === 'number' && seq <= held) return
    c.deltas++
    if (typeof msg.prev_seq === 'number') c.prevSeqSeen = true
    // Issue 13: prev_seq names the state a delta applies to (the held one, or an earlier one for the
    // first merged delta after a snapshot); before it, seqs were consecutive per depth.
    const gap = held !== undefined && (typeof msg.prev_seq === 'number' ? msg.prev_seq > held : seq !== held + 1)
    if (gap) {
      c.gaps++
      progressGaps++
    }
    if (consumer.book !== null) consumer.book = consumer.book.applyDelta(levels(msg.bids), levels(msg.asks), text)
  }
  consumer.seq.set(symbol, seq)
  if (typeof msg.checksum === 'number') {
    c.checksumSeen = true
    if (consumer.broken || consumer.book === null) c.unverified++
    else {
      c.checksumsVerified++
      if (consumer.book.checksum !== msg.checksum) {
        c.checksumMismatches++
        consumer.broken = true
      }
    }
  }
  if (typeof msg.timestamp === 'number' && !(msg.kind === 'snapshot' && msg.type === 'l2_update')) {
    let h = c.l2.get(consumer.interval)
    if (h === undefined) c.l2.set(consumer.interval, h = new LogHistogram())
    h.record(at - msg.timestamp * 1000)
  }
}

function isReady (consumer: Consumer, config: WorkerConfig): boolean {
  if (config.handshake === 'bare') return true
  return consumer.greeted && consumer.acks >= config.channels.length && (!config.channels.includes('l2_updates') || consumer.snapshot)
}

async function connectOne (config: WorkerConfig, index: number): Promise<boolean> {
  const ws = new WebSocket(config.wsUrl, { perMessageDeflate: false })
  const { interval, messages } = subscribeMessages(config, index)
  intervalCount.set(interval, (intervalCount.get(interval) ?? 0) + 1)
  const consumer: Consumer = { ws, interval, seq: new Map(), book: null, broken: false, acks: 0, snapshot: false, greeted: false }
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
      for (const m of messages) ws.send(JSON.stringify(m))
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

async function start (given: WorkerConfig): Promise<void> {
  workerConfig = given
  const t0 = performance.now()
  let connected = 0
  let failures = 0
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < given.count) {
      const index = given.firstIndex + next++
      if (await connectOne(given, index)) connected++
      else failures++
    }
  }
  await Promise.all(Array.from({ length: Math.min(given.connectConcurrency, given.count) }, lane))
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
    checksumsVerified: c.checksumsVerified,
    checksumMismatches: c.checksumMismatches,
    unverified: c.unverified,
    checksumSeen: c.checksumSeen,
    prevSeqSeen: c.prevSeqSeen,
    l2Resyncs: c.l2Resyncs,
    tradeResyncs: c.tradeResyncs,
    heartbeats: c.heartbeats,
    closes: Object.fromEntries(c.closes),
    acceptToReceipt: c.accept.toJSON(),
    l2ToReceipt: Object.fromEntries([...c.l2].map(([k, h]) => [k, h.toJSON()])),
    intervals: Object.fromEntries(intervalCount),
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
