/** Entry point: config, buildApp, signals, listen. Nothing else. */
import { ConfigError, loadConfig, type Config } from './config.js'
import { buildApp } from './app.js'
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
  throw error
}

// stdout without blocking: a dead or stalled reader must not hang shutdown (see log-destination.ts).
const logs = new LogDestination(1)
const logger = { level: config.logLevel, stream: logs }

const app = await buildApp(config, { logger })

// First signal drains; a second one, or the end of SHUTDOWN_GRACE_MS, exits 1 at once.
installShutdown(app, { graceMs: config.shutdownGraceMs, flushLogs: (ms) => logs.flush(ms) })

// SIGUSR2: take a snapshot on demand (e.g. before a backup), without an HTTP admin surface.
process.on('SIGUSR2', () => {
  app.persistence?.snapshot().then(
    () => app.log.info({ snapshotSeq: app.persistence?.stats().last_snapshot_seq }, 'snapshot written'),
    (err: unknown) => app.log.error({ err }, 'snapshot failed'))
})

await app.listen({ host: config.host, port: config.port })
