/** Entry point: config, buildApp, signals, listen. Nothing else. */
import { ConfigError, loadConfig, type Config } from './config.js'
import { buildApp, type App } from './app.js'
import { StartupRefusedError } from './journal/errors.js'
import { LogDestination } from './log-destination.js'
import { installShutdown } from './shutdown.js'

let config: Config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`)
    process.exit(1)
  }
  /* c8 ignore start -- loadConfig reports every bad value as a ConfigError; anything else is a bug and keeps its stack */
  throw error
}
/* c8 ignore stop */

// stdout without blocking: a dead or stalled reader must not hang shutdown (see log-destination.ts).
const logs = new LogDestination(1)
const logger = { level: config.logLevel, stream: logs }

let app: App
try {
  app = await buildApp(config, { logger })
} catch (error) {
  // The data directory cannot be used as it is (damaged journal, other filters, lock held):
  // one plain line for the operator, exit 1, no stack. Anything else is a bug and keeps its stack.
  if (error instanceof StartupRefusedError) {
    process.stderr.write(`start refused: ${error.message}\n`)
    process.exit(1)
  }
  /* c8 ignore start -- a bug (no environment makes buildApp throw anything but StartupRefusedError): it keeps its stack */
  throw error
}
/* c8 ignore stop */

// First signal drains; a second one, or the end of SHUTDOWN_GRACE_MS, exits 1 at once.
installShutdown(app, { graceMs: config.shutdownGraceMs, flushLogs: (ms) => logs.flush(ms) })

// SIGUSR2: take a snapshot on demand (e.g. before a backup), without an HTTP admin surface.
process.on('SIGUSR2', () => {
  app.exchange.snapshot().then(
    (written) => app.log.info({ snapshotSeq: written?.seq ?? null }, written === null ? 'no journal, no snapshot' : 'snapshot written'),
    (err: unknown) => app.log.error({ err }, 'snapshot failed'))
})

await app.listen({ host: config.host, port: config.port })
