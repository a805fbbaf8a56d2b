/**
 * What every scenario shares: the options, the servers it starts (each with
 * its monitor, and a CPU profile when asked), and the list of phase results.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { adminTokenFromEnv, authSetup, provisionKeys, Signer, unverifiedSigner, type AuthMode } from './auth.js'
import { runHttpLoad, type HttpLoadOptions } from './http-load.js'
import { Monitor } from './monitor.js'
import { delay, startService } from './procs.js'
import { newestProfile, summarizeProfile } from './profile.js'
import type { ConsumerResult, PhaseResult, ProfileSummary } from './types.js'
import type { WrkSettings } from './wrk-scenario.js'
import type { WsOrdersSettings } from './ws-orders.js'

export const SCENARIOS = ['smoke', 'orders', 'suite', 'marketdata', 'overload', 'journal', 'auth', 'lifecycle', 'wrk', 'ws-orders', 'all'] as const
export type ScenarioName = typeof SCENARIOS[number]

export interface HarnessOptions {
  readonly scenario: ScenarioName
  /** An already running server (localhost only); null: the harness starts its own. */
  readonly url: string | null
  /** Multiplies the seed suite's durations (1 = the seed's 13.5 minutes). */
  readonly scale: number
  /** Seconds of each order-entry phase. */
  readonly seconds: { warmup: number, fixed: number, saturation: number, marketdata: number, mdSaturation: number, overload: number, journal: number }
  readonly fixedRate: number
  readonly mdRate: number
  /** Closed-loop connections in saturation phases. */
  readonly connections: number
  readonly consumers: number
  readonly consumerProcs: number
  /** l2_updates intervals of the market-data consumers, spread round-robin over them (issue 13). */
  readonly intervals: readonly string[]
  /** l2_updates depth of the market-data consumers. */
  readonly depth: number | 'full'
  /** The overload phase: consumers and orders/s past what the machine delivers (0 consumers: skipped). */
  readonly overloadConsumers: number
  readonly overloadRate: number
  readonly symbol: string
  /** WS_BATCH_MS of the server in the market-data phase at mdRate; null: the service's default (25 ms). */
  readonly mdBatchMs: string | null
  /** WS_BATCH_MS of the server in the market-data saturation phase ('0': once per event-loop turn). */
  readonly mdSaturationBatchMs: string
  /** Run the service with the journal on (JOURNAL_ENABLED=true, fsync batch) in the non-journal scenarios. */
  readonly journal: boolean
  /**
   * required: the service runs with AUTH=required and every order is signed, with one key (and account)
   * per connection, made through the admin API; off: AUTH=off, unsigned, every order the anonymous account's.
   * The auth scenario runs both whatever this says.
   */
  readonly auth: AuthMode
  readonly cpuProf: boolean
  /** --scenario wrk: wrk's threads, connections and seconds per run, and rounds of every variant. */
  readonly wrk: WrkSettings
  /** --scenario ws-orders: connections, window, threads, phase lengths and the open-model rate. */
  readonly wsOrders: WsOrdersSettings
  readonly outDir: string
  readonly log: (line: string) => void
}

export interface Service {
  readonly url: string
  readonly pid: number | null
  readonly env: Record<string, string>
  readonly monitor: Monitor
  /** Signs the orders sent to it (AUTH=required); null: unsigned (AUTH=off). */
  readonly signer: Signer | null
}

/** Keys per service: one per connection of the widest phase (the suite's spike pool has 64). */
const MIN_KEYS = 64

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

  /** Keys per service: one per connection of the widest phase. */
  keyCount (): number {
    return Math.max(MIN_KEYS, this.options.connections)
  }

  /** For a baseline loaded as the service is: the same signature headers (nobody verifies them), or none. */
  baselineSigner (auth: AuthMode = this.options.auth): Signer | null {
    return auth === 'required' ? unverifiedSigner(this.keyCount()) : null
  }

  /** Accounts and keys for this run's orders, made through the admin API of the service at url. */
  private async signerFor (url: string, adminToken: string, label: string): Promise<Signer> {
    const started = Date.now()
    const prefix = `load-${label}-${started.toString(36)}`.slice(0, 56)
    const keys = await provisionKeys(url, adminToken, this.keyCount(), prefix)
    this.log(`  ${keys.length} accounts ${prefix}-1…${keys.length}, one read+trade key each, in ${Date.now() - started} ms`)
    return new Signer(keys)
  }

  /**
   * Runs fn against a fresh service (or the --url one), monitored; stops it afterwards. `auth` (default
   * --auth) decides AUTH=required with signed orders or AUTH=off.
   */
  async withService<T> (label: string, env: Record<string, string>, fn: (svc: Service) => Promise<T>, auth: AuthMode = this.options.auth): Promise<T> {
    const { url, journal } = this.options
    if (url !== null) {
      if (Object.keys(env).length > 0) this.log(`  (--url given: ${label} runs without its server settings ${JSON.stringify(env)})`)
      const signer = auth === 'required' ? await this.signerFor(url, adminTokenFromEnv(), label) : null
      const monitor = new Monitor({ pid: null, metricsUrl: url })
      await monitor.start()
      try {
        return await fn({ url, pid: null, env: {}, monitor, signer })
      } finally {
        await monitor.stop()
      }
    }
    const secrets = auth === 'required' ? authSetup() : null
    const fullEnv: Record<string, string> = {
      ...(journal ? { JOURNAL_ENABLED: 'true', JOURNAL_FSYNC: 'batch' } : {}),
      ...(secrets === null ? { AUTH: 'off' } : secrets.env),
      ...env
    }
    // A journal gets a scratch directory, removed with the server.
    const dataDir = fullEnv.JOURNAL_ENABLED === 'true' && fullEnv.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'harness-journal-')) : null
    if (dataDir !== null) fullEnv.DATA_DIR = dataDir
    const profDir = this.profileDir(label)
    let server: Awaited<ReturnType<typeof startService>>
    try {
      server = await startService({ env: fullEnv, cpuProfDir: profDir })
    } catch (error) {
      secrets?.cleanup()
      throw error
    }
    this.log(`  server ${label} pid ${server.pid} at ${server.url} ${JSON.stringify(fullEnv)}`)
    const monitor = new Monitor({ pid: server.pid, metricsUrl: server.url })
    const firstPhase = this.phases.length
    try {
      const signer = secrets === null ? null : await this.signerFor(server.url, secrets.adminToken, label)
      await monitor.start()
      return await fn({ url: server.url, pid: server.pid, env: server.env, monitor, signer })
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
      secrets?.cleanup()
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
    scenario: string, name: string, description: string, svc: Pick<Service, 'url' | 'env' | 'monitor' | 'signer'>,
    load: Omit<HttpLoadOptions, 'url' | 'label' | 'signer'>, target: PhaseResult['target'] = 'service'
  ): Promise<PhaseResult> {
    this.log(`  ${scenario}/${name}: ${description}${svc.signer === null ? '' : ', signed'}`)
    const startedAt = Date.now()
    const http = await runHttpLoad({ ...load, url: svc.url, label: `${scenario}/${name}`, signer: svc.signer })
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
    const w = phase.wrk
    if (w != null) parts.push(`${w.okRps} ok req/s`, `p50 ${w.latency.p50} p99 ${w.latency.p99} max ${w.latency.max} ms`, `non-2xx ${w.non2xx}`, `socket errors ${JSON.stringify(w.socketErrors)}`)
    const o = phase.wsOrders
    if (o != null) parts.push(`${o.okPerSecond} ok/s (sent ${o.sentPerSecond}/s)`, `p50 ${o.latency.p50} p99 ${o.latency.p99} max ${o.latency.max} ms`, `errors ${JSON.stringify(o.errors)}`, `expected ${JSON.stringify(o.expected)}`, `dup ${o.duplicates} out-of-order ${o.outOfOrder} unanswered ${o.unanswered}`, `generator busy ${o.generatorElu.join('/')}`)
    if (c !== null) parts.push(`| ${c.messagesPerSecond} msg/s to ${c.connected} consumers, gaps ${c.seqGaps}, checksum mismatches ${c.serverSendsChecksum ? c.checksumMismatches : 'n/a'}, l2 accept→receipt p99 ${c.l2ToReceipt.p99} ms, trades ${c.acceptToReceipt.p99} ms`)
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

export async function gatewayStats (url: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await request(`${url}/statistics`, { headersTimeout: 3000, bodyTimeout: 3000 })
    const body = await res.body.json() as { gateway?: Record<string, unknown> }
    return body.gateway ?? null
  } catch {
    return null
  }
}
