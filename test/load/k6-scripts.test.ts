/**
 * The k6 scripts, checked without k6 (it cannot be installed here):
 * - they parse as ES2017, the level k6 0.48's parser takes (it ran Babel 6 over every ES-module script;
 *   `catch {` without a binding, `?.`, `??` and object spread only parse from k6 0.53), and import only
 *   modules every k6 from 0.48 to 2.x has, with no global timers (k6 >= 0.50);
 * - their init code, setup(), consume() and handleSummary() run under Node with stand-ins for k6's modules
 *   (test/load/k6-stub), so the pass/fail rules are read from the real `options` the scripts export.
 */
import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, type Node } from 'acorn'

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

interface Driven {
  options?: { scenarios: Record<string, unknown>, thresholds: Record<string, string[]> }
  setup?: { runId: string }
  summary?: Record<string, string>
  error?: string
  aborted: string | null
  metrics: Record<string, Array<[number, Record<string, string>]>>
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
  for (const name of ['orders', 'spike', 'suite', 'marketdata']) {
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
