/**
 * Samples the server process once a second, as the seed's monitoring suite
 * did: CPU (utime+stime deltas from /proc/<pid>/stat), RSS (VmRSS), open
 * sockets (/proc/<pid>/fd), and from the server's own GET /metrics the
 * event-loop lag and delay p99 (prom-client resets its delay histogram at
 * every scrape, so each sample covers the last second) and WebSocket
 * connections. Without a pid (a server given by --url) CPU and RSS come from
 * /metrics (process_cpu_seconds_total, process_resident_memory_bytes).
 */
import { readdir, readFile, readlink } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { request } from 'undici'
import type { MonitorSample } from './types.js'

const CLK_TCK = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** utime + stime of a process, seconds; null if it is gone. */
export async function processCpuSeconds (pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  } catch {
    return null
  }
}

export async function processRssMb (pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(status)
    return match === null ? null : Number(match[1]) / 1024
  } catch {
    return null
  }
}

async function socketCount (pid: number): Promise<number | null> {
  try {
    const fds = await readdir(`/proc/${pid}/fd`)
    let n = 0
    for (const fd of fds) if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')).startsWith('socket:')) n++
    return n
  } catch {
    return null
  }
}

/** Whole-machine CPU busy over `ms`, % of all cores. */
export async function hostBusyPct (ms = 1000): Promise<number | null> {
  const a = await hostCpu()
  await new Promise((resolve) => setTimeout(resolve, ms))
  const b = await hostCpu()
  return a === null || b === null ? null : round1(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100)
}

interface HostCpu { busy: number, irq: number, total: number }

async function hostCpu (): Promise<HostCpu | null> {
  try {
    // cpu user nice system idle iowait irq softirq steal ...
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number)
    const idle = v[3] + (v[4] ?? 0)
    const total = v.reduce((a, b) => a + b, 0)
    return { busy: total - idle, irq: (v[5] ?? 0) + (v[6] ?? 0), total }
  } catch {
    return null
  }
}

/** Prometheus text → name → value (first series of each name; labels ignored). */
export function parsePrometheus (text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line)
    if (match === null || values.has(match[1])) continue
    values.set(match[1], Number(match[3]))
  }
  return values
}

export interface MonitorOptions {
  /** Server pid (local child); null for a server given by URL. */
  readonly pid: number | null
  /** Base URL with /metrics; null for a process without it (bare baselines). */
  readonly metricsUrl: string | null
  /** Other processes whose CPU is sampled alongside, by name. */
  readonly others?: Record<string, number>
  readonly intervalMs?: number
}

export class Monitor {
  readonly samples: MonitorSample[] = []
  private readonly options: MonitorOptions
  private readonly others: Record<string, number>
  private timer: NodeJS.Timeout | null = null
  private busy: Promise<void> | null = null
  private last: { wall: number, cpu: number | null, metricsCpu: number | null, host: HostCpu | null, harness: NodeJS.CpuUsage, others: Record<string, number | null> } | null = null

  constructor (options: MonitorOptions) {
    this.options = options
    this.others = { ...options.others }
  }

  /** Adds a process (e.g. a consumer worker started later) to the CPU sampling. */
  watch (name: string, pid: number): void {
    this.others[name] = pid
  }

  unwatch (name: string): void {
    delete this.others[name]
  }

  async start (): Promise<void> {
    await this.sample()
    this.timer = setInterval(() => {
      if (this.busy === null) this.busy = this.sample().finally(() => { this.busy = null })
    }, this.options.intervalMs ?? 1000)
  }

  async stop (): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.busy
  }

  between (from: number, to: number): MonitorSample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to + 500)
  }

  private async sample (): Promise<void> {
    const { pid, metricsUrl } = this.options
    const wall = performance.now()
    const [cpu, rss, sockets, host, metrics] = await Promise.all([
      pid === null ? null : processCpuSeconds(pid),
      pid === null ? null : processRssMb(pid),
      pid === null ? null : socketCount(pid),
      hostCpu(),
      metricsUrl === null ? null : scrape(metricsUrl)
    ])
    const others: Record<string, number | null> = {}
    for (const [name, otherPid] of Object.entries(this.others)) others[name] = await processCpuSeconds(otherPid)
    const harness = process.cpuUsage()
    const metricsCpu = metrics?.get('process_cpu_seconds_total') ?? null
    const prev = this.last
    this.last = { wall, cpu, metricsCpu, host, harness, others }
    if (prev === null) return
    const dt = (wall - prev.wall) / 1000
    const pct = (a: number | null, b: number | null): number | null => a === null || b === null ? null : round1(((a - b) / dt) * 100)
    const othersPct: Record<string, number> = {}
    for (const [name, value] of Object.entries(others)) {
      const p = pct(value, prev.others[name] ?? null)
      if (p !== null) othersPct[name] = p
    }
    const ms = (name: string): number | null => {
      const v = metrics?.get(name)
      return v === undefined || !Number.isFinite(v) ? null : round1(v * 1000)
    }
    const rssMetric = metrics?.get('process_resident_memory_bytes')
    this.samples.push({
      at: Date.now(),
      cpuPct: pid !== null ? pct(cpu, prev.cpu) : pct(metricsCpu, prev.metricsCpu),
      rssMb: rss !== null ? round1(rss) : rssMetric === undefined ? null : round1(rssMetric / 1048576),
      hostCpuPct: host === null || prev.host === null ? null : round1(((host.busy - prev.host.busy) / Math.max(1, host.total - prev.host.total)) * 100),
      hostIrqPct: host === null || prev.host === null ? null : round1(((host.irq - prev.host.irq) / Math.max(1, host.total - prev.host.total)) * 100),
      harnessCpuPct: round1(((harness.user + harness.system - prev.harness.user - prev.harness.system) / 1e6 / dt) * 100),
      eventLoopLagMs: ms('nodejs_eventloop_lag_seconds'),
      eventLoopDelayP99Ms: ms('nodejs_eventloop_lag_p99_seconds'),
      eventLoopDelayMaxMs: ms('nodejs_eventloop_lag_max_seconds'),
      wsConnections: metrics?.get('ws_connections') ?? null,
      sockets,
      others: othersPct
    })
  }
}

async function scrape (baseUrl: string): Promise<Map<string, number> | null> {
  try {
    const res = await request(`${baseUrl}/metrics`, { headersTimeout: 2000, bodyTimeout: 2000 })
    const text = await res.body.text()
    return res.statusCode === 200 ? parsePrometheus(text) : null
  } catch {
    return null
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10
