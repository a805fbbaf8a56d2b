/**
 * The Node load-test harness (the k6 scenarios, runnable without k6):
 *
 *   node dist/load/harness/run.js [--scenario smoke|orders|suite|marketdata|overload|journal|auth|lifecycle|all] [--auth required|off]
 *        [--url http://127.0.0.1:3000] [--scale 0.1] [--consumers 1000] [--rate 1000]
 *        [--md-rate 500] [--interval raw[,100ms,1000ms]] [--depth 10|50|...|full]
 *        [--overload-consumers 2000] [--overload-rate 3000] [--overload-seconds 20]
 *        [--connections 16] [--seconds 15] [--sat-seconds 10]
 *        [--md-seconds 20] [--journal-seconds 8] [--consumer-procs 1] [--journal]
 *        [--md-batch-ms N] [--sat-batch-ms 0] [--symbol BTC-USDT] [--cpu-prof] [--out load/results]
 *        [--wrk-threads 1] [--wrk-connections 128] [--wrk-seconds 5] [--rounds 3]
 *        [--ws-connections 8] [--ws-window 64] [--ws-threads 1] [--ws-seconds 10] [--ws-rate 20000] [--ws-open-seconds 10]
 *
 * --scenario wrk (not part of all: it needs Debian's wrk) and ws-orders are issue 14's order entry: REST
 * measured by wrk against the bare route (wrk-scenario.ts), and WebSocket order entry (ws-orders.ts).
 *
 * Starts the service itself (dist/src/server.js, RATE_LIMIT_ENABLED=false,
 * JOURNAL_ENABLED=false, LOG_LEVEL=warn, PORT=0) unless --url names one on
 * this machine (anything but localhost is refused). --auth required (the
 * default, as the service's own) starts it with AUTH=required, its secrets in
 * a scratch directory, and signs every order with one key per connection
 * (accounts and keys made through the admin API; with --url, ADMIN_TOKEN or
 * ADMIN_TOKEN_FILE must hold that server's admin token); --auth off starts it
 * with AUTH=off and sends unsigned orders. --scenario auth runs both. Writes
 * <out>/<timestamp>-<scenario>.json and .html and prints a summary; exits 1
 * when a pass/fail rule of checks.ts failed (as k6 does on a failed threshold).
 * runHarness() is the same run as a function (the smoke test calls it).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { renderHtml } from '../report/html.js'
import { Context, SCENARIOS, type HarnessOptions, type ScenarioName } from './context.js'
import { hostBusyPct } from './monitor.js'
import { killAll, localUrl, PACKAGE_ROOT } from './procs.js'
import { authScenario, journalScenario, lifecycleScenario, marketDataScenario, ordersScenario, overloadScenario, smokeScenario, suiteScenario } from './scenarios.js'
import { INTERVALS } from './l2-subscription.js'
import { AUTH_MODES, type AuthMode } from './auth.js'
import { evaluateChecks } from './checks.js'
import { evaluateTargets, textSummary } from './summary.js'
import { marketDataFigures } from './md-figures.js'
import type { RunResult } from './types.js'
import { wrkScenario } from './wrk-scenario.js'
import { wsOrdersScenario } from './ws-orders-scenario.js'

export type { HarnessOptions } from './context.js'

export const DEFAULT_OPTIONS: Omit<HarnessOptions, 'log'> = {
  scenario: 'smoke',
  url: null,
  scale: 0.1,
  seconds: { warmup: 3, fixed: 15, saturation: 10, marketdata: 20, mdSaturation: 10, overload: 20, journal: 8 },
  fixedRate: 1000,
  mdRate: 500,
  connections: 16,
  consumers: 1000,
  consumerProcs: 1,
  intervals: ['raw'],
  depth: 10,
  overloadConsumers: 2000,
  overloadRate: 3000,
  symbol: 'BTC-USDT',
  mdBatchMs: null,
  mdSaturationBatchMs: '0',
  journal: false,
  auth: 'required',
  cpuProf: false,
  wrk: { threads: 1, connections: 128, seconds: 5, rounds: 3 },
  wsOrders: { connections: 8, window: 64, threads: 1, saturationSeconds: 10, rate: 20_000, openSeconds: 10 },
  outDir: resolve(PACKAGE_ROOT, 'load/results')
}

const RUNNERS: Record<Exclude<ScenarioName, 'all'>, (ctx: Context) => Promise<void>> = {
  smoke: smokeScenario,
  orders: ordersScenario,
  suite: suiteScenario,
  marketdata: marketDataScenario,
  overload: overloadScenario,
  journal: journalScenario,
  auth: authScenario,
  lifecycle: lifecycleScenario,
  wrk: wrkScenario,
  'ws-orders': wsOrdersScenario
}

/** Runs the scenario(s), writes the JSON and HTML, returns the result. */
export async function runHarness (partial: Partial<HarnessOptions> = {}): Promise<RunResult> {
  const options: HarnessOptions = { ...DEFAULT_OPTIONS, log: (line) => process.stdout.write(line + '\n'), ...partial }
  if (options.url !== null) options.log(`target: ${localUrl(options.url)} (given by --url)`)
  mkdirSync(options.outDir, { recursive: true })
  const ctx = new Context({ ...options, url: options.url === null ? null : localUrl(options.url) })
  const hostBusyBeforePct = await hostBusyPct(1000)
  if (hostBusyBeforePct !== null && hostBusyBeforePct > 20) options.log(`warning: the machine is ${hostBusyBeforePct}% busy before the run (other processes): figures will be pessimistic`)
  const started = new Date()
  // 'all' runs the overload phase inside marketdata.
  const list = options.scenario === 'all' ? (['orders', 'suite', 'marketdata', 'journal', 'auth', 'lifecycle'] as const) : [options.scenario]
  try {
    for (const name of list) {
      options.log(`scenario ${name}`)
      await RUNNERS[name](ctx)
    }
  } finally {
    killAll()
  }
  const stamp = started.toISOString().replace(/[:.]/g, '-')
  const base = join(options.outDir, `${stamp}-${options.scenario}`)
  const files = { json: `${base}.json`, html: `${base}.html` }
  const { log: _log, ...recorded } = options
  const checks = evaluateChecks(ctx.phases)
  const result: RunResult = {
    meta: {
      scenario: options.scenario,
      startedAt: started.toISOString(),
      durationS: Math.round((Date.now() - started.getTime()) / 100) / 10,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemMb: Math.round(totalmem() / 1048576),
      hostBusyBeforePct,
      url: options.url,
      argv: process.argv.slice(1).map((a) => a.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, a) : a),
      options: recorded
    },
    phases: ctx.phases,
    checks,
    passed: checks.length > 0 && checks.every((c) => c.ok),
    targets: evaluateTargets(ctx.phases, options.fixedRate, options.mdRate),
    marketData: marketDataFigures(ctx.phases),
    profiles: ctx.profiles,
    files: { json: shortPath(files.json), html: shortPath(files.html) }
  }
  writeFileSync(files.json, JSON.stringify(result, null, 2) + '\n')
  writeFileSync(files.html, renderHtml(result))
  return result
}

/** Relative to the package root when inside it. */
const shortPath = (file: string): string => file.startsWith(PACKAGE_ROOT + '/') ? relative(PACKAGE_ROOT, file) : file

function positive (name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const v = Number(text)
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number, got ${text}`)
  return v
}

/** A positive whole number (wrk and the ws generator take counts and whole seconds). */
function int (name: string, text: string | undefined, fallback: number): number {
  const v = positive(name, text, fallback)
  if (!Number.isInteger(v)) throw new Error(`--${name} must be a whole number, got ${text ?? ''}`)
  return v
}

export function parseCli (argv: string[]): Partial<HarnessOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      url: { type: 'string' },
      scale: { type: 'string' },
      consumers: { type: 'string' },
      'consumer-procs': { type: 'string' },
      rate: { type: 'string' },
      'md-rate': { type: 'string' },
      interval: { type: 'string' },
      depth: { type: 'string' },
      'overload-consumers': { type: 'string' },
      'overload-rate': { type: 'string' },
      'overload-seconds': { type: 'string' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      'sat-seconds': { type: 'string' },
      'md-seconds': { type: 'string' },
      'journal-seconds': { type: 'string' },
      'sat-batch-ms': { type: 'string' },
      'md-batch-ms': { type: 'string' },
      symbol: { type: 'string' },
      journal: { type: 'boolean' },
      auth: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'wrk-threads': { type: 'string' },
      'wrk-connections': { type: 'string' },
      'wrk-seconds': { type: 'string' },
      rounds: { type: 'string' },
      'ws-connections': { type: 'string' },
      'ws-window': { type: 'string' },
      'ws-threads': { type: 'string' },
      'ws-seconds': { type: 'string' },
      'ws-rate': { type: 'string' },
      'ws-open-seconds': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write('usage: node dist/load/harness/run.js [--scenario ' + SCENARIOS.join('|') + '] [--auth ' + AUTH_MODES.join('|') + '] [--url http://127.0.0.1:PORT] [--scale N] ... (see the header of load/harness/run.ts)\n')
    process.exit(0)
  }
  const scenario = (values.scenario ?? 'all') as ScenarioName
  if (!SCENARIOS.includes(scenario)) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}`)
  const d = DEFAULT_OPTIONS.seconds
  const seconds = {
    warmup: d.warmup,
    fixed: positive('seconds', values.seconds, d.fixed),
    saturation: positive('sat-seconds', values['sat-seconds'], d.saturation),
    marketdata: positive('md-seconds', values['md-seconds'], d.marketdata),
    mdSaturation: positive('sat-seconds', values['sat-seconds'], d.mdSaturation),
    overload: positive('overload-seconds', values['overload-seconds'], d.overload),
    journal: positive('journal-seconds', values['journal-seconds'], d.journal)
  }
  const batch = values['sat-batch-ms'] ?? DEFAULT_OPTIONS.mdSaturationBatchMs
  const mdBatch = values['md-batch-ms'] ?? null
  const auth = (values.auth ?? DEFAULT_OPTIONS.auth) as AuthMode
  if (!AUTH_MODES.includes(auth)) throw new Error(`--auth must be one of ${AUTH_MODES.join(', ')}`)
  const intervals = values.interval === undefined ? DEFAULT_OPTIONS.intervals : values.interval.split(',').map((i) => i.trim())
  const badInterval = intervals.find((i) => !(INTERVALS as readonly string[]).includes(i))
  if (intervals.length === 0 || badInterval !== undefined) throw new Error(`--interval must be a comma-separated list of ${INTERVALS.join(', ')}`)
  const depth = values.depth === undefined ? DEFAULT_OPTIONS.depth : values.depth === 'full' ? 'full' : Math.round(positive('depth', values.depth, 10))
  const overloadConsumers = values['overload-consumers'] === '0' ? 0 : Math.round(positive('overload-consumers', values['overload-consumers'], DEFAULT_OPTIONS.overloadConsumers))
  if (!/^\d+$/.test(batch) || (mdBatch !== null && !/^\d+$/.test(mdBatch))) throw new Error('--sat-batch-ms and --md-batch-ms must be integers (ms)')
  return {
    scenario,
    url: values.url === undefined ? null : localUrl(values.url),
    scale: positive('scale', values.scale, DEFAULT_OPTIONS.scale),
    consumers: Math.round(positive('consumers', values.consumers, DEFAULT_OPTIONS.consumers)),
    consumerProcs: Math.round(positive('consumer-procs', values['consumer-procs'], DEFAULT_OPTIONS.consumerProcs)),
    fixedRate: positive('rate', values.rate, DEFAULT_OPTIONS.fixedRate),
    mdRate: positive('md-rate', values['md-rate'], DEFAULT_OPTIONS.mdRate),
    intervals,
    depth,
    overloadConsumers,
    overloadRate: positive('overload-rate', values['overload-rate'], DEFAULT_OPTIONS.overloadRate),
    connections: Math.round(positive('connections', values.connections, DEFAULT_OPTIONS.connections)),
    seconds,
    mdBatchMs: mdBatch,
    mdSaturationBatchMs: batch,
    symbol: values.symbol ?? DEFAULT_OPTIONS.symbol,
    journal: values.journal === true,
    auth,
    cpuProf: values['cpu-prof'] === true,
    wrk: {
      threads: int('wrk-threads', values['wrk-threads'], DEFAULT_OPTIONS.wrk.threads),
      connections: int('wrk-connections', values['wrk-connections'], DEFAULT_OPTIONS.wrk.connections),
      seconds: int('wrk-seconds', values['wrk-seconds'], DEFAULT_OPTIONS.wrk.seconds),
      rounds: int('rounds', values.rounds, DEFAULT_OPTIONS.wrk.rounds)
    },
    wsOrders: {
      connections: int('ws-connections', values['ws-connections'], DEFAULT_OPTIONS.wsOrders.connections),
      window: int('ws-window', values['ws-window'], DEFAULT_OPTIONS.wsOrders.window),
      threads: int('ws-threads', values['ws-threads'], DEFAULT_OPTIONS.wsOrders.threads),
      saturationSeconds: positive('ws-seconds', values['ws-seconds'], DEFAULT_OPTIONS.wsOrders.saturationSeconds),
      rate: positive('ws-rate', values['ws-rate'], DEFAULT_OPTIONS.wsOrders.rate),
      openSeconds: positive('ws-open-seconds', values['ws-open-seconds'], DEFAULT_OPTIONS.wsOrders.openSeconds)
    },
    outDir: values.out === undefined ? DEFAULT_OPTIONS.outDir : resolve(values.out)
  }
}

async function main (): Promise<void> {
  let options: Partial<HarnessOptions>
  try {
    options = parseCli(process.argv.slice(2))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.exit(2)
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll()
      process.exit(130)
    })
  }
  const result = await runHarness(options)
  process.stdout.write('\n' + textSummary(result) + '\n')
  // As k6 with failed thresholds: the run is a failure when a phase measured nothing or fell short.
  if (!result.passed) process.exitCode = 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    killAll()
    process.stderr.write(`harness failed: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  })
}
