/**
 * Snapshot storms: many connections resubscribing in a loop against a 20,000-level book.
 * Snapshots are bounded by the depth asked (at most WS_MAX_DEPTH), built at most once per
 * symbol, depth and seq and shared, so the storm costs a few serializations, not one per request,
 * and orders placed meanwhile are all answered. Counts are asserted, not timings.
 */
import t from 'tap'
import { startServer } from '../helpers/server.js'
import { connect, isSnapshot, placeOrder, rest, type L2Message, type TestClient } from './ws-client.js'
import { engineOf } from '../helpers/exchange-internals.js'

const SYMBOL = 'BTC-USDT'
const STORMERS = 6

t.test('resubscribe storms share bounded snapshots and orders go on', async (t) => {
  const s = await startServer({ JOURNAL_ENABLED: 'false', WS_BATCH_MS: '5', WS_MAX_MESSAGES_PER_SECOND: '1000' })
  t.teardown(() => s.close())
  for (let i = 0; i < 10_000; i++) {
    for (const [side, price] of [['buy', 20000 + i / 100], ['sell', 31000 + i / 100]] as const) {
      const result = engineOf(s.app).submit({ symbol: SYMBOL, side, orderType: 'limit', quantity: '0.001', price: price.toFixed(2) })
      if (!result.ok) throw new Error(result.message)
    }
  }
  const stormers: TestClient[] = []
  for (let i = 0; i < STORMERS; i++) {
    const { client } = await connect(s.wsUrl)
    t.teardown(() => client.close())
    stormers.push(client)
  }
  const snapshots: L2Message[] = []
  const storm = async (client: TestClient, rounds: number) => {
    for (let r = 0; r < rounds; r++) {
      client.send({ type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL, depth: 1000 })
      snapshots.push(await client.next<L2Message>(isSnapshot(SYMBOL), 5000, 'a storm snapshot'))
    }
  }

  await t.test('a still book: one snapshot built for the whole storm', async (t) => {
    const before = s.app.gateway.stats()
    await Promise.all(stormers.map((c) => storm(c, 20)))
    const after = s.app.gateway.stats()
    t.equal(after.snapshots_sent - before.snapshots_sent, STORMERS * 20, '120 snapshots sent')
    t.equal(after.snapshots_built - before.snapshots_built, 1, 'one built')
    t.ok(snapshots.every((m) => m.bids.length === 1000 && m.asks.length === 1000), 'each one 1000 levels a side, not 10,000')
    t.ok(snapshots.every((m) => m.seq === snapshots[0].seq), 'all of the same seq')
  })

  await t.test('a moving book: at most one snapshot built per seq, and every order answered', async (t) => {
    snapshots.length = 0
    const before = s.app.gateway.stats()
    let orders = 0
    const storming = { on: true }
    const trader = (async () => {
      // Orders inside the top 1000 bids: each one moves the depth-1000 view (a new seq).
      while (storming.on) {
        await placeOrder(s.url, { side: 'buy', quantity: '0.002', price: (29000 + orders / 100).toFixed(2) })
        orders++
      }
    })()
    await Promise.all(stormers.map((c) => storm(c, 40)))
    storming.on = false
    await trader
    const after = s.app.gateway.stats()
    const built = after.snapshots_built - before.snapshots_built
    const seqs = new Set(snapshots.map((m) => m.seq)).size
    t.comment(`${orders} orders during the storm; ${STORMERS * 40} snapshots sent, ${built} built, ${seqs} distinct seqs`)
    t.equal(after.snapshots_sent - before.snapshots_sent, STORMERS * 40)
    t.ok(built <= seqs, 'at most one build per seq the stormers saw (the first may be the still book one)')
    t.ok(built <= after.deltas_published - before.deltas_published + 1, 'never more builds than states')
    t.ok(orders > 0, 'orders were answered during the storm')
    const { body } = await rest<{ total_orders: number }>(s.url, 'GET', `/statistics?symbol=${SYMBOL}`)
    t.equal(body.total_orders, 20_000 + orders, 'every order is in the book statistics')
  })
})
