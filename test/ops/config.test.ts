import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, PACKAGE_ROOT, findPackageRoot, loadConfig, openFilesLimit, usableMemory } from '../../src/config.js'
import { buildApp } from '../../src/app.js'
import { testConfig } from '../helpers/build-app.js'

t.test('defaults', async (t) => {
  const config = loadConfig({})
  t.equal(config.port, 3000)
  t.equal(config.journal.fsync, 'batch')
  t.equal(config.rateLimit.max, 10_000)
  t.equal(config.rateLimit.readMax, 6_000)
  t.strictSame(config.metrics, { token: '', public: false }, '/metrics closed by default')
  t.equal(config.engine.symbols.length, 4)
  t.ok(Object.isFrozen(config.ws), 'frozen all the way down')
})

const bad: Array<[Record<string, string>, RegExp]> = [
  [{ PORT: '70000' }, /PORT must be an integer from 0 to 65535, got "70000"/],
  [{ PORT: 'abc' }, /PORT must be an integer/],
  [{ RATE_LIMIT_ENABLED: 'maybe' }, /RATE_LIMIT_ENABLED must be true or false/],
  [{ JOURNAL_FSYNC: 'sometimes' }, /JOURNAL_FSYNC must be one of always, batch, none/],
  [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
  [{ SYMBOLS: 'not json' }, /SYMBOLS is not readable JSON/],
  [{ SYMBOLS: '[]' }, /non-empty JSON array/],
  [{ SYMBOLS: '[1]' }, /SYMBOLS\[0\] must be an object/],
  [{ SYMBOLS: '[null]' }, /SYMBOLS\[0\] must be an object/],
  [{ SYMBOLS: '[{"symbol":"X-Y","tickSize":"0.01"}]' }, /SYMBOLS\[0\]\.minQuantity must be a decimal string/],
  [{ SYMBOLS: '[{"symbol":"X-Y","tickSize":"0.01","minQuantity":"0.000000001"}]' }, /min quantity must be a positive multiple of the lot size/],
  [{ MAKER_FEE_RATE: '2' }, /maker fee rate/],
  [{ WS_MAX_BUFFERED_BYTES: '10' }, /WS_MAX_BUFFERED_BYTES must be an integer from 1024/],
  [{ RATE_LIMIT_READ_MAX: '0' }, /RATE_LIMIT_READ_MAX must be an integer from 1/],
  [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN must be 16 to 256 visible ASCII characters/],
  [{ METRICS_TOKEN: 'has a space in it ok' }, /METRICS_TOKEN must be 16 to 256 visible ASCII characters/],
  [{ METRICS_TOKEN: '0123456789abcdef', METRICS_PUBLIC: 'true' }, /contradict each other/]
]
for (const [env, message] of bad) {
  t.test(`refuses ${JSON.stringify(env)} with a clear message`, async (t) => {
    let caught: unknown
    try {
      loadConfig(env)
    } catch (error) {
      caught = error
    }
    t.ok(caught instanceof ConfigError, 'a ConfigError')
    t.match((caught as Error).message, message)
  })
}

t.test('symbols from SYMBOLS and from SYMBOLS_FILE', async (t) => {
  const inline = loadConfig({ SYMBOLS: '[{"symbol":"doge-usdt","tickSize":"0.00001","minQuantity":"1","lotSize":"1"}]' })
  t.same(inline.engine.symbols.map((s) => s.symbol), ['doge-usdt'])
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'symbols.json')
  writeFileSync(file, JSON.stringify([{ symbol: 'ADA-USDT', tickSize: '0.0001', minQuantity: '1' }]))
  t.same(loadConfig({ SYMBOLS_FILE: file }).engine.symbols.map((s) => s.symbol), ['ADA-USDT'])
})

t.test('the descriptor limit: read from /proc/self/limits; unlimited or unreadable leaves MAX_CONNECTIONS as configured', async (t) => {
  t.equal(openFilesLimit(() => 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n'), 1024)
  t.equal(openFilesLimit(() => 'Max open files            unlimited            unlimited            files\n'), null, 'unlimited')
  t.equal(openFilesLimit(() => { throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }) }), null, 'no /proc (not Linux)')
  t.type(openFilesLimit(), 'number', 'this Linux process has a finite limit')
})

t.test('usable memory: a cgroup limit below the machine RAM, else the RAM', async (t) => {
  const GiB = 1024 ** 3
  t.equal(usableMemory(16 * GiB, 2 * GiB), 2 * GiB, 'constrained')
  t.equal(usableMemory(16 * GiB, undefined), 16 * GiB, 'no cgroup limit (Node 20)')
  t.equal(usableMemory(16 * GiB, 0), 16 * GiB, 'no cgroup limit reported as 0')
  t.equal(usableMemory(16 * GiB, 2 ** 62), 16 * GiB, 'an unlimited cgroup reads as a huge number')
})

t.test('the package root: found upwards from dist/src or src; the start itself when there is none', async (t) => {
  t.equal(findPackageRoot(join(PACKAGE_ROOT, 'dist', 'src')), PACKAGE_ROOT)
  t.equal(findPackageRoot(join(PACKAGE_ROOT, 'src')), PACKAGE_ROOT)
  // Assumes no package.json in the system temp dir or above it (/tmp, /), as on any machine that runs these tests.
  const lonely = mkdtempSync(join(tmpdir(), 'noroot-'))
  t.equal(findPackageRoot(lonely), lonely)
})

t.test('without a logger option, buildApp logs at LOG_LEVEL', async (t) => {
  const app = await buildApp(testConfig(t, { LOG_LEVEL: 'error' }))
  t.teardown(() => app.close())
  t.equal(app.log.level, 'error')
})
