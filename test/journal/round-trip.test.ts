import t from 'tap'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MatchingEngine, exportState, stateDigest } from '../../src/engine/index.js'
import { Persistence } from '../../src/journal/persistence.js'
import { engineProblems } from '../helpers/invariants.js'
import { buildTestApp } from '../helpers/build-app.js'
import { runFlow } from '../helpers/flow.js'
import { openJournaled } from '../helpers/journaled-engine.js'

const open = openJournaled

t.test('flow, snapshot, more flow, close: a new engine recovers exactly the same state', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'))
  const first = open(dir)
  runFlow(first.engine, 7, 2000)
  await first.persistence.snapshot()
  runFlow(first.engine, 8, 2000)
  await first.persistence.durable()
  const before = exportState(first.engine)
  const digest = stateDigest(first.engine)
  await first.persistence.close()

  const second = open(dir)
  t.equal(stateDigest(second.engine), digest)
  t.same(exportState(second.engine), before, 'books, queues, history, counters and stats all equal')
  t.same(engineProblems(second.engine), [])
  t.equal(second.persistence.recovery.replayed, 0, 'the shutdown snapshot covered everything')
  // The recovered engine goes on with the same next ids as the original would.
  const next = second.engine.place({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', priceTicks: 1, quantityLots: 1_000_000, clientOrderId: null, accountId: 'anonymous', stp: 'none' })
  t.equal(next.ok && next.value.order.id, String(before.nextOrderSeq))
  await second.persistence.close()
})

t.test('a crash without a final snapshot recovers from snapshot + journal tail', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'))
  const first = open(dir, { fsync: 'always' })
  runFlow(first.engine, 11, 1500)
  const snapshotSeq = first.engine.sequence
  await first.persistence.snapshot()
  runFlow(first.engine, 12, 700)
  await first.persistence.durable()
  const digest = stateDigest(first.engine)
  const state = exportState(first.engine)
  // No close(): as if the process died here.
  const second = open(dir)
  t.equal(second.persistence.recovery.snapshotSeq, snapshotSeq)
  t.equal(second.persistence.recovery.replayed, first.engine.sequence - snapshotSeq)
  t.ok(second.persistence.recovery.replayed > 500, 'a real tail was replayed')
  t.equal(stateDigest(second.engine), digest)
  t.same(exportState(second.engine), state)
  await second.persistence.close()
  await first.persistence.close().catch(() => {})
})

t.test('snapshots every N commands rotate the journal and prune what they cover', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'))
  const first = open(dir, { snapshotEvery: 500 })
  for (let round = 0; round < 5; round++) {
    runFlow(first.engine, 100 + round, 400)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await first.persistence.durable()
  await new Promise((resolve) => setTimeout(resolve, 50))
  const files = readdirSync(dir)
  t.ok(files.filter((f) => f.startsWith('snapshot-')).length <= 2, `at most two snapshots kept: ${files.join(' ')}`)
  t.ok(files.filter((f) => f.startsWith('journal-')).length <= 3, `old segments pruned: ${files.join(' ')}`)
  const digest = stateDigest(first.engine)
  const second = open(dir)
  t.equal(stateDigest(second.engine), digest)
  t.ok(second.persistence.recovery.snapshotSeq !== null, 'recovered from a periodic snapshot')
  await second.persistence.close()
  await first.persistence.close().catch(() => {})
})

t.test('through the API: restart gives the same books, digest and order statuses', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-api-'))
  const env = { DATA_DIR: dir, RATE_LIMIT_ENABLED: 'false' }
  const app = await buildTestApp(t, env)
  const ids: string[] = []
  for (let i = 0; i < 60; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/order',
      payload: { symbol: 'ETH-USDT', side: i % 2 === 0 ? 'buy' : 'sell', order_type: 'limit', quantity: String(1 + (i % 5)), price: String(2000 + (i % 7) - 3) }
    })
    t.equal(res.statusCode, 200)
    ids.push(res.json().order_id)
  }
  await app.inject({ method: 'POST', url: '/cancel', payload: { symbol: 'ETH-USDT', order_id: ids[58] } })
  const book = (await app.inject('/book/ETH-USDT?levels=100')).json()
  const stats = (await app.inject('/statistics')).json()
  const statuses = await Promise.all(ids.map(async (id) => (await app.inject(`/order/${id}?symbol=ETH-USDT`)).json()))
  await app.close()

  const again = await buildTestApp(t, env)
  const book2 = (await again.inject('/book/ETH-USDT?levels=100')).json()
  t.same({ bids: book2.bids, asks: book2.asks }, { bids: book.bids, asks: book.asks })
  t.equal((await again.inject('/statistics')).json().state_digest, stats.state_digest)
  const statuses2 = await Promise.all(ids.map(async (id) => (await again.inject(`/order/${id}?symbol=ETH-USDT`)).json()))
  t.same(statuses2, statuses)
})

t.test('a snapshot refuses to load under a different tick or lot size', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'))
  const first = open(dir)
  runFlow(first.engine, 3, 200)
  await first.persistence.close()
  const symbols = [{ symbol: 'BTC-USDT', tickSize: '0.1', minQuantity: '0.00001' }, { symbol: 'ETH-USDT', tickSize: '0.01', minQuantity: '0.0001' }, { symbol: 'SOL-USDT', tickSize: '0.01', minQuantity: '0.01' }]
  t.throws(() => new Persistence({ dataDir: dir, fsync: 'none', fsyncIntervalMs: 5, snapshotEvery: 0 }, (onCommand) => new MatchingEngine({ symbols, onCommand })), /BTC-USDT in tick 0\.01 .* now configured with tick 0\.1/)
})

t.test('close() while a snapshot is being written waits for it, then snapshots what came after', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'))
  const first = open(dir)
  runFlow(first.engine, 41, 300)
  const inFlight = first.persistence.snapshot()
  runFlow(first.engine, 42, 50)
  const digest = stateDigest(first.engine)
  await first.persistence.close()
  await inFlight
  const again = open(dir)
  t.equal(again.persistence.recovery.snapshotSeq, first.engine.sequence, 'the final snapshot covers everything')
  t.equal(again.persistence.recovery.replayed, 0)
  t.equal(stateDigest(again.engine), digest)
  await again.persistence.close()
})

t.test('snapshot(): a call while one is being written shares it; a call with nothing new writes nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'))
  const { engine, persistence } = openJournaled(dir)
  t.teardown(() => persistence.close())
  runFlow(engine, 7, 30)
  const first = persistence.snapshot()
  t.equal(persistence.snapshot(), first, 'the same promise: one snapshot, not two')
  await first
  const snapshots = () => readdirSync(dir).filter((f) => f.startsWith('snapshot-')).sort()
  const written = snapshots()
  t.equal(written.length, 1)
  await persistence.snapshot()
  t.same(snapshots(), written, 'nothing new since the last snapshot: no second file')
})
