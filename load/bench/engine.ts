/**
 * In-process benchmark of the matching engine (no HTTP, no journal).
 *
 *   npm run bench:engine                      # 1,000,000 commands
 *   BENCH_ORDERS=200000 npm run bench:engine  # quick check
 *
 * Environment: BENCH_ORDERS (commands, default 1,000,000), BENCH_SEED
 * (default 42), BENCH_WARMUP (warm-up commands per subject and round, default
 * 100,000), BENCH_SAMPLE_EVERY (time every k-th call in the latency pass,
 * default 1), BENCH_HISTORY_LIMIT (historyLimit of the benchmarked engines;
 * default: the engine's own default, DEFAULT_HISTORY_LIMIT, which the server
 * uses too), BENCH_RUNS (comma list of engine, batched, listener, submit,
 * baseline, previous, previous-listener, previous-submit, peer; default all),
 * BENCH_ROUNDS (rounds, default 3), BENCH_FLOWS (standard, lifecycle or
 * both, comma separated; default both).
 *
 * The lifecycle flow (load/bench/lifecycle-flow.ts, issue 12) is a second,
 * separate figure: stops, icebergs, amends, GTD orders with expire commands
 * and OCO lists through today's engine only (load/bench/lifecycle.ts), timed
 * after the standard subjects with the same rounds, warm-up and passes. The
 * standard flow and its subjects are unchanged by it.
 *
 * One seeded flow (load/bench/flow.ts) is generated before any timing and
 * replayed by every subject (load/bench/runners.ts): the engine through
 * place/cancel (reading its clock per command, and with one clock reading
 * per 64-command batch passed in), with a listener and through submit; the same three for the
 * engine before issue 11 (load/bench/previous-engine); a bignumber.js book
 * (load/bench/bignumber-book.ts) as the baseline; nodejs-order-book as the
 * peer (load/bench/peer-run.ts).
 *
 * Rounds: every round runs every selected subject once, the starting subject
 * rotating by one per round (round r starts at subject r mod n), so no subject
 * always runs first or after the same neighbour. Per subject and round: a
 * warm-up on a throwaway instance, then a throughput pass (no per-call timer,
 * allocation and GC recorded: load/bench/gc.ts) and a latency pass, each on a
 * fresh instance after a full GC. Before round 1 every subject is warmed up
 * once through both timing loops, so the loops shared by all subjects have
 * seen every subject before any is timed. Reported per subject: the best
 * throughput pass (its orders/s, allocation and GC) and the latency pass with
 * the lowest p99.9; every round's figures go into the JSON file.
 *
 * All our runs (today's engine, the previous engine, the baseline) must agree
 * on the trades, the traded quantity and the final open orders, or the
 * process exits 1. The peer follows rules of its own in places: its totals are
 * printed next to ours and any difference is reported, never a failure.
 */
import { DEFAULT_HISTORY_LIMIT } from '../../src/engine/index.js'
import { measureGc } from './gc.js'
import { CLOCK_BATCH, runs, type RunDefinition, type RunTotals, type Subject } from './runners.js'
import { generateFlow, type Flow } from './flow.js'
import { commandLine, machine, table, writeJson, type RoundResult, type RunResult } from './report.js'
import { summarise, timeLatency, timeThroughput, timerOverheadNs } from './stats.js'
import { describeLifecycle, runLifecycle, type LifecycleResult } from './lifecycle.js'

const FLOWS = ['standard', 'lifecycle'] as const

function envInt (name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw.replace(/_/g, ''))
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`)
  return value
}

const gc = (globalThis as { gc?: () => void }).gc
const collect = (): void => { if (gc !== undefined) gc() }

/** A subject across the rounds. Its inputs are rebuilt (untimed) for each round and dropped after it, so the
 * heap during a pass holds one subject's inputs, not every subject's. */
interface Prepared {
  readonly run: RunDefinition
  prepareSeconds: number
  readonly rounds: RoundResult[]
  totals: RunTotals | null
}

function main (): number {
  const size = envInt('BENCH_ORDERS', 1_000_000, 1)
  const seed = envInt('BENCH_SEED', 42, 0)
  const warmup = Math.min(size, envInt('BENCH_WARMUP', 100_000, 0))
  const every = envInt('BENCH_SAMPLE_EVERY', 1, 1)
  const roundCount = envInt('BENCH_ROUNDS', 3, 1)
  const historyLimit = envInt('BENCH_HISTORY_LIMIT', DEFAULT_HISTORY_LIMIT, 1)
  const all = runs({ historyLimit })
  const wanted = (process.env.BENCH_RUNS ?? '').split(',').map((k) => k.trim()).filter((k) => k !== '')
  const unknown = wanted.filter((k) => !all.some((r) => r.key === k))
  if (unknown.length > 0) throw new Error(`BENCH_RUNS: unknown run ${unknown.join(', ')}; known: ${all.map((r) => r.key).join(', ')}`)
  const selected = wanted.length === 0 ? all : all.filter((r) => wanted.includes(r.key))
  const flows = (process.env.BENCH_FLOWS ?? FLOWS.join(',')).split(',').map((k) => k.trim()).filter((k) => k !== '')
  const unknownFlow = flows.filter((k) => !(FLOWS as readonly string[]).includes(k))
  if (unknownFlow.length > 0 || flows.length === 0) throw new Error(`BENCH_FLOWS: unknown or no flow ${unknownFlow.join(', ')}; known: ${FLOWS.join(', ')}`)
  const host = machine()
  // An engine without issue 12's methods throws: a failed figure (exit 1), not a crash before the standard one is printed.
  const lifecycle = (): LifecycleResult | string => {
    try {
      return runLifecycle({ size, seed, warmup, every, rounds: roundCount, options: { historyLimit }, collect, log: (line) => console.log(line) })
    } catch (error) {
      return `lifecycle flow: ${(error as Error).message}`
    }
  }

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
  console.log(`timing: ${roundCount} round(s), every subject once per round, the first subject rotating; best throughput pass and lowest-p99.9 latency pass reported`)
  console.log(`  throughput pass with no per-call timer; latency pass times ${every === 1 ? 'every call' : `every ${every}th call`} ` +
    `with process.hrtime.bigint() (empty timer pair ≈ ${overhead} ns, included); warm-up ${warmup.toLocaleString('en-US')} commands per subject and round on a separate instance` +
    (gc === undefined ? '; no --expose-gc: passes do not start from a collected heap' : '; full GC before every pass (--expose-gc)'))
  console.log('  allocation: bytes allocated in the throughput pass per command = sum over its GCs of the used heap\'s growth since the previous GC, ' +
    'plus the growth after the last one (node:v8 GCProfiler); scavenges = its minor GCs, per million commands')
  console.log(`engine options: defaults (BTC-USDT of DEFAULT_SYMBOLS, Date.now clock), historyLimit ${historyLimit.toLocaleString('en-US')}` +
    (historyLimit === DEFAULT_HISTORY_LIMIT ? ' (the default)' : ` (default ${DEFAULT_HISTORY_LIMIT.toLocaleString('en-US')})`) +
    '; the previous engine gets the same options')
  console.log('')

  if (!flows.includes('standard')) {
    const result = lifecycle()
    if (typeof result === 'string') {
      console.error(result)
      return 1
    }
    console.log(lifecycleLine(result))
    const file = writeJson({ benchmark: 'engine', date: new Date().toISOString(), command: commandLine(), machine: host, engineOptions: { historyLimit }, lifecycle: result })
    console.log(`results: ${file}`)
    return 0
  }

  const prepared: Prepared[] = selected.map((run) => ({ run, prepareSeconds: 0, rounds: [], totals: null }))
  // Round 0: each subject once through both timing loops (untimed), so that neither loop is still specialised to
  // whichever subject happens to be timed first.
  for (const p of prepared) {
    const create = prepare(p, flow)
    timeThroughput(create().step, warmup)
    timeLatency(create().step, Math.min(warmup, 10_000), every)
  }
  for (let round = 0; round < roundCount; round++) {
    for (let position = 0; position < prepared.length; position++) {
      const p = prepared[(round + position) % prepared.length] as Prepared
      const failure = runRound(p, prepare(p, flow), round, position, size, warmup, every)
      if (failure !== null) {
        console.error(failure)
        return 1
      }
      const r = p.rounds[p.rounds.length - 1] as RoundResult
      console.log(`round ${round + 1}/${roundCount} ${p.run.name}: ${Math.round(r.ordersPerSecond).toLocaleString('en-US')} orders/s, ` +
        `p50 ${r.latency.p50Us} µs, p99.9 ${r.latency.p999Us} µs, ${r.gc.bytesPerCommand} B/command, ${r.gc.scavengesPerMillion} scavenges/1M, ` +
        `${(p.totals as RunTotals).trades.toLocaleString('en-US')} trades`)
    }
  }

  const results = prepared.map((p) => best(p, size, warmup))
  const byKey = (key: string): RunResult | undefined => results.find((r) => r.key === key)
  const ours = results.filter((r) => !r.peer)
  const reference = ours[0]
  const problems: string[] = []
  for (const r of ours) {
    if (reference !== undefined && !sameTotals(r.totals, reference.totals)) problems.push(`${r.name}: ${describe(r.totals)} vs ${reference.name} ${describe(reference.totals)}`)
    if (r.totals.rejected !== 0) problems.push(`${r.name}: ${r.totals.rejected} commands rejected`)
  }
  const peerLines: string[] = []
  for (const peer of results.filter((r) => r.peer)) peerLines.push(...comparePeer(peer, reference))

  const engine = byKey('engine')
  const baseline = byKey('baseline')
  const ratios = computeRatios(byKey)

  console.log('')
  console.log(table(results))
  console.log('')
  console.log('orders/s counts every command (new orders and cancels); latencies in microseconds per command; open = open orders at the end;')
  console.log('B/cmd = bytes allocated per command and scav/1M = scavenges per million commands, both in the best throughput pass.')
  if (engine !== undefined && baseline !== undefined) {
    console.log(`ratio engine / bignumber.js baseline: ${(engine.ordersPerSecond / baseline.ordersPerSecond).toFixed(2)}x orders/s; latency ${latencyRatio(baseline, engine)}`)
  }
  console.log('ratios (n/a where BENCH_RUNS left a subject out):')
  for (const line of ratioLines(ratios)) console.log('  ' + line)
  if (reference !== undefined) console.log(`totals: ${describe(reference.totals)}`)
  for (const line of peerLines) console.log(line)
  if (problems.length > 0) {
    console.log('consistency: FAILED')
  } else if (ours.length < 2) {
    console.log('consistency: not checked (BENCH_RUNS selected fewer than two of our runs)')
  } else {
    console.log(`consistency: ok (${ours.map((r) => r.key).join(', ')}: same trades, traded quantity and open orders; no rejected command)`)
  }
  for (const p of problems) console.log('  ' + p)

  let lifecycleResult: LifecycleResult | null = null
  if (flows.includes('lifecycle')) {
    console.log('')
    const result = lifecycle()
    if (typeof result === 'string') {
      console.log(`lifecycle flow: FAILED: ${result}`)
      problems.push(result)
    } else {
      lifecycleResult = result
      console.log(lifecycleLine(result))
      const standard = byKey('engine')
      if (standard !== undefined) console.log(`  standard flow, engine: ${Math.round(standard.ordersPerSecond).toLocaleString('en-US')} orders/s in the same run`)
    }
  }

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
    timing: {
      rounds: roundCount,
      order: 'every subject once per round; round r starts at subject r mod n',
      best: 'orders/s, allocation and GC of the fastest throughput pass; latency of the pass with the lowest p99.9',
      warmupCommands: warmup,
      latencySampleEvery: every,
      timerOverheadNs: overhead,
      gcExposed: gc !== undefined,
      allocation: 'sum over the throughput pass\'s GCs of (used heap before the GC - used heap after the previous one, or at the start), plus (used heap at the end - after the last GC); node:v8 GCProfiler'
    },
    runs: results,
    ratio: {
      engineOverBaselineOrdersPerSecond: engine !== undefined && baseline !== undefined ? engine.ordersPerSecond / baseline.ordersPerSecond : null,
      ...ratios
    },
    peer: peerLines,
    lifecycle: lifecycleResult,
    consistency: problems.length > 0 ? problems : ours.length < 2 ? 'not checked' : 'ok'
  })
  console.log(`results: ${file}`)
  return problems.length === 0 ? 0 : 1
}

/** The lifecycle flow's figure, in one line. */
function lifecycleLine (r: LifecycleResult): string {
  return `lifecycle flow, engine: ${Math.round(r.ordersPerSecond).toLocaleString('en-US')} commands/s (best of ${r.rounds.length}), ` +
    `p50 ${r.latency.p50Us} µs, p99 ${r.latency.p99Us} µs, p99.9 ${r.latency.p999Us} µs, ${r.gc.bytesPerCommand} B/command; ${describeLifecycle(r.totals)}`
}

/** Builds the subject's inputs (untimed); keeps the slowest build time for the report. */
function prepare (p: Prepared, flow: Flow): () => Subject {
  collect()
  const start = process.hrtime.bigint()
  const create = p.run.prepare(flow)
  p.prepareSeconds = Math.max(p.prepareSeconds, Number(process.hrtime.bigint() - start) / 1e9)
  return create
}

/** One round of one subject: warm-up, throughput pass (with GC records), latency pass. Returns a failure, or null. */
function runRound (p: Prepared, create: () => Subject, round: number, position: number, size: number, warmup: number, every: number): string | null {
  collect()
  timeThroughput(create().step, warmup)
  collect()
  const timed = create()
  const { result: seconds, gc: gcSummary } = measureGc(size, () => timeThroughput(timed.step, size))
  const totals = timed.totals()
  collect()
  const sampled = create()
  const latency = summarise(timeLatency(sampled.step, size, every), every)
  const again = sampled.totals()
  if (!sameTotals(totals, again)) return `${p.run.name}: the latency pass disagrees with the throughput pass: ${describe(totals)} vs ${describe(again)}`
  if (p.totals !== null && !sameTotals(p.totals, totals)) return `${p.run.name}: round ${round + 1} disagrees with round 1: ${describe(totals)} vs ${describe(p.totals)}`
  p.totals = totals
  p.rounds.push({ round: round + 1, position, seconds, ordersPerSecond: size / seconds, latency, gc: gcSummary })
  return null
}

function best (p: Prepared, size: number, warmup: number): RunResult {
  const fastest = p.rounds.reduce((a, b) => b.seconds < a.seconds ? b : a)
  const steadiest = p.rounds.reduce((a, b) => b.latency.p999Us < a.latency.p999Us ? b : a)
  return {
    key: p.run.key,
    name: p.run.name,
    description: p.run.description,
    peer: p.run.peer === true,
    commands: size,
    seconds: fastest.seconds,
    ordersPerSecond: fastest.ordersPerSecond,
    latency: steadiest.latency,
    gc: fastest.gc,
    totals: p.totals as RunTotals,
    prepareSeconds: p.prepareSeconds,
    warmupCommands: warmup,
    rounds: p.rounds
  }
}

interface Ratios {
  readonly engineOverPreviousOrdersPerSecond: number | null
  readonly engineOverPreviousP999: number | null
  readonly engineOverPeerOrdersPerSecond: number | null
  readonly submitOverPreviousSubmitOrdersPerSecond: number | null
  readonly listenerOverPreviousListenerOrdersPerSecond: number | null
  readonly engineOverPreviousBytesPerCommand: number | null
  readonly engineOverPreviousScavenges: number | null
  readonly batchedOverPreviousOrdersPerSecond: number | null
  readonly batchedOverPeerOrdersPerSecond: number | null
}

function computeRatios (byKey: (key: string) => RunResult | undefined): Ratios {
  const ratio = (a: string, b: string, of: (r: RunResult) => number): number | null => {
    const x = byKey(a)
    const y = byKey(b)
    return x === undefined || y === undefined || of(y) === 0 ? null : of(x) / of(y)
  }
  const ops = (r: RunResult): number => r.ordersPerSecond
  return {
    engineOverPreviousOrdersPerSecond: ratio('engine', 'previous', ops),
    engineOverPreviousP999: ratio('engine', 'previous', (r) => r.latency.p999Us),
    engineOverPeerOrdersPerSecond: ratio('engine', 'peer', ops),
    submitOverPreviousSubmitOrdersPerSecond: ratio('submit', 'previous-submit', ops),
    listenerOverPreviousListenerOrdersPerSecond: ratio('listener', 'previous-listener', ops),
    engineOverPreviousBytesPerCommand: ratio('engine', 'previous', (r) => r.gc.bytesAllocated),
    engineOverPreviousScavenges: ratio('engine', 'previous', (r) => r.gc.scavenges),
    batchedOverPreviousOrdersPerSecond: ratio('batched', 'previous', ops),
    batchedOverPeerOrdersPerSecond: ratio('batched', 'peer', ops)
  }
}

function ratioLines (r: Ratios): string[] {
  const x = (v: number | null): string => v === null ? 'n/a' : v.toFixed(2) + 'x'
  return [
    `engine / previous engine: ${x(r.engineOverPreviousOrdersPerSecond)} orders/s (target >= 4x); p99.9 ${x(r.engineOverPreviousP999)} (target <= 1x)`,
    `engine / nodejs-order-book: ${x(r.engineOverPeerOrdersPerSecond)} orders/s (target >= 10x)`,
    `engine with one clock read per ${CLOCK_BATCH} commands / previous engine: ${x(r.batchedOverPreviousOrdersPerSecond)} orders/s; / nodejs-order-book: ${x(r.batchedOverPeerOrdersPerSecond)}`,
    `submit / previous submit: ${x(r.submitOverPreviousSubmitOrdersPerSecond)} orders/s (target >= 2x)`,
    `listener / previous listener: ${x(r.listenerOverPreviousListenerOrdersPerSecond)} orders/s (target >= 2x)`,
    `allocation engine / previous: ${x(r.engineOverPreviousBytesPerCommand)} bytes per command; scavenges ${x(r.engineOverPreviousScavenges)} (target < 0.33x each)`
  ]
}

/** The peer's totals next to ours, and where they differ (never a failure: its rules are its own). */
function comparePeer (peer: RunResult, reference: RunResult | undefined): string[] {
  const notes = Object.entries(peer.totals.notes ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')
  const lines = [`peer ${peer.name}: ${describe(peer.totals)}, ${peer.totals.rejected} refused` + (notes === '' ? '' : ` (${notes})`)]
  if (reference === undefined) return [...lines, '  not compared: BENCH_RUNS selected none of our runs']
  const diffs: string[] = []
  const a = peer.totals
  const b = reference.totals
  if (a.trades !== b.trades) diffs.push(`trades ${a.trades} vs ${b.trades}`)
  if (a.tradedLots !== b.tradedLots) diffs.push(`traded lots ${a.tradedLots} vs ${b.tradedLots}`)
  if (a.openAtEnd !== b.openAtEnd) diffs.push(`open at end ${a.openAtEnd} vs ${b.openAtEnd}`)
  if (a.rejected !== b.rejected) diffs.push(`refused commands ${a.rejected} vs ${b.rejected}`)
  lines.push(diffs.length === 0
    ? `  same trades, traded quantity and open orders as ${reference.name}`
    : `  DIFFERS from ${reference.name} (reported, not a failure): ${diffs.join('; ')}`)
  const fok = a.notes?.fokNotFillable ?? 0
  const market = a.notes?.marketRemainder ?? 0
  if (fok > 0) lines.push(`  ${fok} FOK orders it refused with an error (LIMIT_ORDER_FOK_NOT_FILLABLE); ours accepts them and rejects them as their outcome, no trade either way`)
  if (market > 0) lines.push(`  ${market} market orders it left partly or wholly unfilled without an error (quantityLeft > 0); ours cancels the rest; the unfilled rest trades nowhere either way`)
  return lines
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
