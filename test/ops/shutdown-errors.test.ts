/**
 * installShutdown (src/shutdown.ts) in a real process, for what a signal
 * cannot show: an uncaught exception drains like a signal but is logged as
 * an error and exits 1; a second one while draining exits 1 at once. The
 * child is the built module (dist/src/shutdown.js) with a stand-in app whose
 * close() the test controls.
 */
import t from 'tap'
import type { Test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const SHUTDOWN = pathToFileURL(resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/src/shutdown.js')).href

// argv[2]: 'closes' (close() completes) or 'fails-again' (close() never completes; a second error is thrown meanwhile).
const CHILD = `
import { installShutdown } from ${JSON.stringify(SHUTDOWN)}
const log = (level) => (fields, msg) => process.stdout.write(JSON.stringify({ level, msg, err: fields.err?.message }) + '\\n')
const app = {
  log: { info: log('info'), error: log('error') },
  close: () => {
    process.stdout.write(JSON.stringify({ msg: 'close called' }) + '\\n')
    if (process.argv[2] === 'closes') return Promise.resolve()
    setTimeout(() => { throw new Error('second failure') }, 20)
    return new Promise(() => {})
  }
}
installShutdown(app, { graceMs: 60000, flushLogs: async () => {} })
setInterval(() => {}, 1000)
setTimeout(() => { throw new Error('first failure') }, 20)
`

async function run (t: Test, mode: string) {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-'))
  const script = join(dir, 'child.mjs')
  writeFileSync(script, CHILD)
  const child = spawn(process.execPath, [script, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(child, 'exit')
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited.catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const [code] = await exited
  clearTimeout(killer)
  return { code: code as number | null, lines: stdout.trim().split('\n').map((line) => JSON.parse(line) as { level?: string, msg: string, err?: string }) }
}

t.test('an uncaught exception drains like a signal, logged as an error, and exits 1', async (t) => {
  const { code, lines } = await run(t, 'closes')
  t.equal(code, 1)
  t.strictSame(lines, [
    { level: 'error', msg: 'closing after an error', err: 'first failure' },
    { msg: 'close called' }
  ])
})

t.test('a second uncaught exception while draining exits 1 at once', async (t) => {
  const { code, lines } = await run(t, 'fails-again')
  t.equal(code, 1, 'exits 1 without waiting for close() or the grace period')
  t.strictSame(lines, [
    { level: 'error', msg: 'closing after an error', err: 'first failure' },
    { msg: 'close called' },
    { level: 'error', msg: 'error while closing: exiting now', err: 'second failure' }
  ])
})
