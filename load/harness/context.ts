/**
 * What every scenario shares: the options, the servers it starts (each with
 * its monitor, and a CPU profile when asked), and the list of phase results.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { runHttpLoad, type HttpLoadOptions } from './http-load.js'
import { Monitor } from './monitor.js'
import { delay, startService } from './procs.js'
import { newestProfile, summarizeProfile } from './profile.js'
import type { ConsumerResult, PhaseResult, ProfileSummary } from './types.js'

export const SCENARIOS = ['smoke', 'orders', 'suite', 'marketdata', 'journal', 'all'] as const
export type ScenarioName = typeof SCENARIOS[number]

export interface HarnessOptions {
  readonly scenario: ScenarioName
  /** An already running server (localhost only); null: the harness starts its own. */
  readonly url: string | null
  /** Multiplies the seed suite's durations (1 = the seed's 13.5 minutes). */
  readonly scale: number
  /** Seconds of each order-entry phase. */
  readonly seconds: { warmup: number, fixed: number, saturation: number, marketdata: number, mdSaturation: number, journal: number }
  readonly fixedRate: number
  readonly mdRate: number
  /** Closed-loop connections in saturation phases. */
  readonly connections: number
  readonly consumers: number
  readonly consumerProcs: number
  readonly symbol: string
  /** WS_BATCH_MS of the server in the market-data phase at mdRate; null: the service's default (25 ms). */
  readonly mdBatchMs: string | null
  /** WS_BATCH_MS of the server in the market-data saturation phase ('0': once per event-loop turn). */
  readonly mdSaturationBatchMs: string
  /** Run the service with the journal on (JOURNAL_ENABLED=true, fsync batch) in the non-journal scenarios. */
  readonly journal: boolean
  readonly cpuProf: boolean
  readonly outDir: string
  readonly log: (line: string) => void
}

export interface Service {
  readonly url: string
  readonly pid: number | null
  readonly env: Record<string, string>
  readonly monitor: Monitor
}

export class Context {
  readonly phases: PhaseResult[] = []
  readonly profiles: ProfileSummary[] = []
  readonly options: HarnessOptions

  constructor (options: HarnessOptions) {
    this.options = options
  }

  log (line: string): void {
    this.options.log(line)
  }

  /** Runs fn against a fresh service (or the --url one), monitored; stops it afterwards. */
  async withService<T> (label: string, env: Record<string, string>, fn: (svc: Service) => Promise<T>): Promise<T> {
    const { url, journal } = this.options
    if (url !== null) {
      if (Object.keys(env).length > 0) this.log(`  (--url given: ${label} runs without its server settings ${JSON.stringify(env)})`)
      const monitor = new Monitor({ pid: null, metricsUrl: url })
      await monitor.start()
      try {
        return await fn({ url, pid: null, env: {}, monitor })
      } finally {
        await monitor.stop()
      }
    }
    const fullEnv: Record<string, string> = { ...(journal ? { JOURNAL_ENABLED: 'true', JOURNAL_FSYNC: 'batch' } : {}), ...env }
    // A journal gets a scratch directory, removed with the server.
    const dataDir = fullEnv.JOURNAL_ENABLED === 'true' && fullEnv.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'harness-journal-')) : null
    if (dataDir !== null) fullEnv.DATA_DIR = dataDir
    const profDir = this.profileDir(label)
    const server = await startService({ env: fullEnv, cpuProfDir: profDir })
    this.log(`  server ${label} pid ${server.pid} at ${server.url} ${JSON.stringify(fullEnv)}`)
    const monitor = new Monitor({ pid: server.pid, metricsUrl: server.url })
    await monitor.start()
    const firstPhase = this.phases.length
    try {
      return await fn({ url: server.url, pid: server.pid, env: server.env, monitor })
    } finally {
      const exit = server.exited()
      if (exit !== null) {
        // Killed or crashed under load: say so next to the figures it spoilt.
        const note = `server ${label} (pid ${server.pid}) exited during the run: code ${exit.code}, signal ${exit.signal}; last output: ${server.output().slice(-1500).trim() || '(none)'}`
        this.log(`  WARNING: ${note}`)
        for (const phase of this.phases.slice(firstPhase)) phase.notes.push(note)
      }
      await monitor.stop()
      await server.stop()
      if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true })
      await this.collectProfile(profDir, label)
    }
  }

  /** A fresh directory for a child's --cpu-prof output, when profiling. */
  profileDir (label: string): string | undefined {
    if (!this.options.cpuProf) return undefined
    mkdirSync(join(this.options.outDir, 'profiles'), { recursive: true })
    return mkdtempSync(join(this.options.outDir, 'profiles', `${label}-`))
  }

  /** Summarizes the profile a child wrote into dir on exit. */
  async collectProfile (dir: string | undefined, label: string): Promise<void> {
    if (dir === undefined) return
    const file = await newestProfile(dir)
    if (file !== null) this.profiles.push(await summarizeProfile(file, label))
    else this.log(`  no CPU profile was written for ${label}`)
  }

  /** One HTTP load phase against svc (or a baseline), recorded with its monitor window. */
  async httpPhase (
    scenario: string, name: string, description: string, svc: Pick<Service, 'url' | 'env' | 'monitor'>,
    load: Omit<HttpLoadOptions, 'url' | 'label'>, target: PhaseResult['target'] = 'service'
  ): Promise<PhaseResult> {
    this.log(`  ${scenario}/${name}: ${description}`)
    const startedAt = Date.now()
    const http = await runHttpLoad({ ...load, url: svc.url, label: `${scenario}/${name}` })
    const endedAt = Date.now()
    const gateway = target === 'service' ? await gatewayStats(svc.url) : null
    return this.record({ scenario, name, description, target, startedAt, endedAt, env: svc.env, http, consumers: null, monitor: svc.monitor.between(startedAt, endedAt), gateway, notes: [] })
  }

  record (phase: PhaseResult): PhaseResult {
    this.phases.push(phase)
    const h = phase.http
    const c = phase.consumers
    const parts = [`  → ${phase.scenario}/${phase.name}:`]
    if (h !== null) parts.push(`${h.okThroughput} ok/s`, `p50 ${h.latency.p50} p99 ${h.latency.p99} max ${h.latency.max} ms`, `errors ${h.errorCount}`, `dropped ${h.dropped}`)
    if (c !== null) parts.push(`| ${c.messagesPerSecond} msg/s to ${c.connected} consumers, gaps ${c.seqGaps}, accept→receipt p99 ${c.acceptToReceipt.p99} ms`)
    this.log(parts.join(' '))
    return phase
  }

  consumersPhase (
    scenario: string, name: string, description: string, svc: Pick<Service, 'env' | 'monitor'>,
    window: { startedAt: number, endedAt: number }, consumers: ConsumerResult, extra: Partial<PhaseResult> = {}
  ): PhaseResult {
    return this.record({
      scenario,
      name,
      description,
      target: 'bare-ws',
      env: svc.env,
      http: null,
      consumers,
      monitor: svc.monitor.between(window.startedAt, window.endedAt),
      gateway: null,
      notes: [],
      ...window,
      ...extra
    })
  }

  async cooldown (seconds: number): Promise<void> {
    if (seconds > 0) await delay(seconds * 1000)
  }
}

export async function gatewayStats (url: string): Promise<Record<string, number> | null> {
  try {
    const res = await request(`${url}/statistics`, { headersTimeout: 3000, bodyTimeout: 3000 })
    const body = await res.body.json() as { gateway?: Record<string, number> }
    return body.gateway ?? null
  } catch {
    return null
  }
}
