/**
 * Child processes of the harness: the service (dist/src/server.js), the bare
 * baselines and the consumer workers. Every child is registered so a failed
 * run, a test teardown or Ctrl-C ends exactly the processes we started.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { readdir, readFile, readlink } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'

function findRoot (start: string): string {
  let dir = start
  while (!existsSync(resolve(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) return start
    dir = parent
  }
  return dir
}

/** The package root, from load/harness (sources under tap) or dist/load/harness (compiled). */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))
export const SERVER_ENTRY = resolve(PACKAGE_ROOT, 'dist/src/server.js')
/** Compiled harness files that run as children (always from dist, even when the parent runs from source). */
export const distHarness = (file: string): string => resolve(PACKAGE_ROOT, 'dist/load/harness', file)

const children = new Set<ChildProcess>()

export function track (child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** SIGKILLs every child still running (by its own pid). */
export function killAll (): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
}

/** Sends SIGTERM, then SIGKILL after graceMs; resolves once the child is gone. */
export async function stopChild (child: ChildProcess, graceMs = 8000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** Only plain-HTTP URLs on this machine; anything else is refused. */
export function localUrl (text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new Error(`--url ${text} is not a URL`)
  }
  if (url.protocol !== 'http:') throw new Error(`--url must be http://, got ${url.protocol}`)
  if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new Error(`--url must target localhost or 127.0.0.1, got ${url.hostname}: the harness only loads this machine`)
  }
  return url.origin
}

export const delay = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

/** Port of the TCP socket `pid` listens on, from /proc (works with PORT=0 and LOG_LEVEL=warn). */
export async function listeningPort (pid: number): Promise<number | null> {
  const inodes = new Set<string>()
  let fds: string[]
  try {
    fds = await readdir(`/proc/${pid}/fd`)
  } catch {
    return null
  }
  for (const fd of fds) {
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
    const match = /^socket:\[(\d+)\]$/.exec(link)
    if (match !== null) inodes.add(match[1])
  }
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) return Number.parseInt(f[1].split(':')[1], 16)
    }
  }
  return null
}

async function healthy (url: string): Promise<boolean> {
  try {
    const res = await request(`${url}/health`, { headersTimeout: 1000, bodyTimeout: 1000 })
    await res.body.dump()
    return res.statusCode === 200
  } catch {
    return false
  }
}

export interface ServiceProcess {
  readonly url: string
  readonly pid: number
  readonly env: Record<string, string>
  readonly output: () => string
  /** How the process ended, if it did (null while it runs). */
  readonly exited: () => { code: number | null, signal: string | null } | null
  readonly stop: () => Promise<void>
}

export interface ServiceOptions {
  readonly env?: Record<string, string>
  /** Directory for --cpu-prof output; no profiling when undefined. */
  readonly cpuProfDir?: string
  readonly timeoutMs?: number
}

/** The benchmark defaults: no rate limit, no journal, quiet logs, a free port. */
export const SERVICE_DEFAULTS: Readonly<Record<string, string>> = {
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_ENABLED: 'false',
  // The monitor scrapes /metrics, closed by default.
  METRICS_PUBLIC: 'true',
  JOURNAL_ENABLED: 'false',
  SHUTDOWN_GRACE_MS: '5000'
}

export async function startService (options: ServiceOptions = {}): Promise<ServiceProcess> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run npm run build first`)
  const env = { ...SERVICE_DEFAULTS, ...options.env }
  const nodeArgs = options.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`]
  const child = track(spawn(process.execPath, [...nodeArgs, SERVER_ENTRY], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  }))
  let output = ''
  let exit: { code: number | null, signal: string | null } | null = null
  child.once('exit', (code, signal) => { exit = { code, signal } })
  child.stdout?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000) })
  child.stderr?.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000) })
  const pid = child.pid as number
  const deadline = Date.now() + (options.timeoutMs ?? 15_000)
  let url: string | null = null
  while (url === null) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited before listening:\n${output}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not listen in time:\n${output}`)
    }
    const port = env.PORT !== '0' ? Number(env.PORT) : await listeningPort(pid)
    if (port !== null && await healthy(`http://127.0.0.1:${port}`)) url = `http://127.0.0.1:${port}`
    else await delay(50)
  }
  return { url, pid, env, output: () => output, exited: () => exit, stop: async () => await stopChild(child) }
}

export interface ForkedChild {
  readonly child: ChildProcess
  readonly pid: number
}

/** Forks a compiled harness file with an IPC channel and only the given node flags (no test-runner loaders). */
export function forkHarness (file: string, args: string[] = [], execArgv: string[] = []): ForkedChild {
  const path = distHarness(file)
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build first`)
  const child = track(fork(path, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }))
  return { child, pid: child.pid as number }
}
