/**
 * The harness's lifecycle flow (load/harness/lifecycle.ts), the twin of load/k6/lifecycle.js: the requests
 * of each kind with issue 12's wire names, amends of what was answered as resting, and the load generator
 * counting the expected refusals apart from errors (against a stand-in server on 127.0.0.1). The last test
 * runs the lifecycle scenario against the real server process, which needs issue 12's routes (POST /amend,
 * POST /oco) and order types.
 */
import t from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LifecycleSource, amendRequest, lifecycleRequest, parseLifecycleMix } from '../../load/harness/lifecycle.js'
import { runHttpLoad } from '../../load/harness/http-load.js'
import { runHarness } from '../../load/harness/run.js'
import { killAll } from '../../load/harness/procs.js'

const BASES: Record<string, number> = { 'BTC-USDT': 30000, 'ETH-USDT': 2000, 'BNB-USDT': 300, 'SOL-USDT': 100 }

t.test('each kind of the lifecycle flow, with the wire names of issue 12', async (t) => {
  for (let i = 0; i < 20; i++) {
    const stop = lifecycleRequest('stop_limit').body
    t.equal(stop.order_type, 'stop_limit')
    const above = Number(stop.stop_price) > BASES[String(stop.symbol)]
    t.equal(above, stop.side === 'buy', 'buy stops above the base, sell stops below')
    t.ok(stop.side === 'buy' ? Number(stop.price) >= Number(stop.stop_price) : Number(stop.price) <= Number(stop.stop_price), 'the limit beyond the stop')
    const market = lifecycleRequest('stop_market').body
    t.notOk('price' in market, 'stop_market: no price')
    const iceberg = lifecycleRequest('iceberg').body
    t.ok(Number(iceberg.display_quantity) > 0 && Number(iceberg.display_quantity) <= Number(iceberg.quantity), 'iceberg: 0 < display ≤ quantity')
    const quote = lifecycleRequest('quote_market').body
    t.notOk('quantity' in quote, 'quote-sized: no quantity')
    t.ok(Number(quote.quote_quantity) >= 10)
    const oco = lifecycleRequest('oco', { clientOrderId: 'c1' })
    t.equal(oco.path, '/oco')
    t.match(oco.body, { limit_client_order_id: 'c1-l', stop_client_order_id: 'c1-s' })
  }
  const now = 1_800_000_000_000
  const gtd = lifecycleRequest('gtd', { nowMs: now }).body
  t.equal(gtd.time_in_force, 'gtd')
  t.ok((gtd.expire_time as number) >= (now + 2000) / 1000 && (gtd.expire_time as number) <= (now + 30000) / 1000, 'expire_time 2..30 s ahead, in epoch seconds')
  t.equal(lifecycleRequest('post_only').body.post_only, true)
  const amend = amendRequest({ symbol: 'BTC-USDT', order_id: '5', price: '30000.00', quantity: '0.10000' }).body
  t.equal(amend.order_id, '5')
  t.ok(('new_price' in amend) !== ('new_quantity' in amend), 'one new value')
  t.throws(() => parseLifecycleMix('limit:1,trailing:1'), /unknown kind 'trailing'/)
})

t.test('LifecycleSource amends only what was answered as resting, and forgets what ended', async (t) => {
  const source = new LifecycleSource('amend:1')
  const first = source.next()
  t.equal(first.path, '/order', 'nothing rested yet: an order instead of an amend')
  source.answered(first, 200, { order_id: '11', symbol: 'BTC-USDT', status: 'filled', price: '30000.00', quantity: '0.1' })
  t.equal(source.next().path, '/order', 'a filled order is no amend target')
  source.answered(first, 200, { order_id: '12', symbol: 'BTC-USDT', status: 'untriggered', price: '31000.00', quantity: '0.1' })
  const amend = source.next()
  t.same([amend.path, amend.body.order_id], ['/amend', '12'], 'an untriggered stop is')
  source.answered(amend, 200, { order_id: '12', symbol: 'BTC-USDT', status: 'filled', price: '31000.00', quantity: '0.1' })
  t.equal(source.next().path, '/order', 'completed by its amend: forgotten')
  t.ok(source.expected('/amend', 'ORDER_NOT_FOUND'))
  t.ok(source.expected('/order', 'STOP_WOULD_TRIGGER'))
  t.notOk(source.expected('/order', 'VALIDATION_ERROR'), 'anything else is an error')
  t.notOk(source.expected('/cancel', 'ORDER_NOT_FOUND'))
})

t.test('the load generator counts expected refusals apart from errors', async (t) => {
  // A stand-in service: stops are refused with STOP_WOULD_TRIGGER, amends with ORDER_NOT_FOUND, OCO lists
  // answered with both legs, iceberg orders with a VALIDATION_ERROR (not expected: an error).
  const paths: Record<string, number> = {}
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = ''
    req.on('data', (c: Buffer) => { text += c.toString() })
    req.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>
      paths[req.url ?? ''] = (paths[req.url ?? ''] ?? 0) + 1
      const reply = (status: number, out: unknown): void => { res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out)) }
      if (req.url === '/amend') return reply(404, { error: 'x', error_code: 'ORDER_NOT_FOUND' })
      if (req.url === '/oco') return reply(200, { list_id: '1', orders: [{ status: 'pending' }, { status: 'untriggered' }], trades: [] })
      if (body.stop_price !== undefined) return reply(409, { error: 'x', error_code: 'STOP_WOULD_TRIGGER' })
      if (body.display_quantity !== undefined) return reply(400, { error: 'x', error_code: 'VALIDATION_ERROR' })
      reply(200, { order_id: String(Object.values(paths).reduce((a, b) => a + b, 0)), symbol: body.symbol, status: 'pending', price: body.price ?? null, quantity: body.quantity ?? '0.1', trades: [] })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const result = await runHttpLoad({
    url: `http://127.0.0.1:${port}`,
    label: 'lc',
    mode: 'saturation',
    connections: 2,
    durationMs: 600,
    source: new LifecycleSource('limit:4,stop_limit:2,oco:1,amend:2,iceberg:1')
  })
  t.equal(result.lifecycle, true)
  t.ok((result.refused?.['/order STOP_WOULD_TRIGGER'] ?? 0) > 0, 'stops refused: counted as refused')
  t.ok((result.refused?.['/amend ORDER_NOT_FOUND'] ?? 0) > 0, 'amends of gone orders: counted as refused')
  t.equal(result.refusedCount, Object.values(result.refused ?? {}).reduce((a, b) => a + b, 0))
  t.same(Object.keys(result.errors), ['VALIDATION_ERROR'], 'only the unexpected refusal is an error')
  t.equal(result.errorCount, result.errors.VALIDATION_ERROR)
  t.ok((result.okByPath?.['/oco'] ?? 0) > 0 && result.okByPath?.['/oco'] === paths['/oco'], '2xx counted per route')
  t.ok((result.ordersByStatus.untriggered ?? 0) > 0, 'the legs of an OCO answer are counted by status')
  t.equal(result.completed, result.sent)
})

// Needs issue 12 merged (the engine's new order types and the server's POST /amend and POST /oco).
t.test('the lifecycle scenario against the real server: every pass/fail rule passes', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'harness-lifecycle-'))
  t.teardown(() => {
    killAll()
    rmSync(outDir, { recursive: true, force: true })
  })
  const lines: string[] = []
  const result = await runHarness({
    scenario: 'lifecycle',
    outDir,
    fixedRate: 100,
    connections: 4,
    seconds: { warmup: 1, fixed: 3, saturation: 0, marketdata: 0, mdSaturation: 0, overload: 0, journal: 0 },
    log: (line) => lines.push(line)
  })
  const phase = result.phases.find((p) => p.name === 'rate-100')
  t.ok(phase?.http, `the rate phase ran: ${lines.join('\n')}`)
  t.same(result.checks.filter((c) => !c.ok), [], 'every pass/fail rule passed (delivered, errors, lifecycle)')
  t.ok((phase?.http?.okByPath?.['/amend'] ?? 0) > 0, 'amends accepted')
  t.ok((phase?.http?.okByPath?.['/oco'] ?? 0) > 0, 'OCO lists accepted')
})
