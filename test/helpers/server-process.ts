/**
 * The real server (dist/src/server.js) as a child process, for the journal
 * tests that need what child-server.ts does not give: a start that must be
 * refused (exit code, stdout and stderr apart), or a file-size limit
 * (`ulimit -f`, RLIMIT_FSIZE) that makes the disk "full" for real. Every
 * process is killed in teardown (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

const SERVER = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/src/server.js')

export interface ServerProcess {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** Resolves with the base URL once the server listens; rejects if it exits first or after `timeoutMs`. */
  readonly listening: (timeoutMs?: number) => Promise<string>
}

export interface SpawnOptions {
  /** RLIMIT_FSIZE in 512-byte blocks: writes past it are cut short, then fail with EFBIG (node ignores SIGXFSZ). */
  readonly fileSizeBlocks?: number
}

export function spawnServer (t: Test, env: Record<string, string>, options: SpawnOptions = {}): ServerProcess {
  const fullEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', RATE_LIMIT_ENABLED: 'false', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', AUTH: 'off', ...env }
  const child = options.fileSizeBlocks === undefined
    ? spawn(process.execPath, [SERVER], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    // exec: the shell becomes node, so signals and the exit status are the server's own. Node ignores
    // SIGXFSZ, but tap's coverage hook (which tap adds to NODE_OPTIONS of every child) loads signal-exit,
    // whose SIGXFSZ handler would kill the server at the limit: this one child runs without the hook.
    : spawn('/bin/sh', ['-c', `ulimit -f ${options.fileSizeBlocks} && unset NODE_OPTIONS && exec "$0" "$1"`, process.execPath, SERVER],
      { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  t.teardown(() => stop(child, exited))

  const listening = (timeoutMs = 60_000) => new Promise<string>((_resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not listen within ${timeoutMs} ms:\n${stdout}${stderr}`))
    }, timeoutMs)
    const check = () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (match === null) return
      clearTimeout(timer)
      child.stdout.off('data', check)
      _resolve(match[1])
    }
    child.stdout.on('data', check)
    check()
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${stdout}${stderr}`))
    }, reject)
  })
  return { child, stdout: () => stdout, stderr: () => stderr, exited, listening }
}

/** Resolves with the exit once the process is gone, killing it if it runs past `timeoutMs`. */
export async function exitOf (server: ServerProcess, timeoutMs = 60_000) {
  const timer = setTimeout(() => server.child.kill('SIGKILL'), timeoutMs)
  try {
    return await server.exited
  } finally {
    clearTimeout(timer)
  }
}

async function stop (child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const grace = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(grace)
}

/** A refused start: exit 1, exactly one line on stderr that says why, no error line on stdout, no stack anywhere. */
export async function assertRefused (t: Test, server: ServerProcess, why: RegExp): Promise<void> {
  const exit = await exitOf(server)
  t.equal(exit.code, 1, 'exits 1')
  const lines = server.stderr().trimEnd().split('\n')
  t.equal(lines.length, 1, `one line on stderr: ${server.stderr()}`)
  t.match(lines[0], /^start refused: /)
  t.match(lines[0], why)
  t.notMatch(server.stderr() + server.stdout(), /\n\s+at /, 'no stack trace')
  t.notMatch(server.stdout(), /"level":(50|60)/, 'no error log lines on stdout')
}
