/**
 * --scenario ws-orders against the real service (dist/src/server.js with the WebSocket trading API of issue
 * 14), briefly: 2 signed-in connections (AUTH=required, the harness's default: one key each, made through the
 * admin API), 1 s of pipelined order.place/order.cancel at saturation, then 1 s at 400 orders/s. Every
 * request must be answered once, in order, with no refusal but a cancel of an order that filled meanwhile;
 * the journal is on (JOURNAL_FSYNC=batch). Asserts real results came back, never timings.
 */
import t from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { killAll, PACKAGE_ROOT } from '../../load/harness/procs.js'
import { runHarness } from '../../load/harness/run.js'
import type { RunResult } from '../../load/harness/types.js'

t.test('--scenario ws-orders: saturation and open model on the real service, every answer once and in order', async (t) => {
  t.ok(existsSync(resolve(PACKAGE_ROOT, 'dist/src/server.js')), 'the server is built')
  const outDir = mkdtempSync(join(tmpdir(), 'harness-ws-orders-'))
  t.teardown(() => {
    killAll()
    rmSync(outDir, { recursive: true, force: true })
  })
  const lines: string[] = []
  const result = await runHarness({
    scenario: 'ws-orders',
    outDir,
    wsOrders: { connections: 2, window: 16, threads: 1, saturationSeconds: 1, rate: 400, openSeconds: 1 },
    log: (line) => lines.push(line)
  })
  const json = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, result.files.json), 'utf8')) as RunResult
  t.match(result.files.json, /-ws-orders\.json$/, 'written as <stamp>-ws-orders.json')
  for (const name of ['saturation', 'open-400']) {
    const o = json.phases.find((p) => p.scenario === 'ws-orders' && p.name === name)?.wsOrders
    t.ok(o, `${name}: recorded`)
    if (o == null) continue
    t.equal(o.connected, 2, `${name}: both connections signed in`)
    t.ok(o.ok > 0 && o.places > 0, `${name}: ${o.ok} orders answered`)
    t.equal(o.answered, o.sent, `${name}: every request answered`)
    t.equal(o.duplicates, 0, `${name}: none answered twice`)
    t.equal(o.outOfOrder, 0, `${name}: answers in request order`)
    t.equal(o.unanswered, 0, `${name}: none left unanswered`)
    t.same(o.errors, {}, `${name}: no refusal but the expected ones (${JSON.stringify(o.expected)})`)
    t.ok(o.latency.p50 <= o.latency.p99 && o.latency.p99 <= o.latency.max, `${name}: ordered latency`)
  }
  const sat = json.phases.find((p) => p.name === 'saturation')?.wsOrders
  t.ok((sat?.cancels ?? 0) > 0, 'cancels were sent among the orders')
  t.ok(json.passed, `every check passed: ${json.checks.filter((c) => !c.ok).map((c) => `${c.phase} ${c.rule} ${c.detail}`).join('; ')}`)
  t.same(json.targets.filter((x) => x.id.startsWith('ws-orders')).map((x) => x.id), ['ws-orders-sustained', 'ws-orders-p99'], 'both WebSocket targets reported')
  t.ok(lines.some((l) => l.includes('server ws-orders') && l.includes('"JOURNAL_FSYNC":"batch"')), 'the service ran with the journal on (batch)')
})
