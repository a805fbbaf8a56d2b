/** Entry point: config, buildApp, signals, listen. Nothing else. */
import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig, type Config } from './config.js'
import { buildApp, type App } from './app.js'
import { StartupRefusedError } from './journal/errors.js'

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

let app: App
try {
  app = await buildApp(config)
} catch (error) {
  // The data directory cannot be used as it is (damaged journal, other filters, lock held):
  // one plain line for the operator, exit 1, no stack. Anything else is a bug and keeps its stack.
  if (error instanceof StartupRefusedError) {
    process.stderr.write(`start refused: ${error.message}\n`)
    process.exit(1)
  }
  throw error
}

// A second signal during the grace period exits at once (close-with-grace's default).
// SIGUSR2 is ours (snapshot on demand): close-with-grace would otherwise treat it as a shutdown signal.
closeWithGrace({ delay: config.shutdownGraceMs, skip: ['SIGUSR2'] }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'closing after an error')
  else app.log.info({ signal }, 'shutting down')
  await app.close()
})

// SIGUSR2: take a snapshot on demand (e.g. before a backup), without an HTTP admin surface.
process.on('SIGUSR2', () => {
  app.exchange.snapshot().then(
    (written) => app.log.info({ snapshotSeq: written?.seq ?? null }, written === null ? 'no journal, no snapshot' : 'snapshot written'),
    (err: unknown) => app.log.error({ err }, 'snapshot failed'))
})

await app.listen({ host: config.host, port: config.port })
