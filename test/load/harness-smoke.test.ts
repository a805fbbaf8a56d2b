/**
 * The load harness, small enough for npm test so it cannot rot: the smoke
 * scenario (2 s of orders at 50/s, 20 WebSocket consumers for 2 s of
 * crossing orders, the bare Fastify and bare ws baselines for 1 s) against
 * the real server process (dist/src/server.js, built by npm test). Asserts
 * that real results came back, never wall-clock figures.
 */
import t, { type Test } from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runHarness } from '../../load/harness/run.js'
import { killAll, localUrl, PACKAGE_ROOT } from '../../load/harness/procs.js'
import { textSummary } from '../../load/harness/summary.js'
import type { LatencySummary, PhaseResult, RunResult } from '../../load/harness/types.js'

function ordered (t: Test, name: string, l: LatencySummary): void {
  t.ok(l.count > 0, `${name}: latency samples recorded`)
  t.ok(l.min <= l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, `${name}: min ≤ p50 ≤ p90 ≤ p99 ≤ p99.9 ≤ max`)
}

function phase (t: Test, result: RunResult, name: string): PhaseResult {
  const found = result.phases.find((p) => p.scenario === 'smoke' && p.name === name)
  t.ok(found, `phase smoke/${name} present`)
  return found as PhaseResult
}

t.test('--url accepts only this machine', async (t) => {
  t.equal(localUrl('http://127.0.0.1:3000/x'), 'http://127.0.0.1:3000')
  t.equal(localUrl('http://localhost:8080'), 'http://localhost:8080')
  t.throws(() => localUrl('http://example.com:3000'), /localhost/)
  t.throws(() => localUrl('http://10.0.0.5:3000'), /localhost/)
  t.throws(() => localUrl('https://127.0.0.1:3000'), /http/)
})

t.test('smoke scenario: orders, consumers, baselines, JSON and HTML report', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'harness-smoke-'))
  t.teardown(() => {
    killAll()
    rmSync(outDir, { recursive: true, force: true })
  })
  const lines: string[] = []
  const result = await runHarness({ scenario: 'smoke', outDir, log: (line) => lines.push(line) })

  const orders = phase(t, result, 'orders-50')
  const h = orders.http
  t.ok(h, 'order phase has HTTP results')
  if (h !== null) {
    t.ok((h.statusCodes['200'] ?? 0) > 0, 'some 200s')
    t.equal(h.errorCount, 0, `no errors: ${JSON.stringify(h.errors)}`)
    t.equal(h.dropped, 0, 'no dropped arrivals')
    t.equal(h.completed, h.sent, 'every request answered')
    ordered(t, 'orders-50', h.latency)
    t.equal(Object.values(h.ordersByStatus).reduce((a, b) => a + b, 0), h.statusCodes['200'], 'every 200 has an order status')
    t.ok(h.series.length > 0, 'per-second series')
  }
  t.ok(orders.monitor.length > 0, 'monitor samples during the order phase')
  const sample = orders.monitor[0]
  t.type(sample?.cpuPct, 'number', 'server CPU sampled')
  t.ok((sample?.rssMb ?? 0) > 0, 'server RSS sampled')

  const md = phase(t, result, 'md-50')
  const c = md.consumers
  t.ok(c, 'market-data phase has consumer results')
  if (c !== null) {
    t.equal(c.connected, 20, 'all 20 consumers connected')
    t.ok(c.messages > 0, 'consumers received messages')
    t.ok(c.deltas > 0, 'l2 deltas received')
    t.equal(c.seqGaps, 0, 'zero seq gaps')
    t.equal(c.slowConsumerDisconnects, 0, 'no slow-consumer disconnects')
    t.ok(c.tradesReceived > 0, 'trades received')
    ordered(t, 'accept-to-receipt', c.acceptToReceipt)
  }
  t.equal(md.http?.errorCount, 0, 'crossing order flow without errors')

  const bare = phase(t, result, 'bare-rate-50')
  t.equal(bare.target, 'bare-fastify')
  t.ok((bare.http?.statusCodes['200'] ?? 0) > 0, 'bare route answered 200s')
  t.equal(bare.http?.errorCount, 0, 'bare route without errors')

  const bareWs = phase(t, result, 'bare-ws')
  t.ok((bareWs.consumers?.messages ?? 0) > 0, 'bare ws broadcast delivered messages')
  t.equal(bareWs.consumers?.seqGaps, 0, 'bare ws broadcast without gaps')

  t.ok(result.checks.length > 0, 'pass/fail rules evaluated')
  t.same(result.checks.filter((c) => !c.ok), [], 'every pass/fail rule passed')
  t.equal(result.passed, true, 'the run passed (the CLI exits 0)')
  t.match(textSummary(result), /checks: PASSED \(\d+ of \d+ passed\)/, 'the printed summary says so')
  t.ok(result.targets.length > 0, 'targets evaluated')
  const json = resolve(PACKAGE_ROOT, result.files.json)
  const html = resolve(PACKAGE_ROOT, result.files.html)
  t.ok(existsSync(json), 'JSON result written')
  t.same(JSON.parse(readFileSync(json, 'utf8')).meta.scenario, 'smoke', 'JSON result parses')
  t.ok(existsSync(html), 'HTML report written')
  const page = readFileSync(html, 'utf8')
  t.match(page, /<svg/, 'report has inline SVG charts')
  t.notMatch(page, /<script|<link /, 'report loads nothing external')
})
