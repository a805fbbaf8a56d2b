/**
 * --scenario wrk: REST order entry measured by wrk (load/wrk/*.lua) against the bare Fastify route in the
 * same run: bare, full (the default answer), ack (response_type ack) and signed-full (AUTH=required, the
 * requests pre-signed by Node), alternating (each round reverses the order, so a slow drift of the machine
 * cancels) and best of N rounds. The services run with the journal on (JOURNAL_FSYNC=batch) in scratch
 * directories and limits raised so nothing throttles the load; every answer must be 2xx.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startBareFastify } from './baselines.js'
import { gatewayStats, type Context, type Service } from './context.js'
import { Monitor } from './monitor.js'
import type { PhaseResult, TargetResult } from './types.js'
import { runWrk, writeSignedRequests, wrkBinary, type WrkRun } from './wrk.js'

export const WRK_VARIANTS = ['bare', 'full', 'ack', 'signed-full'] as const
export type WrkVariant = typeof WRK_VARIANTS[number]

/** Settings of both services: journal on (batch), no limit that a benchmark would hit. */
export const WRK_SERVICE_ENV: Readonly<Record<string, string>> = {
  JOURNAL_ENABLED: 'true',
  JOURNAL_FSYNC: 'batch',
  RATE_LIMIT_ENABLED: 'false',
  AUTH_KEY_ORDERS_PER_SECOND: '1000000',
  MAX_OPEN_ORDERS_PER_ACCOUNT: '100000000',
  // Pre-signed requests are sent up to a run's length after signing, and each signature is remembered.
  AUTH_RECV_WINDOW_MS: '600000',
  AUTH_REPLAY_CACHE_MAX: '20000000'
}

export interface WrkSettings {
  readonly threads: number
  readonly connections: number
  readonly seconds: number
  readonly rounds: number
}

export interface WrkBest {
  readonly variant: WrkVariant
  readonly okRps: number
  readonly p99: number
  readonly rounds: number[]
}

const phaseName = (variant: WrkVariant, round: number): string => `${variant}-r${round}`

/** Best (highest 2xx req/s) round of each variant found in phases, with every round's figure. */
export function wrkBest (phases: readonly PhaseResult[]): Partial<Record<WrkVariant, WrkBest>> {
  const out: Partial<Record<WrkVariant, WrkBest>> = {}
  for (const variant of WRK_VARIANTS) {
    const runs = phases.filter((p) => p.scenario === 'wrk' && p.wrk != null && p.name.startsWith(`${variant}-r`)).map((p) => p.wrk as WrkRun)
    if (runs.length === 0) continue
    const best = runs.reduce((a, b) => b.okRps > a.okRps ? b : a)
    out[variant] = { variant, okRps: best.okRps, p99: best.latency.p99, rounds: runs.map((r) => r.okRps) }
  }
  return out
}

const pct = (r: number): string => `${(100 * r).toFixed(1)}%`

/** The issue's REST targets from a wrk run (none when the run had no wrk phases). */
export function wrkTargets (phases: readonly PhaseResult[]): TargetResult[] {
  const best = wrkBest(phases)
  const out: TargetResult[] = []
  const ratio = (id: string, description: string, a: WrkBest | undefined, b: WrkBest | undefined, min: number): void => {
    if (a === undefined || b === undefined) return
    const r = b.okRps > 0 ? a.okRps / b.okRps : 0
    out.push({ id, description, target: `≥ ${min * 100}%`, measured: `${pct(r)} (${a.okRps} vs ${b.okRps} req/s, best of ${a.rounds.length})`, met: r >= min, detail: `p99 ${a.p99} ms vs ${b.p99} ms` })
  }
  ratio('wrk-full-vs-bare', 'REST full order entry vs the bare route (wrk, saturation)', best.full, best.bare, 0.7)
  ratio('wrk-ack-vs-bare', 'REST ack order entry vs the bare route (wrk, saturation)', best.ack, best.bare, 0.85)
  ratio('wrk-signed-vs-unsigned', 'Signed REST (AUTH=required) vs unsigned, full answers (wrk)', best['signed-full'], best.full, 0.9)
  return out
}

/** Requests to pre-sign for one signed run: 1.5 × the best unsigned rate seen so far, or a floor. */
export function signedRequestCount (bestUnsignedRps: number, seconds: number): number {
  return Math.ceil(Math.max(bestUnsignedRps, 5000) * seconds * 1.5) + 2000
}

export async function wrkScenario (ctx: Context): Promise<void> {
  if (ctx.options.url !== null) {
    ctx.log('  wrk: skipped, --url given (the harness must start the service unsigned and signed, and the bare route)')
    return
  }
  const bin = wrkBinary()
  const settings = ctx.options.wrk
  const { threads, connections, seconds, rounds } = settings
  const scratch = mkdtempSync(join(tmpdir(), 'harness-wrk-'))
  try {
    await ctx.withService('wrk-unsigned', WRK_SERVICE_ENV, async (unsigned) => {
      await ctx.withService('wrk-signed', WRK_SERVICE_ENV, async (signed) => {
        const bareProfDir = ctx.profileDir('wrk-bare-fastify')
        const bare = await startBareFastify(bareProfDir)
        const bareMonitor = new Monitor({ pid: bare.pid, metricsUrl: null })
        await bareMonitor.start()
        const bareSvc: Service = { url: bare.url, pid: bare.pid, env: {}, monitor: bareMonitor, signer: null }
        try {
          ctx.log(`  wrk ${threads} threads, ${connections} connections, ${seconds} s per run, ${rounds} rounds of ${WRK_VARIANTS.join(', ')}`)
          // A short warm-up of each target (JIT, journal file, books), not recorded.
          for (const svc of [bareSvc, unsigned]) await runWrk({ url: svc.url, script: 'order.lua', threads, connections, seconds: 1, bin })
          let bestFull = 0
          for (let round = 1; round <= rounds; round++) {
            const order = round % 2 === 1 ? WRK_VARIANTS : [...WRK_VARIANTS].reverse()
            for (const variant of order) {
              const svc = variant === 'bare' ? bareSvc : variant === 'signed-full' ? signed : unsigned
              const env: Record<string, string> = {}
              let script = 'order.lua'
              if (variant === 'ack') env.RESPONSE_TYPE = 'ack'
              if (variant === 'signed-full') {
                if (svc.signer === null) throw new Error('the signed service has no keys')
                const file = join(scratch, `signed-${round}.tsv`)
                writeSignedRequests(file, svc.signer.keys, signedRequestCount(bestFull, seconds))
                env.REQUESTS_FILE = file
                script = 'signed-order.lua'
              }
              const startedAt = Date.now()
              const run = await runWrk({ url: svc.url, script, threads, connections, seconds, env, bin })
              const endedAt = Date.now()
              if (variant === 'full') bestFull = Math.max(bestFull, run.okRps)
              if (env.REQUESTS_FILE !== undefined) rmSync(env.REQUESTS_FILE, { force: true })
              const notes = run.exhausted > 0 ? [`ran out of pre-signed requests: ${run.exhausted} sent again (refused as replays)`] : []
              ctx.record({
                scenario: 'wrk',
                name: phaseName(variant, round),
                description: `${variant === 'bare' ? 'bare Fastify route' : variant}: wrk -t${threads} -c${connections} -d${seconds}s -s load/wrk/${script}${env.RESPONSE_TYPE === undefined ? '' : ` RESPONSE_TYPE=${env.RESPONSE_TYPE}`}`,
                target: variant === 'bare' ? 'bare-fastify' : 'service',
                startedAt,
                endedAt,
                env: svc.env,
                http: null,
                consumers: null,
                wrk: run,
                monitor: svc.monitor.between(startedAt, endedAt),
                gateway: variant === 'bare' ? null : await gatewayStats(svc.url),
                notes
              })
            }
          }
        } finally {
          await bareMonitor.stop()
          await bare.stop()
          await ctx.collectProfile(bareProfDir, 'wrk-bare-fastify')
        }
      }, 'required')
    }, 'off')
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
  for (const t of wrkTargets(ctx.phases)) ctx.log(`  → ${t.description}: ${t.measured} (target ${t.target}); ${t.detail}`)
}
