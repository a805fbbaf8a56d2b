/**
 * wrk (Debian's package: C, epoll, LuaJIT scripts) as the HTTP load generator, so that a ratio to the bare
 * route measures the service and not a Node generator sharing its cores. Runs load/wrk/*.lua, reads the
 * "WRK_JSON {...}" line their done() prints, and writes the file of pre-signed requests signed-order.lua
 * sends (each signature once: the service's replay cache refuses a second use).
 */
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { sign, signingPayload } from '../../src/auth/signature.js'
import type { ApiKey } from './auth.js'
import { parseMix, randomOrder, SYMBOL_NAMES } from './orders.js'
import { PACKAGE_ROOT, track } from './procs.js'

export const WRK_DIR = resolve(PACKAGE_ROOT, 'load/wrk')

/** What one wrk run measured (latencies in ms, as the rest of the harness). */
export interface WrkRun {
  readonly script: string
  readonly threads: number
  readonly connections: number
  readonly durationS: number
  readonly requests: number
  /** Answers per second over the run, any status. */
  readonly rps: number
  /** 2xx answers per second (requests - non2xx - socket errors, per second). */
  readonly okRps: number
  /** Answers with a status outside 2xx (wrk's own count of status > 399, or the STATUS_TALLY hook's). */
  readonly non2xx: number
  readonly statusTally: Record<string, number> | null
  readonly socketErrors: { connect: number, read: number, write: number, timeout: number }
  /** signed-order.lua: requests sent after its pre-signed lines ran out (each refused as a replay). */
  readonly exhausted: number
  readonly latency: { mean: number, p50: number, p90: number, p99: number, p999: number, max: number }
  readonly bytes: number
}

interface WrkJson {
  requests: number
  duration_us: number
  bytes: number
  errors: { connect: number, read: number, write: number, status: number, timeout: number }
  non2xx: number
  status_tally?: Record<string, number>
  exhausted: number
  latency_us: { mean: number, p50: number, p90: number, p99: number, p999: number, max: number }
}

/** The wrk binary, or a clear error saying how to get it. */
export function wrkBinary (bin = process.env.WRK_BIN ?? 'wrk'): string {
  const probe = spawnSync(bin, ['-v'], { encoding: 'utf8' })
  if (probe.error !== undefined || !/wrk/i.test(`${probe.stdout}${probe.stderr}`)) {
    throw new Error(`wrk is not installed (${bin}: ${probe.error?.message ?? 'no version line'}): --scenario wrk needs it; on Debian/Ubuntu: apt-get install -y wrk (or set WRK_BIN)`)
  }
  return bin
}

const ms = (us: number): number => Math.round(us) / 1000

/** The WRK_JSON line of wrk's output → a WrkRun; throws when the script printed none. */
export function parseWrkOutput (stdout: string, meta: Pick<WrkRun, 'script' | 'threads' | 'connections'>): WrkRun {
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '))
  if (line === undefined) throw new Error(`wrk printed no WRK_JSON line (its done() did not run):\n${stdout.slice(-2000)}`)
  const j = JSON.parse(line.slice('WRK_JSON '.length)) as WrkJson
  const seconds = j.duration_us / 1e6
  const socket = { connect: j.errors.connect, read: j.errors.read, write: j.errors.write, timeout: j.errors.timeout }
  const ok = Math.max(0, j.requests - j.non2xx)
  const l = j.latency_us
  return {
    ...meta,
    durationS: Math.round(seconds * 1000) / 1000,
    requests: j.requests,
    rps: seconds > 0 ? Math.round(j.requests / seconds) : 0,
    okRps: seconds > 0 ? Math.round(ok / seconds) : 0,
    non2xx: j.non2xx,
    statusTally: j.status_tally ?? null,
    socketErrors: socket,
    exhausted: j.exhausted,
    latency: { mean: ms(l.mean), p50: ms(l.p50), p90: ms(l.p90), p99: ms(l.p99), p999: ms(l.p999), max: ms(l.max) },
    bytes: j.bytes
  }
}

export interface WrkOptions {
  readonly url: string
  /** File name in load/wrk (order.lua, signed-order.lua). */
  readonly script: string
  readonly threads: number
  readonly connections: number
  readonly seconds: number
  /** Environment for the script (RESPONSE_TYPE, REQUESTS_FILE, STATUS_TALLY, ...). */
  readonly env?: Record<string, string>
  readonly bin?: string
}

/** Runs wrk once (a tracked child: killAll() ends it) and returns what its script reported. */
export async function runWrk (options: WrkOptions): Promise<WrkRun> {
  const bin = options.bin ?? wrkBinary()
  const args = ['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.seconds}s`,
    '--timeout', '10s', '-s', resolve(WRK_DIR, options.script), `${options.url}/order`]
  const child = track(spawn(bin, args, { env: { ...process.env, WRK_THREADS: String(options.threads), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] }))
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  // wrk stops by itself after -d; a hung one is killed well past it.
  const timer = setTimeout(() => child.kill('SIGKILL'), (options.seconds + 60) * 1000)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (c) => resolve(c))
  }).finally(() => clearTimeout(timer))
  if (code !== 0) throw new Error(`wrk exited ${code}: ${stderr.slice(-2000)}${stdout.slice(-1000)}`)
  return parseWrkOutput(stdout, { script: options.script, threads: options.threads, connections: options.connections })
}

const CROSSING_MIX = parseMix('limit:80,ioc:20')

/**
 * Writes `count` POST /order requests, signed now with the keys in turn, one a line:
 * key <TAB> timestamp <TAB> signature <TAB> body (the crossing flow of order.lua, over the 4 symbols).
 * Every signature is distinct (the replay cache would refuse a repeat).
 */
export function writeSignedRequests (file: string, keys: readonly ApiKey[], count: number, responseType: string | null = null): void {
  const seen = new Set<string>()
  const lines: string[] = []
  const timestamp = String(Date.now())
  while (lines.length < count) {
    const order: Record<string, unknown> = { ...randomOrder({ symbols: SYMBOL_NAMES, mix: CROSSING_MIX, band: 0.002 }) }
    if (responseType !== null) order.response_type = responseType
    const body = JSON.stringify(order)
    const key = keys[lines.length % keys.length]
    const signature = sign(key.secret, signingPayload(timestamp, 'POST', '/order', body))
    if (seen.has(signature)) continue
    seen.add(signature)
    lines.push(`${key.keyId}\t${timestamp}\t${signature}\t${body}`)
  }
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 })
}
