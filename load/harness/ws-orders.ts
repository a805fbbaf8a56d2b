/**
 * The WebSocket order-entry generator (issue 14): C connections on /ws spread over worker threads
 * (ws-orders-worker.ts), each pipelining order.place (response_type ack) and some order.cancel requests.
 * A saturation phase (closed loop, up to W in flight per connection) gives sustained orders/s; an open-model
 * phase at R requests/s (spread over the connections, timer-paced) gives request-to-answer latency and the
 * achieved rate. Each phase reports what its answers broke (duplicates, out of order, unanswered, errors by
 * code) and how busy the generator's own threads were, so a generator-bound figure says so.
 */
import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import type { ApiKey } from './auth.js'
import { LogHistogram, roundSummary } from './histogram.js'
import { distHarness } from './procs.js'
import type { LatencySummary } from './types.js'
import type { WsOrdersCommand, WsOrdersCounters, WsOrdersReply, WsOrdersWorkerConfig } from './ws-orders-worker.js'

export interface WsOrdersSettings {
  /** WebSocket connections (default 8). */
  readonly connections: number
  /** Requests in flight per connection in the saturation phase (default 64). */
  readonly window: number
  /** Worker threads the connections are spread over. */
  readonly threads: number
  readonly saturationSeconds: number
  /** Open-model rate over all connections, requests/s (default 20,000); 0 skips the phase. */
  readonly rate: number
  readonly openSeconds: number
}

export interface WsOrdersPhase {
  readonly mode: 'saturation' | 'open'
  readonly connections: number
  readonly connected: number
  readonly window: number
  readonly threads: number
  /** Open model: the rate asked for (requests/s); null at saturation. */
  readonly targetRate: number | null
  readonly durationS: number
  readonly sent: number
  readonly places: number
  readonly cancels: number
  readonly answered: number
  readonly ok: number
  /** Requests sent per second (open model: the achieved rate). */
  readonly sentPerSecond: number
  /** Successful answers per second (sustained orders/s). */
  readonly okPerSecond: number
  /** Request (open model: its scheduled time) to answer, ms. */
  readonly latency: LatencySummary
  readonly errors: Record<string, number>
  readonly errorCount: number
  readonly expected: Record<string, number>
  readonly duplicates: number
  readonly outOfOrder: number
  readonly unanswered: number
  readonly late: number
  readonly closes: Record<string, number>
  /** Event-loop utilisation of each generator thread over the phase (near 1: the generator is saturated). */
  readonly generatorElu: number[]
  /** CPU of the whole generator process over the phase, % of one core. */
  readonly generatorCpuPct: number
  readonly generatorSaturated: boolean
}

export interface WsOrdersOptions extends WsOrdersSettings {
  readonly wsUrl: string
  /** One key per connection (AUTH=required), or [] (AUTH=off). */
  readonly keys: readonly ApiKey[]
  readonly connectTimeoutMs?: number
}

export interface WsOrdersRun {
  readonly saturation: WsOrdersPhase | null
  readonly open: WsOrdersPhase | null
  readonly failures: string[]
}

/** A thread past this event-loop utilisation is a bottleneck of its own. */
export const GENERATOR_BUSY_ELU = 0.9

interface Thread { readonly worker: Worker, readonly connections: number }

async function reply<T extends WsOrdersReply['type']> (worker: Worker, type: T, timeoutMs: number): Promise<Extract<WsOrdersReply, { type: T }>> {
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`ws-orders worker: no ${type} in ${timeoutMs} ms`)) }, timeoutMs)
    const onMessage = (m: WsOrdersReply): void => { if (m.type === type) { cleanup(); resolve(m as Extract<WsOrdersReply, { type: T }>) } }
    const onError = (error: Error): void => { cleanup(); reject(error) }
    const onExit = (code: number): void => { cleanup(); reject(new Error(`ws-orders worker exited (${code}) while waiting for ${type}`)) }
    const cleanup = (): void => { clearTimeout(timer); worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit) }
    worker.on('message', onMessage)
    worker.once('error', onError)
    worker.once('exit', onExit)
  })
}

const add = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n
}

/** Merges the threads' counters of one phase. */
export function mergePhase (
  mode: WsOrdersPhase['mode'], parts: readonly WsOrdersCounters[], meta: { connections: number, connected: number, window: number, targetRate: number | null, cpuPct: number }
): WsOrdersPhase {
  const latency = new LogHistogram()
  const errors: Record<string, number> = {}
  const expected: Record<string, number> = {}
  const closes: Record<string, number> = {}
  let sent = 0; let places = 0; let cancels = 0; let answered = 0; let ok = 0; let duplicates = 0; let outOfOrder = 0; let unanswered = 0; let late = 0
  let elapsedMs = 0
  for (const p of parts) {
    latency.merge(p.latency)
    add(errors, p.errors); add(expected, p.expected); add(closes, p.closes)
    sent += p.sent; places += p.places; cancels += p.cancels; answered += p.answered; ok += p.ok
    duplicates += p.duplicates; outOfOrder += p.outOfOrder; unanswered += p.unanswered; late += p.late
    elapsedMs = Math.max(elapsedMs, p.elapsedMs)
  }
  const seconds = elapsedMs / 1000
  const elu = parts.map((p) => Math.round(p.elu * 1000) / 1000)
  return {
    mode,
    connections: meta.connections,
    connected: meta.connected,
    window: meta.window,
    threads: parts.length,
    targetRate: meta.targetRate,
    durationS: Math.round(seconds * 1000) / 1000,
    sent,
    places,
    cancels,
    answered,
    ok,
    sentPerSecond: seconds > 0 ? Math.round(sent / seconds) : 0,
    okPerSecond: seconds > 0 ? Math.round(ok / seconds) : 0,
    latency: roundSummary(latency.summary()),
    errors,
    errorCount: Object.values(errors).reduce((s, n) => s + n, 0),
    expected,
    duplicates,
    outOfOrder,
    unanswered,
    late,
    closes,
    generatorElu: elu,
    generatorCpuPct: meta.cpuPct,
    generatorSaturated: elu.some((u) => u >= GENERATOR_BUSY_ELU)
  }
}

/** Connects, runs the saturation phase then the open-model phase, and closes every connection and thread. */
export async function runWsOrders (options: WsOrdersOptions): Promise<WsOrdersRun> {
  const file = distHarness('ws-orders-worker.js')
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`)
  const threadCount = Math.max(1, Math.min(options.threads, options.connections))
  const threads: Thread[] = []
  try {
    let keyIndex = 0
    for (let i = 0; i < threadCount; i++) {
      const connections = Math.floor(options.connections / threadCount) + (i < options.connections % threadCount ? 1 : 0)
      const keys = options.keys.length === 0 ? [] : Array.from({ length: connections }, () => options.keys[keyIndex++ % options.keys.length])
      const workerData: WsOrdersWorkerConfig = { wsUrl: options.wsUrl, connections, window: options.window, keys, connectTimeoutMs: options.connectTimeoutMs ?? 10_000 }
      threads.push({ worker: new Worker(file, { workerData }), connections })
    }
    const ready = await Promise.all(threads.map(async (t) => await reply(t.worker, 'ready', (options.connectTimeoutMs ?? 10_000) + 5000)))
    const connected = ready.reduce((s, r) => s + r.connected, 0)
    const failures = ready.flatMap((r) => r.failures)
    if (connected === 0) return { saturation: null, open: null, failures }
    const phase = async (mode: WsOrdersPhase['mode'], command: WsOrdersCommand, targetRate: number | null, durationMs: number): Promise<WsOrdersPhase> => {
      const cpu0 = process.cpuUsage()
      const t0 = Date.now()
      const parts = await Promise.all(threads.map(async (t) => {
        const done = reply(t.worker, 'done', durationMs + 30_000)
        t.worker.postMessage(command)
        return (await done).counters
      }))
      const cpu = process.cpuUsage(cpu0)
      const cpuPct = Math.round((cpu.user + cpu.system) / 10 / Math.max(1, Date.now() - t0))
      return mergePhase(mode, parts, { connections: options.connections, connected, window: options.window, targetRate, cpuPct })
    }
    const saturation = options.saturationSeconds > 0
      ? await phase('saturation', { type: 'saturate', durationMs: options.saturationSeconds * 1000 }, null, options.saturationSeconds * 1000)
      : null
    // Each thread's share of the rate is per connection, so the whole rate is spread evenly.
    const open = options.rate > 0 && options.openSeconds > 0
      ? await phase('open', { type: 'open', ratePerConnection: options.rate / connected, durationMs: options.openSeconds * 1000 }, options.rate, options.openSeconds * 1000)
      : null
    return { saturation, open, failures }
  } finally {
    for (const t of threads) t.worker.postMessage({ type: 'close' } satisfies WsOrdersCommand)
    await Promise.all(threads.map(async (t) => await t.worker.terminate()))
  }
}
