/**
 * The k6 scripts, checked without k6 (it cannot be installed here):
 * - they parse as ES2017, the level k6 0.48's parser takes (it ran Babel 6 over every ES-module script;
 *   `catch {` without a binding, `?.`, `??` and object spread only parse from k6 0.53), and import only
 *   modules every k6 from 0.48 to 2.x has, with no global timers (k6 >= 0.50);
 * - their init code, setup(), consume() and handleSummary() run under Node with stand-ins for k6's modules
 *   (test/load/k6-stub), so the pass/fail rules are read from the real `options` the scripts export.
 */
import t, { type Test } from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, type Node } from 'acorn'
import { sign, signingPayload, wsSignInPayload } from '../../src/auth/signature.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const k6Dir = join(root, 'load/k6')
const stubDir = join(root, 'test/load/k6-stub')

/** The minimum k6 the README states, and the ECMAScript level its script parser takes. */
const MIN_K6 = '0.48'
const ECMA = 2017
/** Built-in modules of k6 0.48 that later versions kept (experimental ones were moved or removed since). */
const K6_MODULES = new Set(['k6', 'k6/crypto', 'k6/data', 'k6/encoding', 'k6/execution', 'k6/html', 'k6/http', 'k6/metrics', 'k6/net/grpc', 'k6/ws'])
const GLOBAL_TIMERS = new Set(['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'])

function scripts (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return scripts(path)
    return name.endsWith('.js') ? [path] : []
  })
}

const parseK6 = (source: string): Node => parse(source, { ecmaVersion: ECMA, sourceType: 'module' })

/** Every node of the tree, with its parent. */
function walk (node: Node, visit: (n: Node & Record<string, unknown>, parent: Node | null) => void, parent: Node | null = null): void {
  visit(node as Node & Record<string, unknown>, parent)
  for (const value of Object.values(node)) {
    const children = Array.isArray(value) ? value : [value]
    for (const child of children) {
      if (child !== null && typeof child === 'object' && typeof (child as Node).type === 'string') walk(child as Node, visit, node)
    }
  }
}

t.test(`the parser check can fail: ES2018+ syntax k6 ${MIN_K6} cannot parse is refused`, async (t) => {
  for (const code of ['try { f() } catch { g() }', 'a?.b', 'a ?? b', 'const x = { ...y }', 'class A { x = 1 }', '/(?<n>a)/']) {
    t.throws(() => parseK6(code), `refused: ${code}`)
  }
  t.doesNotThrow(() => parseK6('async function f () { try { await g() } catch (e) { return e } }'), 'ES2017 is accepted')
})

const files = scripts(k6Dir)
t.ok(files.length >= 8, 'scripts and lib files found')

for (const file of files) {
  const name = relative(root, file)
  t.test(`${name} parses as ES${ECMA} and uses only what k6 ${MIN_K6} has`, async (t) => {
    const source = readFileSync(file, 'utf8')
    let ast: Node | null = null
    t.doesNotThrow(() => { ast = parseK6(source) }, 'parses')
    if (ast === null) return
    walk(ast, (node, parent) => {
      if (node.type === 'ImportDeclaration') {
        const from = (node.source as { value: string }).value
        if (from.startsWith('./') || from.startsWith('../')) {
          t.ok(existsSync(join(dirname(file), from)), `relative import ${from} exists`)
        } else {
          t.ok(K6_MODULES.has(from), `import '${from}' is a k6 ${MIN_K6}+ built-in module`)
        }
      }
      if (node.type === 'ImportExpression') t.fail('no dynamic import()')
      if (node.type === 'Identifier' && GLOBAL_TIMERS.has(node.name as string)) {
        const p = parent as (Node & { property?: Node, computed?: boolean }) | null
        t.ok(p?.type === 'MemberExpression' && p.property === node && p.computed !== true, `${String(node.name)} only as a method (socket.${String(node.name)}), not the global timer of k6 >= 0.50`)
      }
    })
  })
}

interface SentRequest { method: string, url: string, body: string | null, headers: Record<string, string> }

interface Driven {
  sent?: Array<Record<string, unknown>>
  options?: { scenarios: Record<string, unknown>, thresholds: Record<string, string[]> }
  setup?: { runId: string, apiKey: string | null, notes: string[] }
  summary?: Record<string, string>
  error?: string
  aborted: string | null
  metrics: Record<string, Array<[number, Record<string, string>]>>
  requests: SentRequest[]
  hmacs: Array<{ algorithm: string, data: string, digest: string }>
}

/** Runs drive.mjs: the script under the k6 stand-ins, one action, its observations as JSON. */
function drive (script: string, action: string, env: Record<string, string> = {}): Driven {
  const out = execFileSync(process.execPath, ['--import', join(stubDir, 'register.mjs'), join(stubDir, 'drive.mjs'), join(k6Dir, script), action], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000
  })
  return JSON.parse(out.trim().split('\n').pop() as string) as Driven
}

const total = (d: Driven, metric: string): number => (d.metrics[metric] ?? []).reduce((s, [v]) => s + v, 0)

t.test('every script fails a run that measured nothing, dropped arrivals or fell short of its rate', async (t) => {
  const orders = drive('orders.js', 'options', { RATE: '100', DURATION: '30s' }).options
  t.same(orders?.thresholds.dropped_iterations, ['count<=0'], 'orders.js: no dropped iterations')
  t.same(orders?.thresholds.orders_ok, ['count>=2850'], 'orders.js: 95% of 100/s × 30 s answered 200 (an empty counter has count 0)')

  const spike = drive('spike.js', 'options', { BASE_RATE: '10', SPIKE_RATE: '100', BASELINE_DURATION: '10s', RAMP_DURATION: '2s', SPIKE_DURATION: '10s', RECOVERY_DURATION: '10s' }).options
  t.same(spike?.thresholds.dropped_iterations, ['count<=0'], 'spike.js: no dropped iterations')
  t.same(spike?.thresholds['orders_ok{phase:baseline}'], ['count>=95'], 'spike.js: baseline delivered (10/s × 10 s)')
  t.same(spike?.thresholds['orders_ok{phase:spike}'], ['count>=1159'], 'spike.js: spike delivered (two 2 s ramps 10↔100 + 10 s at 100 = 1220 scheduled)')
  t.same(spike?.thresholds['orders_ok{phase:recovery}'], ['count>=95'], 'spike.js: recovery delivered')

  const suite = drive('suite.js', 'options', { SCALE: '0.1', RATE_SCALE: '0.1' }).options
  t.same(suite?.thresholds.dropped_iterations, ['count<=0'], 'suite.js: no dropped iterations')
  for (const phase of ['warmup', 'low', 'medium', 'high', 'spike']) {
    t.match(suite?.thresholds[`orders_ok{phase:${phase}}`]?.[0], /^count>=[1-9]\d*$/, `suite.js: phase ${phase} must deliver`)
  }
  t.same(suite?.thresholds['orders_ok{phase:high}'], ['count>=1710'], 'suite.js: high = 100/s × 18 s at SCALE 0.1')

  const md = drive('marketdata.js', 'options', { CONSUMERS: '7', ORDER_RATE: '50', DURATION: '10s' }).options
  const th = md?.thresholds ?? {}
  t.same(th.ws_errors, ['count==0'], 'marketdata.js: WebSocket errors fail the run')
  t.same(th.ws_consumers_full, ['count>=7'], 'marketdata.js: every consumer must last the whole run')
  t.same(th.ws_consumers_cut, ['count==0'], 'marketdata.js: no consumer cut off')
  t.same(th['ws_messages_received{type:trade}'], ['count>0'], 'marketdata.js: trades reached consumers')
  t.same(th['ws_messages_received{type:l2_update}'], ['count>0'], 'marketdata.js: book deltas reached consumers')
  t.same(th['orders_ok{scenario:orders}'], ['count>=475'], 'marketdata.js: the order flow delivered its rate')
  t.same(th.dropped_iterations, ['count<=0'], 'marketdata.js: no dropped iterations')
  t.same(th.seq_gaps, ['count==0'], 'marketdata.js: a prev_seq gap fails the run')
  t.same(th.checksum_mismatches, ['count==0'], 'marketdata.js: a checksum mismatch fails the run')
  t.same(th.checksums_verified, ['count>0'], 'marketdata.js: a run that verified no checksum fails')
  t.same(th['l2_accept_to_receipt_ms{interval:raw}'], ['p(99)<250'], 'marketdata.js: l2 latency per interval, raw')
  t.same(th['l2_accept_to_receipt_ms{interval:1000ms}'], ['p(99)<1250'], '... 1000ms allowed its window')
  const lax = drive('marketdata.js', 'options', { REQUIRE_CHECKSUM: 'false', INTERVALS: 'none' }).options?.thresholds ?? {}
  t.equal(lax.checksums_verified, undefined, 'REQUIRE_CHECKSUM=false: a server without checksums may pass')
  t.same(lax.checksum_mismatches, ['count==0'], '...but a mismatch still fails')
  t.same(Object.keys(lax).filter((k) => k.startsWith('l2_accept')), [], 'INTERVALS=none: no per-interval thresholds')
  t.match(drive('marketdata.js', 'options', { INTERVALS: 'raw,250ms' }).error, /unknown interval '250ms'/, 'an unknown interval is refused at init')
})

t.test('marketdata.js verifies each l2 message: prev_seq chained, the CRC-32 of its own book against the checksum', async (t) => {
  const clean = drive('marketdata.js', 'consume-full')
  t.same(clean.sent?.[0], { type: 'subscribe', channel: 'l2_updates', symbol: 'BTC-USDT', depth: 10, interval: 'raw' }, 'VU 1 subscribes at depth 10 on the first interval')
  t.same(clean.sent?.[1], { type: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' })
  t.equal(total(clean, 'checksums_verified'), 4, 'snapshot, delta, resync, delta: each checksum verified (computed by the stand-in with zlib.crc32)')
  t.equal(total(clean, 'checksum_mismatches'), 0, 'the k6 book and CRC-32 agree with zlib')
  t.equal(total(clean, 'seq_gaps'), 0, 'prev_seq chained (seqs not consecutive), and a resync restarts the chain')
  t.same(clean.metrics.resyncs_received?.map(([, tags]) => tags.channel), ['l2_updates', 'trades'], 'both resyncs counted')
  t.same(clean.metrics.l2_accept_to_receipt_ms?.map(([, tags]) => tags.interval), ['raw', 'raw', 'raw'], 'deltas and the resync timed, tagged by interval')
  const corrupt = drive('marketdata.js', 'consume-corrupt')
  t.equal(total(corrupt, 'checksum_mismatches'), 1, 'a wrong checksum counts once')
  t.equal(total(corrupt, 'seq_gaps'), 1, 'a prev_seq that is not the held seq is a gap')
  t.equal(total(corrupt, 'checksums_verified'), 4, 'of 5 l2 messages: the one after the mismatch is not judged until the resync replaced the book')
  const legacy = drive('marketdata.js', 'consume-legacy', { INTERVALS: '100ms' })
  t.equal(total(legacy, 'seq_gaps'), 0, 'a server before issue 13: consecutive seqs are no gap')
  t.equal(total(legacy, 'checksums_verified'), 0, 'nothing to verify (checksums_verified count>0 fails that run)')
  t.equal(legacy.sent?.[0]?.interval, '100ms')
})

t.test('marketdata.js counts a consumer cut off by the server as cut, one that lasted as full', async (t) => {
  const full = drive('marketdata.js', 'consume-full')
  t.equal(total(full, 'ws_consumers_full'), 1, 'lasted: counted full')
  t.equal(total(full, 'ws_consumers_cut'), 0)
  t.equal(total(full, 'seq_gaps'), 0, 'snapshot then seq + 1: no gap')
  const cut = drive('marketdata.js', 'consume-cut')
  t.equal(total(cut, 'ws_consumers_full'), 0, 'closed by the server before the end: not full')
  t.equal(total(cut, 'ws_consumers_cut'), 1, 'counted cut (ws_consumers_cut count==0 fails the run)')
})

t.test('setup() makes one run id for the run and stops a run the rate limit would refuse', async (t) => {
  const a = drive('orders.js', 'setup')
  t.match(a.setup?.runId, /^[0-9a-z]{6,}$/, 'run id made in setup() (handed to every VU as setup data)')
  t.equal(drive('orders.js', 'setup', { RUN_ID: 'fixed1' }).setup?.runId, 'fixed1', 'RUN_ID overrides it')
  t.equal(a.aborted, null, 'no rate limit headers: runs')
  const limited = drive('orders.js', 'setup', { RATE: '500', DURATION: '30s', STUB_RATE_LIMIT: '10000' })
  t.match(limited.aborted, /allows 10000 orders per 60 s.*RATE_LIMIT_ENABLED=false/, 'aborted before the load, naming the limit')
  t.equal(drive('orders.js', 'setup', { RATE: '100', DURATION: '30s', STUB_RATE_LIMIT: '10000' }).aborted, null, 'a run within the limit starts')
  t.equal(drive('suite.js', 'setup', { STUB_RATE_LIMIT: '10000' }).aborted === null, false, 'the full suite would hit the default limit')
})

t.test('handleSummary writes <name>-summary.json under SUMMARY_DIR and names the run', async (t) => {
  for (const name of ['orders', 'spike', 'suite', 'marketdata', 'lifecycle', 'ws-orders']) {
    const summary = drive(`${name}.js`, 'summary', { SUMMARY_DIR: '/results/' }).summary ?? {}
    t.ok(`/results/${name}-summary.json` in summary, `${name}: JSON summary file`)
    t.match(summary.stdout, /run run42/, `${name}: run id in the text summary`)
  }
})

t.test('run.sh fails the run when the summary is not written, whatever k6 exits with', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'k6-run-sh-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  // A stand-in k6: writes the summary the way k6 would (or not), exits with FAKE_RC.
  writeFileSync(join(bin, 'k6'), [
    '#!/bin/sh',
    '[ "$FAKE_WRITE" = 0 ] || echo "{}" > "$SUMMARY_DIR/orders-summary.json"',
    'echo "k6 $*"',
    'exit "$FAKE_RC"'
  ].join('\n') + '\n')
  chmodSync(join(bin, 'k6'), 0o755)
  const run = (env: Record<string, string>) => spawnSync('sh', [join(k6Dir, 'run.sh'), '-e', 'RATE=5', 'load/k6/orders.js'], {
    env: { PATH: `${bin}:${process.env.PATH}`, FAKE_WRITE: '1', FAKE_RC: '0', ...env }, encoding: 'utf8', timeout: 10_000
  })
  const results = join(dir, 'results', 'nested')
  const ok = run({ SUMMARY_DIR: results })
  t.equal(ok.status, 0, `written: k6's exit code (${ok.stderr})`)
  t.match(ok.stdout, /k6 run -e RATE=5 load\/k6\/orders.js/, 'arguments passed to k6 run')
  t.ok(existsSync(join(results, 'orders-summary.json')), 'SUMMARY_DIR created')
  const lost = run({ SUMMARY_DIR: results, FAKE_WRITE: '0' })
  t.equal(lost.status, 3, 'k6 exited 0 but wrote nothing: exit 3 (the previous file does not count)')
  t.match(lost.stderr, /without writing/)
  t.equal(run({ SUMMARY_DIR: results, FAKE_WRITE: '0', FAKE_RC: '99' }).status, 99, 'k6 failed too: its code is kept')
  t.equal(run({ SUMMARY_DIR: results, FAKE_RC: '99' }).status, 99, 'thresholds failed: 99 even with the file')
  if (process.getuid?.() !== 0) {
    const locked = join(dir, 'locked')
    mkdirSync(locked, { mode: 0o555 })
    const refused = run({ SUMMARY_DIR: locked })
    t.equal(refused.status, 3, 'unwritable directory: refused before k6 runs')
    t.notMatch(refused.stdout, /k6 run/, 'k6 never started')
  } else {
    // root writes anywhere; a path under a regular file cannot be created by anyone.
    writeFileSync(join(dir, 'file'), '')
    const refused = run({ SUMMARY_DIR: join(dir, 'file', 'results') })
    t.equal(refused.status, 3, 'directory that cannot be made: refused before k6 runs')
    t.notMatch(refused.stdout, /k6 run/, 'k6 never started')
  }
})

// A key as the admin API shows it: 32 hex key id, 64 hex secret (used as its text).
const KEY = { API_KEY: '0123456789abcdef0123456789abcdef', API_SECRET: 'f'.repeat(32) + '0'.repeat(32) }

/** Asserts that `req` carries X-API-KEY, a fresh X-TIMESTAMP and src/auth/signature.ts's signature of it. */
function assertSigned (t: Test, req: SentRequest, path: string, secret = KEY.API_SECRET): void {
  const name = `${req.method} ${path}`
  t.equal(req.url, `http://127.0.0.1:3999${path}`, `${name}: URL`)
  t.equal(req.headers['X-API-KEY'], KEY.API_KEY, `${name}: X-API-KEY is the key id`)
  const ts = req.headers['X-TIMESTAMP']
  t.match(ts, /^\d{13}$/, `${name}: X-TIMESTAMP in ms`)
  t.ok(Math.abs(Number(ts) - Date.now()) < 60_000, `${name}: X-TIMESTAMP is now`)
  const expected = sign(secret, signingPayload(ts, req.method, path, req.body ?? ''))
  t.equal(req.headers['X-SIGNATURE'], expected, `${name}: X-SIGNATURE = src/auth/signature.ts over timestamp + method + path + body`)
  t.match(req.headers['X-SIGNATURE'], /^[0-9a-f]{64}$/, `${name}: lowercase hex`)
}

t.test('with API_KEY and API_SECRET every private request is signed as src/auth/signature.ts signs', async (t) => {
  const env = { ...KEY, BASE_URL: 'http://127.0.0.1:3999', CANCEL_RATIO: '1', STATUS_RATIO: '1' }
  const run = drive('orders.js', 'iterate', env)
  t.equal(run.error, undefined, 'the iteration ran')
  const [order, status, cancel] = run.requests
  t.equal(run.requests.length, 3, 'order, status, cancel')
  t.equal(order.method, 'POST')
  assertSigned(t, order, '/order')
  t.match(JSON.parse(order.body ?? '{}'), { client_order_id: /^k6-run42-1-0$/ }, 'the signed body is the order sent')
  t.equal(order.headers['Content-Type'], 'application/json')
  t.equal(status.method, 'GET')
  t.equal(status.body, null, 'a GET sends no body (signed as the empty string)')
  assertSigned(t, status, `/order/7?symbol=${JSON.parse(order.body ?? '{}').symbol as string}`)
  t.equal(cancel.method, 'POST')
  assertSigned(t, cancel, '/cancel')
  t.same(JSON.parse(cancel.body ?? '{}'), { symbol: JSON.parse(order.body ?? '{}').symbol, order_id: '7' })
  t.ok(run.hmacs.every((h) => h.algorithm === 'sha256'), 'k6/crypto hmac with sha256')
  t.equal(total(run, 'status_reads'), 1, 'status read counted')

  const md = drive('marketdata.js', 'iterate', { ...KEY, BASE_URL: 'http://127.0.0.1:3999' })
  t.equal(md.requests.length, 1)
  assertSigned(t, md.requests[0], '/order')

  // A service mounted below a path: the server sees (and verifies) the whole path.
  const based = drive('orders.js', 'iterate', { ...KEY, BASE_URL: 'http://127.0.0.1:3999/base/' })
  assertSigned(t, based.requests[0], '/base/order')

  const setup = drive('orders.js', 'setup', { ...KEY, BASE_URL: 'http://127.0.0.1:3999' })
  const probe = setup.requests.find((r) => r.method === 'POST')
  t.ok(probe, 'setup probes order entry')
  if (probe !== undefined) assertSigned(t, probe, '/order')
  t.equal(setup.setup?.apiKey, KEY.API_KEY, 'the key id (never the secret) is in the setup data and the summary')
  t.notMatch(JSON.stringify(setup.setup), KEY.API_SECRET, 'no secret in the setup data')
})

t.test('the signature check can fail: another secret, body or path gives another signature', async (t) => {
  const run = drive('orders.js', 'iterate', { ...KEY, BASE_URL: 'http://127.0.0.1:3999' })
  const req = run.requests[0]
  const ts = req.headers['X-TIMESTAMP']
  const good = sign(KEY.API_SECRET, signingPayload(ts, 'POST', '/order', req.body ?? ''))
  t.equal(req.headers['X-SIGNATURE'], good)
  t.not(sign('0'.repeat(64), signingPayload(ts, 'POST', '/order', req.body ?? '')), good, 'other secret')
  t.not(sign(KEY.API_SECRET, signingPayload(ts, 'POST', '/order', (req.body ?? '') + ' ')), good, 'other body')
  t.not(sign(KEY.API_SECRET, signingPayload(ts, 'POST', '/cancel', req.body ?? '')), good, 'other path')
})

t.test('without a key the requests go unsigned (an AUTH=off service)', async (t) => {
  const run = drive('orders.js', 'iterate', { BASE_URL: 'http://127.0.0.1:3999', CANCEL_RATIO: '1', STATUS_RATIO: '1' })
  t.equal(run.requests.length, 3)
  for (const req of run.requests) {
    t.same(Object.keys(req.headers).filter((h) => h.startsWith('X-')), [], `${req.method} ${req.url}: no signature headers`)
  }
  t.equal(run.hmacs.length, 0, 'nothing signed')
  t.equal(drive('orders.js', 'setup').setup?.apiKey, null)
  const half = drive('orders.js', 'options', { API_KEY: KEY.API_KEY })
  t.match(half.error, /set both API_KEY and API_SECRET/, 'a key id without its secret is refused at init')
})

t.test('setup() stops a run the service will refuse, saying why', async (t) => {
  const unsigned = drive('orders.js', 'setup', { STUB_AUTH: 'required' })
  t.match(unsigned.aborted, /requires signed requests \(INVALID_API_KEY\).*API_KEY.*AUTH=off/, 'no key for an AUTH=required service')
  t.equal(drive('orders.js', 'setup', { ...KEY, STUB_AUTH: 'required' }).aborted, null, 'with a key: runs')
  t.match(drive('orders.js', 'setup', { ...KEY, STUB_AUTH: 'refuse' }).aborted, /refused API_KEY 0123456789abcdef0123456789abcdef: 401 INVALID_SIGNATURE/, 'key refused')
  t.match(drive('orders.js', 'setup', { ...KEY, STUB_AUTH: 'read-only' }).aborted, /403 FORBIDDEN.*trade/, 'key without trade')
  t.equal(drive('orders.js', 'setup', { ...KEY, STUB_AUTH: 'required', IGNORE_RATE_LIMIT: 'true' }).aborted, null, 'IGNORE_RATE_LIMIT skips only the limit')
  t.match(drive('orders.js', 'setup', { STUB_AUTH: 'required', IGNORE_RATE_LIMIT: 'true' }).aborted, /requires signed requests/, '...not the key check')
  t.match(drive('orders.js', 'setup', { ...KEY, RATE: '500', STUB_RATE_LIMIT: '10000' }).aborted, /allows 10000 orders per 60 s from one address/, 'signed runs meet the per-address limit too')
  const fast = drive('orders.js', 'setup', { ...KEY, RATE: '100' })
  t.equal(fast.aborted, null)
  t.match(fast.setup?.notes.join('\n'), /up to 100 orders\/s with one key.*AUTH_KEY_ORDERS_PER_SECOND=100/, 'a signed run above the default per-key limit warns (the limit is in no header)')
  t.match(fast.setup?.notes.join('\n'), /MAX_OPEN_ORDERS_PER_ACCOUNT/, 'and names the open-order cap')
  t.same(drive('orders.js', 'setup', { ...KEY, RATE: '40' }).setup?.notes.filter((n) => /AUTH_KEY_ORDERS_PER_SECOND/.test(n)), [], 'within it: no per-key warning')
  t.same(drive('orders.js', 'setup', { RATE: '100' }).setup?.notes, [], 'unsigned (AUTH=off): no warnings')
})

/** The checks that failed in a driven run (the stand-in records each as a `checks` sample). */
const failedChecks = (d: Driven): string[] => (d.metrics.checks ?? []).filter(([v]) => v === 0).map(([, tags]) => tags.check)
const bodies = (d: Driven, path: string): Array<Record<string, unknown>> =>
  d.requests.filter((r) => r.method === 'POST' && r.url.endsWith(path)).map((r) => JSON.parse(r.body ?? '{}') as Record<string, unknown>)

t.test('lifecycle.js: thresholds fail a run that delivered too little or never saw an amend, an OCO list or a stop work', async (t) => {
  const th = drive('lifecycle.js', 'options', { RATE: '100', DURATION: '30s' }).options?.thresholds ?? {}
  t.same(th.lifecycle_answered, ['count>=2850'], '95% of 100/s × 30 s answered (200 or an expected refusal)')
  t.same(th.amends_ok, ['count>0'], 'an amend accepted')
  t.same(th.oco_ok, ['count>0'], 'an OCO list accepted')
  t.same(th.orders_untriggered, ['count>0'], 'a stop placed untriggered')
  t.same(th.dropped_iterations, ['count<=0'])
  const plain = drive('lifecycle.js', 'options', { LIFECYCLE_MIX: 'limit:1,stop_limit:0' }).options?.thresholds ?? {}
  t.equal(plain.amends_ok, undefined, 'a mix without amends does not require them')
  t.equal(plain.orders_untriggered, undefined, 'nor stops, when their weight is 0')
  t.match(drive('lifecycle.js', 'options', { LIFECYCLE_MIX: 'limit:1,trailing_stop:1' }).error, /unknown order type 'trailing_stop'/, 'an unknown kind is refused at init')
})

t.test('lifecycle.js sends each kind with the wire names of issue 12', async (t) => {
  const one = (kind: string, env: Record<string, string> = {}): Driven => {
    const d = drive('lifecycle.js', 'iterate', { LIFECYCLE_MIX: `${kind}:1`, BASE_URL: 'http://127.0.0.1:3999', ...env })
    t.equal(d.error, undefined, `${kind}: the iteration ran`)
    t.same(failedChecks(d), [], `${kind}: every check passed`)
    return d
  }
  const stop = bodies(one('stop_limit'), '/order')[0]
  t.match(stop, { order_type: 'stop_limit', stop_price: /^\d+\.\d{2}$/, price: /^\d+\.\d{2}$/, quantity: /^\d+\.\d+$/ }, 'stop_limit: stop_price and price')
  const stopMarket = bodies(one('stop_market'), '/order')[0]
  t.match(stopMarket, { order_type: 'stop_market', stop_price: /^\d+\.\d{2}$/ })
  t.notOk('price' in stopMarket, 'stop_market: no price')
  const sm = Number(stopMarket.stop_price)
  const base = ({ 'BTC-USDT': 30000, 'ETH-USDT': 2000, 'BNB-USDT': 300, 'SOL-USDT': 100 } as Record<string, number>)[String(stopMarket.symbol)]
  t.ok(stopMarket.side === 'buy' ? sm > base : sm < base, `buy stops above the base price, sell stops below (${String(stopMarket.side)} ${sm} vs ${base})`)
  const iceberg = bodies(one('iceberg'), '/order')[0]
  t.equal(iceberg.order_type, 'limit')
  t.ok(Number(iceberg.display_quantity) > 0 && Number(iceberg.display_quantity) <= Number(iceberg.quantity), 'iceberg: 0 < display_quantity ≤ quantity')
  t.equal(bodies(one('post_only'), '/order')[0].post_only, true, 'post_only: true')
  const before = Date.now()
  const gtd = bodies(one('gtd'), '/order')[0]
  t.equal(gtd.time_in_force, 'gtd')
  t.ok(typeof gtd.expire_time === 'number' && (gtd.expire_time as number) * 1000 >= before + 2000 && (gtd.expire_time as number) * 1000 <= Date.now() + 30_000,
    'gtd: expire_time in epoch seconds, 2..30 s ahead')
  t.match(String(gtd.expire_time), /^\d+(\.\d{1,3})?$/, 'gtd: at most 3 decimals')
  const quote = bodies(one('quote_market'), '/order')[0]
  t.equal(quote.order_type, 'market')
  t.notOk('quantity' in quote, 'quote-sized market order: no quantity')
  t.ok(Number(quote.quote_quantity) >= 10, 'quote_quantity at or above the min notional')
  const oco = one('oco')
  const list = bodies(oco, '/oco')[0]
  t.match(list, { side: /^(buy|sell)$/, quantity: /\d/, price: /\d/, stop_price: /\d/, limit_client_order_id: /-l$/, stop_client_order_id: /-s$/ }, 'POST /oco with the limit and stop legs')
  t.ok(list.side === 'buy' ? Number(list.price) < Number(list.stop_price) : Number(list.price) > Number(list.stop_price), 'the limit leg below the stop for a buy, above for a sell')
  t.equal(total(oco, 'oco_ok'), 1, 'oco_ok counted')

  // An amend needs an order of this VU that rested: with none yet the first iteration places a limit.
  const amends = drive('lifecycle.js', 'iterate', { LIFECYCLE_MIX: 'limit:1,amend:3', STUB_ITERATIONS: '12', BASE_URL: 'http://127.0.0.1:3999' })
  t.same(failedChecks(amends), [])
  t.equal(amends.requests[0].url, 'http://127.0.0.1:3999/order', 'the first request places an order')
  const sent = bodies(amends, '/amend')
  t.ok(sent.length > 0, `amends sent (${sent.length})`)
  for (const a of sent) {
    t.equal(a.order_id, '7', 'an amend targets the order that rested')
    t.ok(('new_price' in a) !== ('new_quantity' in a), 'one new value: new_price or new_quantity')
  }
  t.equal(total(amends, 'amends_ok'), sent.length, 'amends_ok counts the accepted amends')
  t.equal(total(amends, 'lifecycle_answered'), 12, 'every answer counted')
})

t.test('lifecycle.js counts expected refusals, and fails the checks on any other', async (t) => {
  const expected = drive('lifecycle.js', 'iterate', { LIFECYCLE_MIX: 'stop_limit:1', STUB_REFUSE: 'STOP_WOULD_TRIGGER', BASE_URL: 'http://127.0.0.1:3999' })
  t.same(failedChecks(expected), [], 'STOP_WOULD_TRIGGER on a stop is an answer, not a failure')
  t.same(expected.metrics.lifecycle_refused?.map(([, tags]) => tags.code), ['STOP_WOULD_TRIGGER'])
  t.equal(total(expected, 'lifecycle_answered'), 1)
  t.equal(total(expected, 'orders_ok'), 0)
  const other = drive('lifecycle.js', 'iterate', { LIFECYCLE_MIX: 'limit:1', STUB_REFUSE: 'POST_ONLY_WOULD_TAKE', BASE_URL: 'http://127.0.0.1:3999' })
  t.same(failedChecks(other), ['lifecycle: 200 or an expected refusal'], 'a refusal the flow does not expect on that route fails the check')
  t.equal(total(other, 'lifecycle_answered'), 0, 'and is not counted as answered')
})

t.test('ws-orders.js: thresholds fail a run that broke order, answered twice, left requests or was refused', async (t) => {
  const th = drive('ws-orders.js', 'options', { CONNECTIONS: '4', RATE: '2000', OPEN_DURATION: '10s' }).options?.thresholds ?? {}
  for (const name of ['ws_answers_duplicate', 'ws_answers_out_of_order', 'ws_orders_unanswered', 'ws_orders_refused', 'ws_errors']) t.same(th[name], ['count==0'], `${name} must stay 0`)
  t.same(th.ws_traders_full, ['count>=4'], 'every connection lasts both phases')
  t.same(th['ws_orders_ok{phase:saturation}'], ['count>0'], 'the saturation phase answered orders')
  t.same(th['ws_orders_ok{phase:open}'], ['count>=19000'], 'the open phase delivered 95% of 2000/s × 10 s')
  t.same(th['ws_order_latency_ms{phase:open}'], ['p(99)<5'], 'p99 under 5 ms in the open phase (the issue\'s target)')
})

/** Samples of a metric, optionally only those whose tags match. */
const samples = (d: Driven, metric: string, tags: Record<string, string> = {}): number =>
  (d.metrics[metric] ?? []).filter(([, tg]) => Object.entries(tags).every(([k, v]) => tg[k] === v)).reduce((s, [v]) => s + v, 0)

t.test('ws-orders.js pipelines order.place (ack) and cancels, checks every answer, and times both phases', async (t) => {
  const run = drive('ws-orders.js', 'ws-orders', { CONNECTIONS: '8', RATE: '20000', WINDOW: '16' })
  t.equal(run.error, undefined, 'ran')
  const sent = run.sent ?? []
  const places = sent.filter((m) => m.type === 'order.place')
  t.ok(places.length > 200, `${places.length} order.place sent`)
  t.ok(places.every((m) => (m.params as { response_type?: string }).response_type === 'ack'), 'every order.place asks for ack')
  t.ok(sent.some((m) => m.type === 'order.cancel'), 'cancels among them')
  t.same(sent.map((m) => m.id), sent.map((_, i) => i + 1), 'ids 1, 2, 3, ... in sending order')
  t.ok(samples(run, 'ws_orders_ok', { phase: 'saturation' }) >= 150, 'saturation answers counted')
  // 20000/s over 8 connections = 2500/s each: 100 ms of fake time schedules one every 0.4 ms (0 to 100 ms).
  t.equal(samples(run, 'ws_orders_sent', { phase: 'open' }), 251, 'open phase: sent at its scheduled times')
  t.ok(samples(run, 'ws_orders_ok', { phase: 'open' }) > 0, 'open answers counted')
  t.ok(samples(run, 'ws_orders_expected_refusals', { code: 'ORDER_NOT_FOUND' }) > 0, 'a cancel of an order gone is expected')
  for (const m of ['ws_answers_duplicate', 'ws_answers_out_of_order', 'ws_orders_unanswered', 'ws_orders_refused', 'ws_errors']) t.equal(samples(run, m), 0, `${m} 0`)
  t.equal(samples(run, 'ws_traders_full'), 1, 'the connection lasted')
  t.ok((run.metrics.ws_order_latency_ms ?? []).length > 0, 'request-to-answer latency recorded')
})

t.test('ws-orders.js catches what a broken server does', async (t) => {
  t.ok(samples(drive('ws-orders.js', 'ws-orders-swap'), 'ws_answers_out_of_order') > 0, 'answers out of request order')
  t.ok(samples(drive('ws-orders.js', 'ws-orders-duplicate'), 'ws_answers_duplicate') > 0, 'an answer sent twice')
  t.ok(samples(drive('ws-orders.js', 'ws-orders-drop'), 'ws_orders_unanswered') > 0, 'a request never answered')
  t.equal(samples(drive('ws-orders.js', 'ws-orders-refuse'), 'ws_orders_refused', { code: 'INVALID_QUANTITY' }), 1, 'a refusal counted by code')
  const refused = drive('ws-orders.js', 'ws-orders-signin-refused', KEY)
  t.equal(samples(refused, 'ws_errors'), 1, 'a refused sign-in is an error')
  t.equal(samples(refused, 'ws_traders_full'), 0, 'and the connection did not last')
})

t.test('ws-orders.js signs in over the connection\'s nonce as src/auth/signature.ts does', async (t) => {
  const run = drive('ws-orders.js', 'ws-orders', KEY)
  const auth = (run.sent ?? [])[0] as { type: string, api_key: string, timestamp: number, signature: string }
  t.equal(auth.type, 'auth', 'the first frame is the sign-in')
  t.equal(auth.api_key, KEY.API_KEY, 'with the key id')
  t.equal(auth.signature, sign(KEY.API_SECRET, wsSignInPayload(String(auth.timestamp), 'ab'.repeat(16))), 'signature over timestamp + AUTH + /ws + nonce')
  t.ok(samples(run, 'ws_orders_ok') > 0, 'orders answered after sign-in')
})
