/**
 * Signed order entry in the load harness (load/harness/auth.ts and --auth / --scenario auth):
 * - the Signer's headers are src/auth/signature.ts's signature, one key per connection;
 * - the scratch secrets hold no secret text in the server's environment (which the results record);
 * - against the real server (dist/src/server.js) started with AUTH=required: an unsigned order is refused,
 *   the harness's signed orders are all accepted for the key's own account, and a short --scenario auth
 *   run measures both modes and reports the ratio. Every server is killed in teardown; no timings asserted.
 */
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { sign, signingPayload } from '../../src/auth/signature.js'
import { adminTokenFromEnv, authSetup, Signer, unverifiedSigner } from '../../load/harness/auth.js'
import { Context } from '../../load/harness/context.js'
import { runHttpLoad } from '../../load/harness/http-load.js'
import { randomOrder } from '../../load/harness/orders.js'
import { killAll } from '../../load/harness/procs.js'
import { DEFAULT_OPTIONS, parseCli, runHarness } from '../../load/harness/run.js'
import { signedVsOff } from '../../load/harness/summary.js'
import type { HttpLoadResult, MonitorSample, PhaseResult } from '../../load/harness/types.js'

const keys = [
  { accountId: 'a-1', keyId: '0'.repeat(32), secret: 'a'.repeat(64) },
  { accountId: 'a-2', keyId: '1'.repeat(32), secret: 'b'.repeat(64) }
]

t.test('the Signer signs as src/auth/signature.ts, one key per slot, a fresh timestamp each time', async (t) => {
  const signer = new Signer(keys)
  const body = '{"symbol":"BTC-USDT"}'
  for (const slot of [0, 1, 2, 3]) {
    const key = keys[slot % 2]
    const h = signer.headers(slot, 'POST', '/order', body)
    t.equal(h['x-api-key'], key.keyId, `slot ${slot}: key ${slot % 2}`)
    t.match(h['x-timestamp'], /^\d{13}$/)
    t.ok(Math.abs(Number(h['x-timestamp']) - Date.now()) < 5000, 'timestamp is now')
    t.equal(h['x-signature'], sign(key.secret, signingPayload(h['x-timestamp'], 'POST', '/order', body)), `slot ${slot}: signature`)
    t.not(h['x-signature'], sign(keys[(slot + 1) % 2].secret, signingPayload(h['x-timestamp'], 'POST', '/order', body)), 'not the other key\'s')
  }
  t.throws(() => new Signer([]), /at least one key/)
  const bare = unverifiedSigner(3)
  t.equal(new Set(bare.keys.map((k) => k.keyId)).size, 3, 'baseline keys are distinct')
  t.ok(bare.keys.every((k) => /^[0-9a-f]{32}$/.test(k.keyId) && /^[0-9a-f]{64}$/.test(k.secret)), 'shaped as real keys (same header bytes)')
})

t.test('scratch secrets: files of mode 0600, only their paths in the server env', async (t) => {
  const setup = authSetup()
  t.teardown(setup.cleanup)
  const dir = setup.env.SECRETS_DIR
  t.equal(setup.env.AUTH, 'required')
  t.equal(readFileSync(setup.env.ADMIN_TOKEN_FILE, 'utf8'), setup.adminToken)
  t.match(readFileSync(setup.env.AUTH_MASTER_SECRET_FILE, 'utf8'), /^[0-9a-f]{64}$/)
  for (const file of [setup.env.ADMIN_TOKEN_FILE, setup.env.AUTH_MASTER_SECRET_FILE]) t.equal(statSync(file).mode & 0o777, 0o600, `${file} is 0600`)
  const recorded = JSON.stringify(setup.env)
  t.notMatch(recorded, setup.adminToken, 'no admin token in the env the results record')
  t.notMatch(recorded, readFileSync(setup.env.AUTH_MASTER_SECRET_FILE, 'utf8'), 'no master secret either')
  t.ok(Number(setup.env.AUTH_KEY_ORDERS_PER_SECOND) >= 1e6 && Number(setup.env.MAX_OPEN_ORDERS_PER_ACCOUNT) >= 1e6, 'limits far above a benchmark')
  setup.cleanup()
  t.throws(() => statSync(dir), 'cleanup removes the directory')

  t.equal(adminTokenFromEnv({ ADMIN_TOKEN: 'tok' }), 'tok')
  const other = mkdtempSync(join(tmpdir(), 'harness-auth-'))
  t.teardown(() => rmSync(other, { recursive: true, force: true }))
  writeFileSync(join(other, 'token'), 'from-file\n')
  t.equal(adminTokenFromEnv({ ADMIN_TOKEN_FILE: join(other, 'token') }), 'from-file', 'ADMIN_TOKEN_FILE, trimmed')
  t.throws(() => adminTokenFromEnv({}), /set ADMIN_TOKEN \(or ADMIN_TOKEN_FILE\).*--auth off/, 'neither: a clear error')
})

t.test('--auth is required by default and takes only required or off', async (t) => {
  t.equal(DEFAULT_OPTIONS.auth, 'required')
  t.equal(parseCli(['--scenario', 'orders']).auth, 'required')
  t.equal(parseCli(['--auth', 'off']).auth, 'off')
  t.equal(parseCli(['--scenario', 'auth']).scenario, 'auth')
  t.throws(() => parseCli(['--auth', 'maybe']), /--auth must be one of required, off/)
})

function http (ok: number, p99: number): HttpLoadResult {
  return { label: 'x', mode: 'saturation', targetRate: null, connections: 16, startedAt: 0, durationS: 10, sent: ok * 10, completed: ok * 10, dropped: 0, throughput: ok, okThroughput: ok, latency: { count: 1, mean: 1, min: 1, p50: 1, p90: 1, p99, p999: p99, max: p99 }, serverProcessing: null, statusCodes: { 200: ok * 10 }, errors: {}, errorCount: 0, ordersByStatus: {}, tradesExecuted: 0, series: [] }
}
const sample = (cpuPct: number): MonitorSample => ({ at: 0, cpuPct, rssMb: 100, hostCpuPct: 100, hostIrqPct: 0, harnessCpuPct: 30, eventLoopLagMs: null, eventLoopDelayP99Ms: null, eventLoopDelayMaxMs: null, wsConnections: null, sockets: null, others: {} })
const phase = (name: string, h: HttpLoadResult, cpuPct = 50): PhaseResult => ({ scenario: 'auth', name, description: '', target: 'service', startedAt: 0, endedAt: 1, env: {}, http: h, consumers: null, monitor: [sample(cpuPct), sample(cpuPct)], gateway: null, notes: [] })

t.test('the signed-vs-off target is the ratio of the means of the two runs of each mode', async (t) => {
  const met = signedVsOff([phase('off', http(1000, 2)), phase('signed', http(950, 3)), phase('signed-again', http(910, 3)), phase('off-again', http(1000, 2))])
  t.equal(met.met, true)
  t.match(met.measured, /^93\.0% \(930 vs 1000 orders\/s\)$/)
  const miss = signedVsOff([phase('off', http(1000, 2)), phase('signed', http(800, 3)), phase('signed-again', http(850, 3)), phase('off-again', http(1100, 2))])
  t.equal(miss.met, false, '825 vs 1050 = 78.6%: missed')
  t.match(miss.detail, /best of each 77\.3%/, 'best run of each mode: 850 vs 1100')
  t.match(miss.detail, /per server CPU-second 78\.6% \(1650 vs 2100 orders\)/, 'orders per server CPU-second (50% of a core)')
  const starved = signedVsOff([phase('off', http(1000, 2), 50), phase('signed', http(500, 3), 25), phase('signed-again', http(950, 3), 50), phase('off-again', http(1000, 2), 50)])
  t.match(starved.detail, /per server CPU-second 97\.5% \(1950 vs 2000 orders\)/, 'a run starved of CPU by other work costs the rate, not the orders per CPU-second')
  t.equal(signedVsOff([phase('off', http(1000, 2))]).met, null, 'not measured without signed runs')
})

t.test('against the real server with AUTH=required: unsigned refused, the harness\'s signed orders accepted for their own accounts', async (t) => {
  t.teardown(killAll)
  const ctx = new Context({ ...DEFAULT_OPTIONS, connections: 4, log: () => {} })
  await ctx.withService('auth-test', {}, async (svc) => {
    t.equal(svc.env.AUTH, 'required', 'started with AUTH=required')
    t.ok(svc.signer !== null && svc.signer.keys.length >= 4, 'one key per connection at least')
    const signer = svc.signer as Signer
    t.equal(new Set(signer.keys.map((k) => k.accountId)).size, signer.keys.length, 'one account per key')

    const body = JSON.stringify(randomOrder())
    const unsigned = await request(`${svc.url}/order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    t.equal(unsigned.statusCode, 401, 'an unsigned order is refused')
    t.equal((await unsigned.body.json() as { error_code: string }).error_code, 'INVALID_API_KEY')

    const order = { ...randomOrder(), order_type: 'limit', price: '1.00', quantity: '20.00', symbol: 'SOL-USDT', side: 'buy' }
    const text = JSON.stringify(order)
    const placed = await request(`${svc.url}/order`, { method: 'POST', headers: { 'content-type': 'application/json', ...signer.headers(1, 'POST', '/order', text) }, body: text })
    const placedBody = await placed.body.json() as { order_id: string, account_id?: string }
    t.equal(placed.statusCode, 200, `a signed order is accepted: ${JSON.stringify(placedBody)}`)
    const path = `/order/${placedBody.order_id}?symbol=SOL-USDT`
    const status = await request(`${svc.url}${path}`, { headers: signer.headers(1, 'GET', path, '') })
    const statusBody = await status.body.json() as { account_id?: string }
    t.equal(status.statusCode, 200, 'its status, signed with the same key')
    t.equal(statusBody.account_id, signer.keys[1].accountId, 'the order belongs to the key\'s account')
    const other = await request(`${svc.url}${path}`, { headers: signer.headers(2, 'GET', path, '') })
    t.equal(other.statusCode, 404, 'another load account does not see it')
    await other.body.dump()

    const load = await runHttpLoad({ url: svc.url, label: 'signed', mode: 'saturation', connections: 4, durationMs: 1000, body: () => randomOrder(), signer })
    t.ok(load.completed > 0, `signed orders sent: ${load.completed}`)
    t.equal(load.errorCount, 0, `every signed order accepted: ${JSON.stringify(load.errors)}`)
  }, 'required')
})

t.test('a short --scenario auth run: both modes measured, checks pass, the ratio reported', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'harness-auth-'))
  t.teardown(() => {
    killAll()
    rmSync(outDir, { recursive: true, force: true })
  })
  const lines: string[] = []
  const result = await runHarness({
    scenario: 'auth',
    outDir,
    connections: 4,
    seconds: { ...DEFAULT_OPTIONS.seconds, saturation: 1 },
    log: (line) => lines.push(line)
  })
  const names = result.phases.filter((p) => p.scenario === 'auth').map((p) => p.name)
  t.same(names, ['off-warmup', 'off', 'signed-warmup', 'signed', 'signed-again-warmup', 'signed-again', 'off-again-warmup', 'off-again'])
  for (const p of result.phases) {
    t.equal(p.env.AUTH, p.name.startsWith('off') ? 'off' : 'required', `${p.name}: server started with AUTH=${p.env.AUTH}`)
    t.ok((p.http?.statusCodes['200'] ?? 0) > 0, `${p.name}: orders accepted`)
    t.equal(p.http?.errorCount, 0, `${p.name}: no errors ${JSON.stringify(p.http?.errors)}`)
  }
  t.same(result.checks.filter((c) => !c.ok), [], 'every pass/fail rule passed')
  const target = result.targets.find((x) => x.id === 'signed-vs-off')
  t.type(target?.met, 'boolean', 'the ratio was measured')
  t.match(target?.measured, /^\d+\.\d% \(\d+ vs \d+ orders\/s\)$/)
  t.ok(lines.some((l) => /signed \d+ orders\/s vs AUTH=off \d+ orders\/s: [\d.]+%/.test(l)), 'both rates and the ratio printed')
  const recorded = readFileSync(result.files.json, 'utf8')
  t.notMatch(recorded, /"secret"/, 'no key secret in the results')
})
