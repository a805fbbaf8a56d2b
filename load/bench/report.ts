/**
 * Output of the engine benchmark: machine line, the results table and the
 * JSON file (load/results/bench-engine.json, git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GcSummary } from './gc.js'
import type { RunTotals } from './runners.js'
import type { LatencySummary } from './stats.js'

/** One round's passes of one subject. */
export interface RoundResult {
  readonly round: number
  /** Place of the subject in that round's order (0 = first). */
  readonly position: number
  readonly seconds: number
  readonly ordersPerSecond: number
  readonly latency: LatencySummary
  readonly gc: GcSummary
}

/** A subject's best figures over the rounds (see engine.ts for which pass each comes from). */
export interface RunResult {
  readonly key: string
  readonly name: string
  readonly description: string
  readonly peer: boolean
  readonly commands: number
  /** Of the best throughput pass. */
  readonly seconds: number
  readonly ordersPerSecond: number
  /** Of the latency pass with the lowest p99.9. */
  readonly latency: LatencySummary
  /** Of the best throughput pass. */
  readonly gc: GcSummary
  readonly totals: RunTotals
  readonly prepareSeconds: number
  readonly warmupCommands: number
  readonly rounds: readonly RoundResult[]
}

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly node: string
  readonly v8: string
  readonly platform: string
  readonly totalMemoryGiB: number
}

export function machine (): Machine {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10
  }
}

/** The command line as typed, with the BENCH_* variables that were set. */
export function commandLine (): string {
  const env = Object.keys(process.env).filter((k) => k.startsWith('BENCH_')).sort()
    .map((k) => `${k}=${process.env[k]}`)
  const script = path.relative(process.cwd(), process.argv[1] ?? '')
  const flags = process.execArgv.join(' ')
  const direct = [...env, 'node', ...(flags === '' ? [] : [flags]), script].join(' ')
  return process.env.npm_lifecycle_event === 'bench:engine'
    ? `${[...env, 'npm run bench:engine'].join(' ')}  (= npm run build && ${direct})`
    : direct
}

const int = (x: number): string => Math.round(x).toLocaleString('en-US')
const fixed = (x: number, digits: number): string => x.toFixed(digits)

export function table (results: readonly RunResult[]): string {
  const header = ['run', 'commands', 'seconds', 'orders/s', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'trades', 'open', 'B/cmd', 'scav/1M']
  const rows = results.map((r) => [
    r.name,
    int(r.commands),
    fixed(r.seconds, 3),
    int(r.ordersPerSecond),
    fixed(r.latency.p50Us, 2),
    fixed(r.latency.p99Us, 2),
    fixed(r.latency.p999Us, 2),
    fixed(r.latency.maxUs, 1),
    int(r.totals.trades),
    int(r.totals.openAtEnd),
    int(r.gc.bytesPerCommand),
    int(r.gc.scavengesPerMillion)
  ])
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] as string).length)))
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number)).join('  ')
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

/** Writes the JSON next to the other load results; returns its path. */
export function writeJson (report: unknown): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  // dist/load/bench → repo root is three levels up; load/bench (tsx) is two.
  const root = here.split(path.sep).includes('dist') ? path.resolve(here, '../../..') : path.resolve(here, '../..')
  const dir = path.join(root, 'load', 'results')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'bench-engine.json')
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
  return file
}
