import type { Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp, type BuildOptions } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'

/** Config for tests: defaults plus overrides, journal in a fresh temp dir unless given. */
export function testConfig (t: Test, env: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-test-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  // Load shedding off unless a test asks for it: a busy CI machine must not turn orders into 503s.
  return loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dataDir, PORT: '0', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0', AUTH: 'off', ...env })
}

/** One isolated app per test, closed when the test ends. */
export async function buildTestApp (t: Test, env: Record<string, string> = {}, options: BuildOptions = {}) {
  const app = await buildApp(testConfig(t, env), { logger: false, ...options })
  t.teardown(() => app.close())
  return app
}
