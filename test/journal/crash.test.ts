/**
 * Kill -9 in the middle of order flow, restart on the same files: every
 * acknowledged order is there with its fills, and the state equals an
 * in-process replay of the acknowledged commands (plus, at most, the one
 * command that was in flight when the process died, applied whole or not at all).
 */
import t from 'tap'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { MatchingEngine, stateDigest, type NewOrderInput } from '../../src/engine/index.js'
import { startChildServer } from '../helpers/child-server.js'
import { intBetween, seededRandom } from '../helpers/random.js'

type Sent =
  | { kind: 'new', body: Record<string, string>, timestampMs?: number, orderId?: string }
  | { kind: 'cancel', symbol: string, orderId: string }

async function post (url: string, path: string, body: unknown) {
  const res = await request(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.statusCode, json: await res.body.json() as Record<string, unknown> }
}

/** Replays commands in a fresh engine with the timestamps the server gave them. */
function replay (commands: readonly Sent[]): MatchingEngine {
  let now = 0
  const engine = new MatchingEngine({ clock: () => now })
  for (const command of commands) {
    if (command.kind === 'new') {
      now = command.timestampMs ?? 0
      const b = command.body
      const input: NewOrderInput = { symbol: b.symbol, side: b.side, orderType: b.order_type, quantity: b.quantity, price: b.price }
      const result = engine.submit(input)
      if (!result.ok) throw new Error(`replay rejected a command the server accepted: ${result.message}`)
    } else {
      const result = engine.cancel({ symbol: command.symbol, orderId: command.orderId })
      if (!result.ok) throw new Error(`replay could not cancel ${command.orderId}`)
    }
  }
  return engine
}

t.test('SIGKILL at several points: acknowledged orders survive, nothing is half-applied', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crash-'))
  const env = { DATA_DIR: dataDir, JOURNAL_FSYNC: 'always' }
  const random = seededRandom(4242)
  const acknowledged: Sent[] = []
  const open: Array<{ symbol: string, orderId: string }> = []

  for (const [round, ordersBeforeKill] of [[1, 60], [2, 90], [3, 40]] as const) {
    const server = await startChildServer(t, env)
    let inFlight: Sent | null = null
    for (let i = 0; i < ordersBeforeKill; i++) {
      let sent: Sent
      if (open.length > 0 && random() < 0.2) {
        const target = open.splice(intBetween(random, 0, open.length - 1), 1)[0]
        sent = { kind: 'cancel', ...target }
      } else {
        const side = random() < 0.5 ? 'buy' : 'sell'
        sent = { kind: 'new', body: { symbol: 'BTC-USDT', side, order_type: 'limit', quantity: String(intBetween(random, 1, 9) / 100), price: String(30000 + intBetween(random, -5, 5)) } }
      }
      const isLast = i === ordersBeforeKill - 1
      const pending = sent.kind === 'new' ? post(server.url, '/order', sent.body) : post(server.url, '/cancel', { symbol: sent.symbol, order_id: sent.orderId })
      if (isLast) {
        // Kill while this one is on the wire: it may or may not have reached the journal.
        inFlight = sent
        setTimeout(() => server.child.kill('SIGKILL'), intBetween(random, 0, 3))
        await pending.catch(() => null)
        break
      }
      const res = await pending
      if (sent.kind === 'cancel' && res.status === 404) continue // filled meanwhile: not a command
      t.equal(res.status, 200, `round ${round} request ${i}`)
      if (sent.kind === 'new') {
        sent.timestampMs = Math.round((res.json.timestamp as number) * 1000)
        sent.orderId = res.json.order_id as string
        if (res.json.status === 'pending' || res.json.status === 'partially_filled') open.push({ symbol: 'BTC-USDT', orderId: sent.orderId })
      }
      acknowledged.push(sent)
    }
    const exit = await server.exited
    t.equal(exit.signal, 'SIGKILL', `round ${round}: the server was killed`)

    const restarted = await startChildServer(t, env)
    const digest = ((await (await request(restarted.url + '/statistics')).body.json()) as { state_digest: string }).state_digest
    const without = replay(acknowledged)
    const withInFlight = inFlight === null ? null : replay([...acknowledged, inFlight])
    const matches = digest === stateDigest(without) ? 'without' : (withInFlight !== null && digest === stateDigest(withInFlight) ? 'with' : 'neither')
    t.not(matches, 'neither', `round ${round}: recovered state equals the acknowledged commands, with the in-flight one whole or not at all`)
    if (matches === 'with' && inFlight !== null) acknowledged.push(inFlight)
    const expected = matches === 'with' ? withInFlight as MatchingEngine : without

    for (const sent of acknowledged) {
      if (sent.kind !== 'new' || sent.orderId === undefined) continue
      const got = await (await request(`${restarted.url}/order/${sent.orderId}?symbol=BTC-USDT`)).body.json() as Record<string, string>
      const want = expected.findOrder('BTC-USDT', { orderId: sent.orderId })
      if (!want.ok || got.status !== want.value.status || got.filled_quantity !== expected.book('BTC-USDT')!.spec.lot.format(want.value.filledLots)) {
        t.fail(`round ${round}: order ${sent.orderId} is ${got.status}/${got.filled_quantity}, replay says ${want.ok ? want.value.status : 'missing'}`)
      }
    }
    // Re-derive which orders are still open from the recovered state.
    open.length = 0
    for (const order of expected.book('BTC-USDT')!.openOrders()) open.push({ symbol: 'BTC-USDT', orderId: order.id })
    restarted.child.kill('SIGTERM')
    const clean = await restarted.exited
    t.equal(clean.code, 0, `round ${round}: clean shutdown after verification`)
  }
})
