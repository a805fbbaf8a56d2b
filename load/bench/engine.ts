/**
 * In-process benchmark of the matching engine (no HTTP, no journal).
 *
 *   npm run bench:engine                      # 1,000,000 commands
 *   BENCH_ORDERS=200000 npm run bench:engine  # quick check
 *
 * Environment: BENCH_ORDERS (commands, default 1,000,000), BENCH_SEED
 * (default 42), BENCH_WARMUP (warm-up commands per run, default 100,000),
 * BENCH_SAMPLE_EVERY (time every k-th call in the latency pass, default 1),
 * BENCH_HISTORY_LIMIT (historyLimit of the benchmarked engines; default: the
 * engine's own default, DEFAULT_HISTORY_LIMIT, which the server uses too),
 * BENCH_RUNS (comma list of engine, listener, submit, baseline; default all).
 *
 * One seeded flow (load/bench/flow.ts) is generated before any timing and
 * replayed by every run: the engine through place/cancel, the engine with a
 * listener, the engine through submit with decimal strings, and a
 * bignumber.js book (load/bench/bignumber-book.ts) as the baseline. Each run
 * gets a warm-up on its own throwaway instance, then a throughput pass and a
 * latency pass, each on a fresh instance. All runs must agree on the trades,
 * the traded quantity and the final open orders, or the process exits 1.
 */
import { DEFAULT_HISTORY_LIMIT } from '../../src/engine/index.js'
import { runs, type RunTotals } from './runners.js'
import { generateFlow } from './flow.js'
import { commandLine, machine, table, writeJson, type RunResult } from './report.js'
import { runRange, summarise, timeLatency, timeThroughput, timerOverheadNs } from './stats.js'

function envInt (name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw.replace(/_/g, ''))
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`)
  return value
}

const gc = (globalThis as { gc?: () => void }).gc
const collect = (): void => { if (gc !== undefined) gc() }

function main (): number {
  const size = envInt('BENCH_ORDERS', 1_000_000, 1)
  const seed = envInt('BENCH_SEED', 42, 0)
  const warmup = Math.min(size, envInt('BENCH_WARMUP', 100_000, 0))
  const every = envInt('BENCH_SAMPLE_EVERY', 1, 1)
  const historyLimit = envInt('BENCH_HISTORY_LIMIT', DEFAULT_HISTORY_LIMIT, 1)
  const all = runs({ historyLimit })
  const wanted = (process.env.BENCH_RUNS ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '')
  const unknown = wanted.filter((k) => !all.some((r) => r.key === k))
  if (unknown.length > 0) throw new Error(`BENCH_RUNS: unknown run ${unknown.join(', ')}; known: ${all.map((r) => r.key).join(', ')}`)
  const selected = wanted.length === 0 ? all : all.filter((r) => wanted.includes(r.key))
  const host = machine()

  console.log('matching engine in-process benchmark')
  console.log(`machine: ${host.cpu}, ${host.cores} cores, node ${host.node} (v8 ${host.v8}), ${host.platform}, ${host.totalMemoryGiB} GiB`)
  console.log(`command: ${commandLine()}`)

  const genStart = process.hrtime.bigint()
  const flow = generateFlow({ size, seed })
  const genSeconds = Number(process.hrtime.bigint() - genStart) / 1e9
  const m = flow.mix
  const pct = (x: number): string => (100 * x / size).toFixed(1) + '%'
  console.log(`flow: ${size.toLocaleString('en-US')} commands, seed ${seed}, BTC-USDT (tick 0.01, lot 1e-8), generated in ${genSeconds.toFixed(2)} s (untimed)`)
  console.log(`  mix: limit ${pct(m.limit as number)} (crossing ${pct(m.crossingLimit as number)}), market ${pct(m.market as number)}, ` +
    `ioc ${pct(m.ioc as number)}, fok ${pct(m.fok as number)}, cancel ${pct(m.cancel as number)}`)
  console.log(`  resting orders: mean ${flow.liveMean}, max ${flow.liveMax}, at end ${flow.liveAtEnd}; ` +
    `mid ${(flow.midMin / 100).toFixed(2)} .. ${(flow.midMax / 100).toFixed(2)}`)
  const overhead = timerOverheadNs()
  console.log(`timing: throughput pass with no per-call timer; latency pass times ${every === 1 ? 'every call' : `every ${every}th call`} ` +
    `with process.hrtime.bigint() (empty timer pair ≈ ${overhead} ns, included); warm-up ${warmup.toLocaleString('en-US')} commands per run on a separate instance`)
  console.log(`engine options: defaults (BTC-USDT of DEFAULT_SYMBOLS, Date.now clock), historyLimit ${historyLimit.toLocaleString('en-US')}` +
    (historyLimit === DEFAULT_HISTORY_LIMIT ? ' (the default)' : ` (default ${DEFAULT_HISTORY_LIMIT.toLocaleString('en-US')})`))
  console.log('')

  const results: RunResult[] = []
  const keys: string[] = []
  for (const run of selected) {
    collect()
    const prepStart = process.hrtime.bigint()
    const create = run.prepare(flow)
    const prepareSeconds = Number(process.hrtime.bigint() - prepStart) / 1e9

    runRange(create().step, 0, warmup)
    collect()
    const timed = create()
    const seconds = timeThroughput(timed.step, size)
    const totals = timed.totals()
    collect()
    const sampled = create()
    const latency = summarise(timeLatency(sampled.step, size, every), every)
    const again = sampled.totals()
    if (!sameTotals(totals, again)) {
      console.error(`${run.name}: the latency pass disagrees with the throughput pass`, totals, again)
      return 1
    }
    const result: RunResult = {
      name: run.name,
      description: run.description,
      commands: size,
      seconds,
      ordersPerSecond: size / seconds,
      latency,
      totals,
      prepareSeconds,
      warmupCommands: warmup
    }
    results.push(result)
    keys.push(run.key)
    console.log(`${run.name}: ${Math.round(result.ordersPerSecond).toLocaleString('en-US')} orders/s, p50 ${latency.p50Us} µs, ` +
      `p99.9 ${latency.p999Us} µs, ${totals.trades.toLocaleString('en-US')} trades`)
  }

  const [first] = results
  if (first === undefined) throw new Error('no runs')
  const engine = results[keys.indexOf('engine')]
  const baseline = results[keys.indexOf('baseline')]
  const problems: string[] = []
  for (const r of results) {
    if (!sameTotals(r.totals, first.totals)) problems.push(`${r.name}: ${describe(r.totals)} vs ${first.name} ${describe(first.totals)}`)
    if (r.totals.rejected !== 0) problems.push(`${r.name}: ${r.totals.rejected} commands rejected`)
  }
  const ratio = engine !== undefined && baseline !== undefined ? engine.ordersPerSecond / baseline.ordersPerSecond : null

  console.log('')
  console.log(table(results))
  console.log('')
  console.log('orders/s counts every command (new orders and cancels); latencies in microseconds per command.')
  if (ratio !== null && engine !== undefined && baseline !== undefined) {
    console.log(`ratio engine / bignumber.js baseline: ${ratio.toFixed(2)}x orders/s; latency ${latencyRatio(baseline, engine)}`)
  } else {
    console.log('ratio engine / bignumber.js baseline: n/a (BENCH_RUNS left one of them out)')
  }
  console.log(`totals: ${describe(first.totals)}`)
  if (problems.length > 0) {
    console.log('consistency: FAILED')
  } else if (baseline === undefined || results.length < 2) {
    console.log('consistency: not checked against the baseline (BENCH_RUNS left it out)')
  } else {
    console.log('consistency: ok (all runs: same trades, traded quantity and open orders; no rejected command)')
  }
  for (const p of problems) console.log('  ' + p)

  const file = writeJson({
    benchmark: 'engine',
    date: new Date().toISOString(),
    command: commandLine(),
    machine: host,
    flow: {
      commands: size,
      seed,
      symbol: 'BTC-USDT',
      mix: flow.mix,
      resting: { mean: flow.liveMean, max: flow.liveMax, atEnd: flow.liveAtEnd },
      midTicks: { min: flow.midMin, max: flow.midMax },
      generationSeconds: genSeconds
    },
    engineOptions: { historyLimit },
    timing: { warmupCommands: warmup, latencySampleEvery: every, timerOverheadNs: overhead, gcExposed: gc !== undefined },
    runs: results,
    ratio: { engineOverBaselineOrdersPerSecond: ratio },
    consistency: problems.length > 0 ? problems : baseline === undefined || results.length < 2 ? 'not checked' : 'ok'
  })
  console.log(`results: ${file}`)
  return problems.length === 0 ? 0 : 1
}

/** How many times lower the engine's latencies are than the baseline's (below 1: higher). */
function latencyRatio (baseline: RunResult, engine: RunResult): string {
  const x = (a: number, b: number): string => (a / b).toFixed(2) + 'x'
  return `p50 ${x(baseline.latency.p50Us, engine.latency.p50Us)}, p99 ${x(baseline.latency.p99Us, engine.latency.p99Us)}, ` +
    `p99.9 ${x(baseline.latency.p999Us, engine.latency.p999Us)} lower (baseline / engine)`
}

function sameTotals (a: RunTotals, b: RunTotals): boolean {
  return a.trades === b.trades && a.tradedLots === b.tradedLots && a.openAtEnd === b.openAtEnd && a.rejected === b.rejected
}

function describe (t: RunTotals): string {
  const btc = t.tradedLots.padStart(9, '0').replace(/(\d{8})$/, '.$1')
  return `${t.trades} trades, ${t.tradedLots} lots (${btc} BTC) traded, ${t.openAtEnd} open at end` +
    (t.events === undefined ? '' : `, ${t.events} events`)
}

process.exitCode = main()
