import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real listening server on 127.0.0.1 with a random port and its own data dir. */
export async function startServer (env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-server-'))
  const config = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0', RATE_LIMIT_ENABLED: 'false', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', AUTH: 'off', ...env })
  const app = await buildApp(config, { logger: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    async close () {
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
