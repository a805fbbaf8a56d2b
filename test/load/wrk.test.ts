/**
 * wrk and its Lua scripts (load/wrk), run for real (Debian's wrk; .ci/run installs it) for about a second
 * each against tiny servers on 127.0.0.1:0 that record what they get: the crossing bodies and response_type
 * of order.lua, a run full of 4xx reported as broken, pre-signed requests each sent once by
 * signed-order.lua and its running out counted. Then --scenario wrk for one short round against the real
 * service (dist/src/server.js) and the bare route: every variant measured, every answer 2xx, the JSON written.
 */
import t, { type Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sign, signingPayload } from '../../src/auth/signature.js'
import { evaluateChecks } from '../../load/harness/checks.js'
import { killAll, PACKAGE_ROOT } from '../../load/harness/procs.js'
import { runHarness } from '../../load/harness/run.js'
import type { PhaseResult, RunResult } from '../../load/harness/types.js'
import { parseWrkOutput, runWrk, writeSignedRequests, wrkBinary, type WrkRun } from '../../load/harness/wrk.js'
import { WRK_VARIANTS } from '../../load/harness/wrk-scenario.js'

interface Recorded { method: string, url: string, headers: IncomingMessage['headers'], body: string }

async function server (t: Test, answer: (r: Recorded) => number): Promise<{ url: string, got: Recorded[] }> {
  const got: Recorded[] = []
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }
      if (got.length < 200_000) got.push(r)
      const status = answer(r)
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(status === 200 ? '{"order_id":"1"}' : '{"error":"no","error_code":"NO"}')
    })
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(async () => {
    killAll()
    srv.closeAllConnections()
    await new Promise<void>((resolve) => srv.close(() => resolve()))
  })
  const address = srv.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, got }
}

const phaseOf = (w: WrkRun): PhaseResult => ({ scenario: 'wrk', name: 'x-r1', description: '', target: 'service', startedAt: 0, endedAt: 0, env: {}, http: null, consumers: null, wrk: w, monitor: [], gateway: null, notes: [] })
const failedRules = (w: WrkRun): string[] => evaluateChecks([phaseOf(w)]).filter((c) => !c.ok).map((c) => c.rule)

t.test('a missing wrk is a clear error; a script that printed no summary line is refused', async (t) => {
  t.throws(() => wrkBinary('/nonexistent/wrk'), /wrk is not installed.*apt-get install -y wrk/)
  t.throws(() => parseWrkOutput('Running 1s test\nRequests/sec: 10\n', { script: 'order.lua', threads: 1, connections: 1 }), /no WRK_JSON line/)
  t.match(wrkBinary(), /wrk/, 'wrk is installed here')
})

t.test('order.lua: crossing orders over the four symbols, response_type when asked, all 2xx counted', async (t) => {
  const { url, got } = await server(t, () => 200)
  const plain = await runWrk({ url, script: 'order.lua', threads: 1, connections: 2, seconds: 1, env: { STATUS_TALLY: '1' } })
  t.ok(plain.requests > 0 && plain.okRps > 0, `${plain.requests} requests`)
  t.equal(plain.non2xx, 0, 'no non-2xx')
  t.same(plain.statusTally, { 200: plain.requests }, 'the status tally counted every answer as 200')
  t.same(failedRules(plain), [], 'its checks pass')
  const bodies = got.map((r) => JSON.parse(r.body) as Record<string, string>)
  t.ok(got.every((r) => r.method === 'POST' && r.url === '/order' && r.headers['content-type'] === 'application/json'), 'POST /order, JSON')
  t.ok(bodies.every((b) => b.response_type === undefined), 'no response_type unless asked: the default (full) answer')
  t.same([...new Set(bodies.map((b) => b.symbol))].sort(), ['BNB-USDT', 'BTC-USDT', 'ETH-USDT', 'SOL-USDT'], 'four symbols')
  for (const symbol of ['BTC-USDT', 'SOL-USDT']) {
    const buys = bodies.filter((b) => b.symbol === symbol && b.side === 'buy').map((b) => Number(b.price))
    const sells = bodies.filter((b) => b.symbol === symbol && b.side === 'sell').map((b) => Number(b.price))
    t.ok(Math.max(...buys) > Math.min(...sells), `${symbol}: buys and sells cross`)
    t.ok(bodies.filter((b) => b.symbol === symbol).every((b) => /^\d+\.\d{2}$/.test(b.price) && Number(b.price) * Number(b.quantity) >= 10), `${symbol}: prices on the tick, notional ≥ 10`)
  }
  t.same([...new Set(bodies.map((b) => b.order_type))].sort(), ['ioc', 'limit'], 'limit and ioc orders')
  got.length = 0
  const ack = await runWrk({ url, script: 'order.lua', threads: 2, connections: 2, seconds: 1, env: { RESPONSE_TYPE: 'ack' } })
  t.ok(ack.requests > 0, 'ack run measured')
  t.ok(got.every((r) => (JSON.parse(r.body) as { response_type?: string }).response_type === 'ack'), 'RESPONSE_TYPE=ack is in every body')
})

t.test('a run answered with 4xx is reported broken, not fast', async (t) => {
  const { url } = await server(t, () => 400)
  for (const tally of ['0', '1']) {
    const run = await runWrk({ url, script: 'order.lua', threads: 1, connections: 2, seconds: 1, env: { STATUS_TALLY: tally } })
    t.ok(run.requests > 0, `STATUS_TALLY=${tally}: answers came`)
    t.equal(run.non2xx, run.requests, `STATUS_TALLY=${tally}: every answer counted non-2xx`)
    t.equal(run.okRps, 0, 'no 2xx per second')
    t.same(failedRules(run).sort(), ['measured', 'non-2xx'], 'the run fails its checks')
  }
})

t.test('signed-order.lua sends each pre-signed request once, split over threads; running out is counted', async (t) => {
  const key = { accountId: 'a', keyId: 'key-1', secret: 'f'.repeat(64) }
  const key2 = { accountId: 'b', keyId: 'key-2', secret: 'e'.repeat(64) }
  const secrets: Record<string, string> = { [key.keyId]: key.secret, [key2.keyId]: key2.secret }
  const used = new Set<string>()
  let badSignatures = 0
  const { url } = await server(t, (r) => {
    const keyId = String(r.headers['x-api-key'])
    const ts = String(r.headers['x-timestamp'])
    const sig = String(r.headers['x-signature'])
    if (sig !== sign(secrets[keyId] ?? '', signingPayload(ts, 'POST', '/order', r.body))) { badSignatures++; return 401 }
    if (used.has(sig)) return 401 // the replay cache
    used.add(sig)
    return 200
  })
  const dir = mkdtempSync(join(tmpdir(), 'wrk-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'signed.tsv')
  writeSignedRequests(file, [key, key2], 400, 'ack')
  const lines = readFileSync(file, 'utf8').trim().split('\n')
  t.equal(lines.length, 400, '400 lines')
  t.equal(new Set(lines.map((l) => l.split('\t')[2])).size, 400, 'every signature distinct')
  t.ok(lines.every((l) => (JSON.parse(l.split('\t')[3]) as { response_type?: string }).response_type === 'ack'), 'response_type in the signed body')
  const run = await runWrk({ url, script: 'signed-order.lua', threads: 2, connections: 4, seconds: 1, env: { REQUESTS_FILE: file } })
  t.equal(badSignatures, 0, 'every signature verifies (headers and body as signed)')
  t.equal(used.size, 400, 'all 400 pre-signed requests were accepted once')
  t.ok(run.exhausted > 0, `${run.exhausted} requests past the end of the file counted`)
  t.equal(run.non2xx, run.requests - 400, 'each one sent again was refused and counted non-2xx')
  t.ok(failedRules(run).includes('non-2xx'), 'running out fails the run')
})

t.test('--scenario wrk against the real service and the bare route: each variant measured, all 2xx, JSON written', async (t) => {
  t.ok(existsSync(resolve(PACKAGE_ROOT, 'dist/src/server.js')), 'the server is built')
  const outDir = mkdtempSync(join(tmpdir(), 'harness-wrk-'))
  t.teardown(() => {
    killAll()
    rmSync(outDir, { recursive: true, force: true })
  })
  const lines: string[] = []
  const result = await runHarness({ scenario: 'wrk', outDir, wrk: { threads: 1, connections: 4, seconds: 1, rounds: 1 }, log: (line) => lines.push(line) })
  const json = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, result.files.json), 'utf8')) as RunResult
  t.match(result.files.json, /-wrk\.json$/, 'written as <stamp>-wrk.json')
  for (const variant of WRK_VARIANTS) {
    const p = json.phases.find((x) => x.name === `${variant}-r1`)
    t.ok(p?.wrk, `${variant}: measured by wrk`)
    const w = p?.wrk
    if (w == null) continue
    t.ok(w.okRps > 0, `${variant}: ${w.okRps} 2xx req/s`)
    t.equal(w.non2xx, 0, `${variant}: 0 non-2xx`)
    t.equal(w.exhausted, 0, `${variant}: no pre-signed request sent twice`)
    t.ok(w.latency.p50 <= w.latency.p99 && w.latency.p99 <= w.latency.max, `${variant}: ordered latency`)
  }
  t.equal(json.phases.find((x) => x.name === 'bare-r1')?.target, 'bare-fastify', 'the bare route is the baseline')
  t.ok(json.passed, `every check passed: ${json.checks.filter((c) => !c.ok).map((c) => `${c.phase} ${c.rule} ${c.detail}`).join('; ')}`)
  t.same(json.targets.filter((x) => x.id.startsWith('wrk-')).map((x) => x.id), ['wrk-full-vs-bare', 'wrk-ack-vs-bare', 'wrk-signed-vs-unsigned'], 'the three REST ratios are reported')
  t.ok(lines.some((l) => l.includes('server wrk-signed') && l.includes('"AUTH":"required"') && l.includes('"JOURNAL_FSYNC":"batch"')), 'the signed service ran with AUTH=required and the journal on (batch)')
})
