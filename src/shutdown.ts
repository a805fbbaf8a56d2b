/**
 * Signals and exits. The first SIGTERM/SIGINT drains (app.close: listener,
 * in-flight requests, WebSockets 1001, final snapshot), flushes the log with
 * a bound and exits 0. A second signal exits 1 at once; so does the end of
 * the grace period. Neither waits on logging: the logger's destination never
 * blocks (log-destination.ts) and the exits do not flush it. As a last resort
 * that does not need the main thread at all, a watchdog thread started at the
 * first signal kills the process 5 s after the grace period.
 */
import closeWithGrace from 'close-with-grace'
import { Worker } from 'node:worker_threads'
import type { FastifyInstance } from 'fastify'

/** How long a clean exit waits for the log to reach stdout. */
const LOG_FLUSH_MS = 500
/**
 * The watchdog fires this long after the grace period, once the main thread's
 * own forced exit has had its chance (generous: a starved machine can delay
 * a timer by seconds, and SIGKILL skips even the exit code).
 */
const WATCHDOG_MARGIN_MS = 5_000

// The worker's own event loop keeps the time; the main thread's state does not matter.
const WATCHDOG = `
const { workerData } = require('node:worker_threads')
setTimeout(() => process.kill(workerData.pid, 'SIGKILL'), workerData.ms)
`

export interface ShutdownOptions {
  readonly graceMs: number
  /** Bounded wait for the log destination (LogDestination.flush). */
  readonly flushLogs: (timeoutMs: number) => Promise<void>
}

export function installShutdown (app: FastifyInstance, { graceMs, flushLogs }: ShutdownOptions): void {
  // A stray write to a closed stdout/stderr must not become an uncaught exception.
  process.stdout.on('error', () => {})
  process.stderr.on('error', () => {})

  // SIGUSR2 is ours (snapshot on demand): close-with-grace would otherwise treat it as a shutdown signal.
  closeWithGrace({
    delay: graceMs,
    skip: ['SIGUSR2'],
    // Its default logger is console, which writes synchronously to a pipe: nothing here may block.
    logger: false,
    onSecondSignal: (signal) => app.log.error({ signal }, 'second signal: exiting now'),
    onTimeout: (delay) => app.log.error({ graceMs: delay }, 'shutdown took longer than the grace period: exiting now'),
    onSecondError: (err) => app.log.error({ err }, 'error while closing: exiting now')
  }, async ({ signal, err }) => {
    startWatchdog(graceMs + WATCHDOG_MARGIN_MS)
    if (err !== undefined) app.log.error({ err }, 'closing after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
    await flushLogs(LOG_FLUSH_MS)
  })
}

/** Kills the process after `ms` from its own thread, whatever the main thread is doing. */
function startWatchdog (ms: number): void {
  try {
    new Worker(WATCHDOG, { eval: true, workerData: { ms, pid: process.pid } }).unref()
  /* c8 ignore start -- a thread cannot be started only when the process is out of memory or threads, which no test can arrange safely */
  } catch {
    // No thread available: the grace-period timer on the main thread still stands.
  }
  /* c8 ignore stop */
}
