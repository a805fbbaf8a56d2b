/**
 * Parent side of the market-data consumers: forks ws-consumer-worker.js (one
 * or more processes, the consumers split between them), waits until every
 * consumer is connected and subscribed, opens a measuring window (reset),
 * aggregates the per-second progress and merges the final reports.
 */
import { once } from 'node:events'
import type { ChildProcess } from 'node:child_process'
import { LogHistogram } from './histogram.js'
import { roundSummary } from './histogram.js'
import { forkHarness, stopChild } from './procs.js'
import type { WorkerConfig, WorkerCounters, WorkerMessage } from './ws-consumer-worker.js'
import type { L2Subscription } from './l2-subscription.js'
import type { ConsumerProgressPoint, ConsumerResult, LatencySummary } from './types.js'

export interface ConsumerOptions {
  readonly wsUrl: string
  readonly count: number
  readonly symbol: string
  readonly channels?: readonly string[]
  /** depth and intervals of the l2_updates subscriptions (default: neither sent). */
  readonly l2?: L2Subscription
  readonly handshake?: 'gateway' | 'bare'
  /** Worker processes to spread the consumers over (default 1). */
  readonly procs?: number
  readonly connectConcurrency?: number
  readonly connectTimeoutMs?: number
}

interface Worker {
  readonly child: ChildProcess
  readonly messages: WorkerMessage[]
  final: Extract<WorkerMessage, { type: 'final' }> | null
}

async function waitFor<T extends WorkerMessage['type']> (worker: Worker, type: T, timeoutMs: number): Promise<Extract<WorkerMessage, { type: T }>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const index = worker.messages.findIndex((m) => m.type === type)
    if (index >= 0) return worker.messages.splice(index, 1)[0] as Extract<WorkerMessage, { type: T }>
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) throw new Error(`consumer worker exited while waiting for ${type}`)
    if (Date.now() > deadline) throw new Error(`consumer worker: no ${type} in ${timeoutMs} ms`)
    await Promise.race([once(worker.child, 'message'), new Promise((resolve) => setTimeout(resolve, 200))])
  }
}

export class ConsumerGroup {
  readonly ready: { connected: number, failures: number, connectMs: number }
  private readonly workers: Worker[]
  private readonly options: ConsumerOptions
  private readonly progress = new Map<number, { messages: number, gaps: number, open: Map<number, number> }>()
  private resetAt = Date.now()

  private constructor (options: ConsumerOptions, workers: Worker[], ready: ConsumerGroup['ready']) {
    this.options = options
    this.workers = workers
    this.ready = ready
    workers.forEach((worker, index) => {
      worker.child.on('message', (m: WorkerMessage) => { if (m.type === 'progress') this.onProgress(index, m) })
    })
  }

  get pids (): number[] {
    return this.workers.map((w) => w.child.pid as number)
  }

  static async start (options: ConsumerOptions): Promise<ConsumerGroup> {
    const procs = Math.max(1, Math.min(options.procs ?? 1, options.count))
    const workers: Worker[] = []
    let firstIndex = 0
    try {
      for (let i = 0; i < procs; i++) {
        const { child } = forkHarness('ws-consumer-worker.js')
        const worker: Worker = { child, messages: [], final: null }
        child.on('message', (m: WorkerMessage) => { if (m.type !== 'progress') worker.messages.push(m) })
        const count = Math.floor(options.count / procs) + (i < options.count % procs ? 1 : 0)
        const config: WorkerConfig = {
          wsUrl: options.wsUrl,
          count,
          symbol: options.symbol,
          channels: options.channels ?? ['l2_updates', 'trades'],
          handshake: options.handshake ?? 'gateway',
          connectConcurrency: options.connectConcurrency ?? 50,
          connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
          l2: options.l2 ?? { depth: null, intervals: [] },
          firstIndex
        }
        firstIndex += count
        child.send({ type: 'start', config })
        workers.push(worker)
      }
      const timeout = 30_000 + options.count * 50
      const readies = await Promise.all(workers.map(async (w) => await waitFor(w, 'ready', timeout)))
      return new ConsumerGroup(options, workers, {
        connected: readies.reduce((s, r) => s + r.connected, 0),
        failures: readies.reduce((s, r) => s + r.failures, 0),
        connectMs: Math.max(...readies.map((r) => r.connectMs))
      })
    } catch (error) {
      await Promise.all(workers.map(async (w) => await stopChild(w.child, 1000)))
      throw error
    }
  }

  /** Starts the measuring window: counters and histograms restart from zero. */
  async reset (): Promise<void> {
    for (const w of this.workers) w.child.send({ type: 'reset' })
    await Promise.all(this.workers.map(async (w) => await waitFor(w, 'reset-done', 10_000)))
    this.resetAt = Date.now()
    this.progress.clear()
  }

  private onProgress (index: number, m: Extract<WorkerMessage, { type: 'progress' }>): void {
    const second = Math.floor((m.at - this.resetAt) / 1000)
    if (second < 0) return
    const entry = this.progress.get(second) ?? { messages: 0, gaps: 0, open: new Map<number, number>() }
    entry.messages += m.messages
    entry.gaps += m.gaps
    entry.open.set(index, m.open)
    this.progress.set(second, entry)
  }

  /** Ends the window, closes every consumer and returns the merged figures. */
  async stop (): Promise<ConsumerResult> {
    for (const w of this.workers) if (w.child.connected) w.child.send({ type: 'stop' })
    const finals = await Promise.all(this.workers.map(async (w) => {
      try {
        return await waitFor(w, 'final', 15_000)
      } finally {
        await stopChild(w.child, 2000)
      }
    }))
    return this.merge(finals.map((f) => f.counters), finals.reduce((s, f) => s + f.connected, 0))
  }

  async kill (): Promise<void> {
    await Promise.all(this.workers.map(async (w) => await stopChild(w.child, 500)))
  }

  private merge (all: WorkerCounters[], connected: number): ConsumerResult {
    const accept = new LogHistogram()
    const l2 = new LogHistogram()
    const byInterval = new Map<string, LogHistogram>()
    const intervals: Record<string, number> = {}
    const byType: Record<string, number> = {}
    const closes: Record<string, number> = {}
    type Summed = 'messages' | 'bytes' | 'gaps' | 'snapshots' | 'deltas' | 'trades' | 'errors' | 'checksumsVerified' | 'checksumMismatches' | 'unverified' | 'l2Resyncs' | 'tradeResyncs' | 'heartbeats'
    const sum = (key: Summed): number => all.reduce((s, x) => s + x[key], 0)
    for (const x of all) {
      accept.merge(x.acceptToReceipt)
      for (const [k, json] of Object.entries(x.l2ToReceipt)) {
        l2.merge(json)
        const h = byInterval.get(k) ?? new LogHistogram()
        h.merge(json)
        byInterval.set(k, h)
      }
      for (const [k, v] of Object.entries(x.intervals)) intervals[k] = (intervals[k] ?? 0) + v
      for (const [k, v] of Object.entries(x.byType)) byType[k] = (byType[k] ?? 0) + v
      for (const [k, v] of Object.entries(x.closes)) closes[k] = (closes[k] ?? 0) + v
    }
    const l2ByInterval: Record<string, { consumers: number, l2ToReceipt: LatencySummary }> = {}
    for (const [k, n] of Object.entries(intervals)) {
      l2ByInterval[k] = { consumers: n, l2ToReceipt: roundSummary((byInterval.get(k) ?? new LogHistogram()).summary()) }
    }
    const since = Math.min(...all.map((x) => x.since))
    const at = Math.max(...all.map((x) => x.at))
    const windowS = Math.max(0.001, (at - since) / 1000)
    const messages = sum('messages')
    const bytes = sum('bytes')
    const series: ConsumerProgressPoint[] = [...this.progress.entries()].sort((a, b) => a[0] - b[0])
      .map(([t, e]) => ({ t, messages: e.messages, gaps: e.gaps, open: [...e.open.values()].reduce((s, v) => s + v, 0) }))
    return {
      consumers: this.options.count,
      connected,
      connectFailures: this.ready.failures,
      connectMs: this.ready.connectMs,
      messages,
      bytes,
      windowS: Math.round(windowS * 1000) / 1000,
      messagesPerSecond: Math.round(messages / windowS),
      avgMessageBytes: messages === 0 ? 0 : Math.round(bytes / messages),
      byType,
      seqGaps: sum('gaps'),
      snapshots: sum('snapshots'),
      deltas: sum('deltas'),
      tradesReceived: sum('trades'),
      unexpectedCloses: closes,
      slowConsumerDisconnects: closes['1013'] ?? 0,
      errors: sum('errors'),
      checksumsVerified: sum('checksumsVerified'),
      checksumMismatches: sum('checksumMismatches'),
      unverified: sum('unverified'),
      serverSendsChecksum: all.some((x) => x.checksumSeen),
      serverSendsPrevSeq: all.some((x) => x.prevSeqSeen),
      l2Resyncs: sum('l2Resyncs'),
      tradeResyncs: sum('tradeResyncs'),
      heartbeats: sum('heartbeats'),
      acceptToReceipt: roundSummary(accept.summary()),
      l2ToReceipt: roundSummary(l2.summary()),
      l2ByInterval,
      series
    }
  }
}
