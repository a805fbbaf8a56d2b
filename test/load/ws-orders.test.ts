/**
 * The WebSocket order-entry generator (load/harness/ws-orders.ts, its worker threads from dist) against a
 * fake trading server on 127.0.0.1:0 that answers order.place / order.cancel as contract §2 says, and then
 * misbehaves on purpose: answers swapped, answered twice, dropped, refused, so each check is seen to fail.
 * The same generator against the real service is test/load/ws-orders-service.test.ts.
 */
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { WebSocketServer, type WebSocket } from 'ws'
import { sign, wsSignInPayload } from '../../src/auth/signature.js'
import { evaluateChecks } from '../../load/harness/checks.js'
import { killAll } from '../../load/harness/procs.js'
import { runWsOrders, type WsOrdersPhase, type WsOrdersRun } from '../../load/harness/ws-orders.js'
import { wsOrdersTargets } from '../../load/harness/ws-orders-scenario.js'
import type { PhaseResult } from '../../load/harness/types.js'

type Misbehaviour = 'none' | 'swap' | 'duplicate' | 'drop' | 'refuse' | 'too-many'

interface Fake {
  readonly wsUrl: string
  readonly seen: { place: number, cancel: number, ackAsked: number, ids: Set<string>, signedIn: number }
  readonly close: () => Promise<void>
}

const KEY = { accountId: 'acct-1', keyId: 'key-1', secret: randomBytes(32).toString('hex') }

/** A trading server in miniature: each order.place rests (every 3rd fills), a cancel finds what rested. */
async function fakeServer (t: Test, misbehave: Misbehaviour = 'none', auth = false): Promise<Fake> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const seen = { place: 0, cancel: 0, ackAsked: 0, ids: new Set<string>(), signedIn: 0 }
  let orderSeq = 0
  const resting = new Set<string>()
  let connectionSeq = 0
  wss.on('connection', (ws: WebSocket) => {
    const connection = ++connectionSeq
    const nonce = randomBytes(16).toString('hex')
    let held: string | null = null
    let signedIn = !auth
    ws.send(JSON.stringify({ type: 'connected', session_id: 's', symbols: [], nonce, auth: auth ? 'required' : 'off', timestamp: Date.now() / 1000 }))
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string, id: number, params: Record<string, string>, api_key?: string, timestamp?: number, signature?: string }
      if (m.type === 'auth') {
        const ok = m.api_key === KEY.keyId && m.signature === sign(KEY.secret, wsSignInPayload(String(m.timestamp), nonce))
        if (ok) { signedIn = true; seen.signedIn++ }
        ws.send(JSON.stringify(ok ? { type: 'authenticated', account_id: KEY.accountId, permissions: ['read', 'trade'], id: 'signin', timestamp: 1 } : { type: 'error', code: 'AUTH_INVALID', message: 'bad signature' }))
        return
      }
      if (!signedIn) { ws.send(JSON.stringify({ type: 'error', id: m.id, code: 'AUTH_REQUIRED', message: 'sign in first' })); return }
      seen.ids.add(`${connection}:${m.id}`)
      let answer: string
      if (m.type === 'order.place') {
        seen.place++
        if (m.params.response_type === 'ack') seen.ackAsked++
        const orderId = String(++orderSeq)
        const filled = orderSeq % 3 === 0
        if (!filled) resting.add(orderId)
        answer = JSON.stringify({ type: 'order.place', id: m.id, result: { order_id: orderId, client_order_id: null, symbol: m.params.symbol, status: filled ? 'filled' : 'pending', timestamp: 1, processing_time_ms: 0.01 } })
        if (misbehave === 'refuse' && orderSeq % 50 === 0) answer = JSON.stringify({ type: 'error', id: m.id, code: 'INVALID_QUANTITY', message: 'no' })
      } else if (m.type === 'order.cancel') {
        seen.cancel++
        // Every other cancel finds its order gone (filled meanwhile): the flow expects that refusal.
        const found = resting.delete(m.params.order_id) && seen.cancel % 2 === 0
        answer = JSON.stringify(found ? { type: 'order.cancel', id: m.id, result: { order_id: m.params.order_id, status: 'cancelled' } } : { type: 'error', id: m.id, code: 'ORDER_NOT_FOUND', message: 'gone' })
      } else {
        answer = JSON.stringify({ type: 'error', id: m.id, code: 'INVALID_MESSAGE', message: m.type })
      }
      if (misbehave === 'swap' && m.id % 20 === 1) { held = answer; return } // sent after the next one
      if (misbehave === 'drop' && m.id === 40) return
      if (misbehave === 'too-many' && m.id % 25 === 0) {
        // Refused before queueing: answered at once, ahead of a held earlier answer (allowed out of order).
        ws.send(JSON.stringify({ type: 'error', id: m.id, code: 'TOO_MANY_IN_FLIGHT', message: 'slow down' }))
        return
      }
      ws.send(answer)
      if (held !== null) { ws.send(held); held = null }
      if (misbehave === 'duplicate' && m.id === 30) ws.send(answer)
    })
  })
  const address = wss.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const close = async (): Promise<void> => {
    for (const c of wss.clients) c.terminate()
    await new Promise<void>((resolve) => wss.close(() => resolve()))
  }
  t.teardown(close)
  t.teardown(killAll)
  return { wsUrl: `ws://127.0.0.1:${port}/ws`, seen, close }
}

const SHORT = { connections: 3, window: 16, threads: 2, saturationSeconds: 0.5, rate: 600, openSeconds: 0.5, connectTimeoutMs: 5000 }

function asPhase (o: WsOrdersPhase): PhaseResult {
  return { scenario: 'ws-orders', name: o.mode, description: '', target: 'service', startedAt: 0, endedAt: 0, env: {}, http: null, consumers: null, wsOrders: o, monitor: [], gateway: null, notes: [] }
}

const failed = (o: WsOrdersPhase): string[] => evaluateChecks([asPhase(o)]).filter((c) => !c.ok).map((c) => c.rule)

async function run (t: Test, misbehave: Misbehaviour, auth = false): Promise<{ fake: Fake, result: WsOrdersRun, sat: WsOrdersPhase, open: WsOrdersPhase }> {
  const fake = await fakeServer(t, misbehave, auth)
  const result = await runWsOrders({ ...SHORT, wsUrl: fake.wsUrl, keys: auth ? [KEY] : [] })
  t.same(result.failures, [], 'every connection connected')
  t.ok(result.saturation, 'saturation phase ran')
  t.ok(result.open, 'open-model phase ran')
  return { fake, result, sat: result.saturation as WsOrdersPhase, open: result.open as WsOrdersPhase }
}

t.test('a well-behaved server: every request answered once, in order, cancels among the orders, checks pass', async (t) => {
  const { fake, sat, open } = await run(t, 'none')
  for (const p of [sat, open]) {
    t.equal(p.connected, 3, `${p.mode}: 3 connections`)
    t.ok(p.sent > 0 && p.answered === p.sent, `${p.mode}: ${p.answered} answers to ${p.sent} requests`)
    t.equal(p.duplicates + p.outOfOrder + p.unanswered + p.errorCount, 0, `${p.mode}: nothing broken ${JSON.stringify(p.errors)}`)
    t.ok(p.latency.count === p.answered && p.latency.p50 <= p.latency.p99 && p.latency.p99 <= p.latency.max, `${p.mode}: a latency per answer, ordered percentiles`)
    t.same(failed(p), [], `${p.mode}: every check passes`)
    t.equal(p.generatorElu.length, 2, `${p.mode}: two generator threads measured`)
  }
  t.ok(sat.cancels > 0 && sat.places > sat.cancels, `saturation: mostly places (${sat.places}), some cancels (${sat.cancels})`)
  t.ok((sat.expected.ORDER_NOT_FOUND ?? 0) > 0, 'a cancel of an order that went away is an expected refusal, not an error')
  t.equal(fake.seen.ackAsked, fake.seen.place, 'every order.place asks for response_type ack')
  t.equal(fake.seen.ids.size, fake.seen.place + fake.seen.cancel, 'ids are unique per connection')
  t.equal(open.targetRate, 600, 'open model: the rate asked')
  // 600/s for 0.5 s = 300 requests, at their scheduled times.
  t.ok(open.sent >= 290 && open.sent <= 300, `open model: ${open.sent} requests sent of 300 scheduled`)
  const targets = wsOrdersTargets([asPhase(sat), asPhase(open)])
  t.same(targets.map((x) => x.id), ['ws-orders-sustained', 'ws-orders-p99'], 'both WebSocket targets are reported')
})

t.test('signs in on each connection when keys are given (AUTH=required)', async (t) => {
  const { fake, sat } = await run(t, 'none', true)
  t.equal(fake.seen.signedIn, 3, 'three sign-ins over the connections\' nonces')
  t.ok(sat.ok > 0 && sat.errorCount === 0, 'orders answered after sign-in')
})

t.test('answers out of request order are caught', async (t) => {
  const { sat } = await run(t, 'swap')
  t.ok(sat.outOfOrder > 0, `${sat.outOfOrder} out of order`)
  t.ok(failed(sat).includes('in-order'), 'the in-order check fails')
})

t.test('an answer sent twice is caught', async (t) => {
  const { sat } = await run(t, 'duplicate')
  t.ok(sat.duplicates > 0, `${sat.duplicates} duplicates`)
  t.ok(failed(sat).includes('answered-once'), 'the answered-once check fails')
})

t.test('a request never answered is caught', async (t) => {
  const { sat } = await run(t, 'drop')
  t.ok(sat.unanswered > 0, `${sat.unanswered} unanswered`)
  t.ok(failed(sat).includes('answered-once'), 'the answered-once check fails')
})

t.test('refusals are counted by code and fail the run', async (t) => {
  const { sat } = await run(t, 'refuse')
  t.ok((sat.errors.INVALID_QUANTITY ?? 0) > 0, `INVALID_QUANTITY counted: ${JSON.stringify(sat.errors)}`)
  t.ok(failed(sat).includes('errors'), 'the errors check fails')
})

t.test('a refusal before queueing (TOO_MANY_IN_FLIGHT) may overtake earlier answers: counted as an error, not as disorder', async (t) => {
  const { sat } = await run(t, 'too-many')
  t.ok((sat.errors.TOO_MANY_IN_FLIGHT ?? 0) > 0, 'TOO_MANY_IN_FLIGHT counted')
  t.equal(sat.outOfOrder, 0, 'no out-of-order answers')
})
