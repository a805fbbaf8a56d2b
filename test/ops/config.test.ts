import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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
/** One test per refused environment: a ConfigError whose message matches. */
function refuses (cases: ReadonlyArray<readonly [Record<string, string>, RegExp]>): void {
  for (const [env, message] of cases) {
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
}

refuses(bad)

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

t.test('auth: defaults, the per-account cap only with AUTH=required, secrets from variables or files', async (t) => {
  const config = loadConfig({ DATA_DIR: '/var/lib/exchange' })
  t.strictSame(config.auth, {
    mode: 'required',
    recvWindowMs: 5000,
    replayCacheMax: 500_000,
    keyOrdersPerSecond: 50,
    secretsDir: join(process.cwd(), 'secrets'),
    adminToken: null,
    masterSecret: null
  })
  t.equal(config.engine.maxOpenOrdersPerAccount, 1000)
  t.equal(loadConfig({ MAX_OPEN_ORDERS_PER_ACCOUNT: '7' }).engine.maxOpenOrdersPerAccount, 7)
  t.throws(() => loadConfig({ AUTH: 'off', MAX_OPEN_ORDERS_PER_ACCOUNT: 'abc' }), /MAX_OPEN_ORDERS_PER_ACCOUNT must be an integer/, 'validated with AUTH=off too')
  t.equal(config.engine.fillHistoryLimit, 100_000)
  t.equal(loadConfig({ FILL_HISTORY_LIMIT: '12' }).engine.fillHistoryLimit, 12)
  t.throws(() => loadConfig({ FILL_HISTORY_LIMIT: '0' }), /FILL_HISTORY_LIMIT must be an integer from 1/)
  t.equal(config.engine.defaultStp, 'cancel_maker')
  t.throws(() => loadConfig({ DEFAULT_STP: 'cancel_everything' }), /DEFAULT_STP must be one of cancel_maker, cancel_taker, cancel_both, none/)
  const off = loadConfig({ AUTH: 'off', ADMIN_TOKEN_FILE: '/does/not/exist' })
  t.equal(off.engine.maxOpenOrdersPerAccount, null, 'the anonymous account has no cap')
  t.equal(off.auth.adminToken, null, 'AUTH=off reads no secret')
  const dir = mkdtempSync(join(tmpdir(), 'cfg-auth-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'token'), 'admin-token-in-a-file-0123\n')
  writeFileSync(join(dir, 'master'), 'm'.repeat(40))
  const files = loadConfig({ ADMIN_TOKEN_FILE: join(dir, 'token'), AUTH_MASTER_SECRET_FILE: join(dir, 'master'), SECRETS_DIR: join(dir, 's') })
  t.equal(files.auth.adminToken, 'admin-token-in-a-file-0123', 'trimmed')
  t.equal(files.auth.masterSecret, 'm'.repeat(40))
  t.equal(files.auth.secretsDir, join(dir, 's'))
  const inline = loadConfig({ AUTH: 'REQUIRED', ADMIN_TOKEN: 'x'.repeat(16), AUTH_MASTER_SECRET: 'y'.repeat(32), AUTH_RECV_WINDOW_MS: '1000', AUTH_REPLAY_CACHE_MAX: '10', AUTH_KEY_ORDERS_PER_SECOND: '5' })
  t.match(inline.auth, { mode: 'required', adminToken: 'x'.repeat(16), masterSecret: 'y'.repeat(32), recvWindowMs: 1000, replayCacheMax: 10, keyOrdersPerSecond: 5 })
})

const badAuth: Array<[Record<string, string>, RegExp]> = [
  [{ AUTH: 'maybe' }, /AUTH must be one of required, off/],
  [{ AUTH_RECV_WINDOW_MS: '0' }, /AUTH_RECV_WINDOW_MS must be an integer from 100/],
  [{ AUTH_REPLAY_CACHE_MAX: '0' }, /AUTH_REPLAY_CACHE_MAX must be an integer from 1/],
  [{ AUTH_KEY_ORDERS_PER_SECOND: 'lots' }, /AUTH_KEY_ORDERS_PER_SECOND must be an integer/],
  [{ MAX_OPEN_ORDERS_PER_ACCOUNT: '0' }, /MAX_OPEN_ORDERS_PER_ACCOUNT must be an integer from 1/],
  [{ ADMIN_TOKEN: 'short' }, /ADMIN_TOKEN must hold 16 to 1024 visible ASCII characters/],
  [{ ADMIN_TOKEN: 'with a space in the token' }, /ADMIN_TOKEN must hold 16/],
  [{ AUTH_MASTER_SECRET: 'x'.repeat(31) }, /AUTH_MASTER_SECRET must hold 32 to 1024/],
  [{ ADMIN_TOKEN: 'x'.repeat(16), ADMIN_TOKEN_FILE: '/etc/hostname' }, /ADMIN_TOKEN and ADMIN_TOKEN_FILE are both set/],
  [{ ADMIN_TOKEN_FILE: '/does/not/exist' }, /ADMIN_TOKEN_FILE is not readable: ENOENT/],
  [{ DATA_DIR: '/srv/data', SECRETS_DIR: '/srv/data/secrets' }, /SECRETS_DIR \(\/srv\/data\/secrets\) must not be inside DATA_DIR \(\/srv\/data\)/],
  [{ DATA_DIR: '/srv/data', SECRETS_DIR: '/srv/data' }, /SECRETS_DIR .* must not be inside DATA_DIR/],
  [{ DATA_DIR: '/srv/data', SECRETS_DIR: '/srv/data/../data/x', AUTH: 'off' }, /SECRETS_DIR .* must not be inside DATA_DIR/],
  [{ DATA_DIR: '/srv/data', AUTH_MASTER_SECRET_FILE: '/srv/data/master.key' }, /AUTH_MASTER_SECRET_FILE must not be inside DATA_DIR/]
]
refuses(badAuth)

t.test('a SECRETS_DIR beside DATA_DIR (or named like it) is fine', async (t) => {
  t.equal(loadConfig({ DATA_DIR: '/srv/data', SECRETS_DIR: '/srv/data-secrets' }).auth.secretsDir, '/srv/data-secrets')
  t.equal(loadConfig({ DATA_DIR: '/srv/data', SECRETS_DIR: '/srv/secrets' }).auth.secretsDir, '/srv/secrets')
  t.equal(loadConfig({ DATA_DIR: '/srv/data/..x', SECRETS_DIR: '/srv/data/..x2' }).auth.secretsDir, '/srv/data/..x2')
})
