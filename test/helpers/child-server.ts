/**
 * The real server as a child process (dist/src/server.js, or `npm start`),
 * for tests that must kill it, signal it or restart it on the same files.
 *
 * The child is registered with `t.teardown` as soon as it is spawned, so it
 * never outlives its test, whatever happened (failed assertion, start
 * timeout, thrown error): teardown sends SIGTERM, then SIGKILL after a grace
 * period. `npm start` runs in its own process group and teardown kills the
 * whole group.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')
const SERVER = resolve(ROOT, 'dist/src/server.js')

/** Generous: a machine running two test suites at once can take many seconds to start Node. */
export const START_TIMEOUT_MS = 60_000
const KILL_GRACE_MS = 5_000

export interface ChildServerOptions {
  /** How long to wait for "Server listening"; a child that exits first fails at once. */
  readonly timeoutMs?: number
  /** `node` runs dist/src/server.js directly; `npm-start` runs `npm start` (without the prestart build) in its own process group. */
  readonly command?: 'node' | 'npm-start'
  /** stdout of the child: a pipe the helper reads (default) or a file descriptor the test owns. The listening line is then read from stderr only if it goes there. */
  readonly stdout?: 'pipe' | number
  /** Starts `node` under `sh -c 'ulimit -n N; exec node ...'`: a low descriptor limit (soft and hard). */
  readonly descriptorLimit?: number
}

export interface ChildServer {
  readonly child: ChildProcess
  /** The server's own pid, from its log (with `npm-start`, not the npm process). */
  readonly pid: number
  readonly url: string
  readonly output: () => string
  /** Resolves with the exit code (or null and the signal) once the spawned process is gone. */
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** SIGTERM, then SIGKILL after a grace period (to the whole group with `npm-start`); resolves once the child is gone. Teardown calls it too. */
  readonly stop: () => Promise<void>
}

export async function startChildServer (t: Test, env: Record<string, string>, options: ChildServerOptions = {}): Promise<ChildServer> {
  const { timeoutMs = START_TIMEOUT_MS, command = 'node', stdout = 'pipe', descriptorLimit } = options
  const group = command === 'npm-start'
  const stdio: StdioOptions = ['ignore', stdout, 'pipe']
  const childEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_ENABLED: 'false', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', AUTH: 'off', ...env }
  const child = group
    ? spawn('npm', ['start', '--ignore-scripts', '--silent'], { cwd: ROOT, env: childEnv, stdio, detached: true })
    : descriptorLimit !== undefined
      ? spawn('sh', ['-c', `ulimit -n ${descriptorLimit} && exec "$0" "$1"`, process.execPath, SERVER], { cwd: ROOT, env: childEnv, stdio })
      : spawn(process.execPath, [SERVER], { cwd: ROOT, env: childEnv, stdio })
  let output = ''
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  // Always settles: an 'error' (spawn failure) counts as gone.
  const gone = exited.then(() => undefined, () => undefined)
  const signal = (name: NodeJS.Signals) => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, name)
      else child.kill(name)
    } catch {
      // Already gone.
    }
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signal('SIGTERM')
      const timer = setTimeout(() => signal('SIGKILL'), KILL_GRACE_MS)
      await gone
      clearTimeout(timer)
    }
    // With npm, the server may outlive npm itself (that is what the npm-start test looks for).
    if (group) signal('SIGKILL')
  }
  t.teardown(stop)

  const listening = await new Promise<{ url: string, pid: number }>((_resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"pid":(\d+)[^\n]*Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        _resolve({ pid: Number(match[1]), url: match[2] })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${output}`))
    }, reject)
  })
  return { child, pid: listening.pid, url: listening.url, output: () => output, exited, stop }
}
