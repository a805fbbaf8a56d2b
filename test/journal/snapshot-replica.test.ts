// Snapshots by a replica in a worker thread: the file it writes holds exactly
// the state the service's own engine and market statistics had at the cut
// (commands run after the cut are not in it), from scratch and on top of an
// earlier snapshot; a replica that cannot reach the cut says why. (Recovery
// from snapshot files is round-trip.test.ts's.)
import t from 'tap'
import type { Test } from 'tap'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportState } from '../../src/engine/index.js'
import { Persistence } from '../../src/journal/persistence.js'
import { listSnapshots } from '../../src/journal/files.js'
import { readSnapshot } from '../../src/journal/snapshot-store.js'
import { replicaSnapshot } from '../../src/journal/snapshot-replica.js'
import { encodeHeader } from '../../src/journal/codec.js'
import { filtersOf } from '../../src/journal/filters.js'
import { MarketStats } from '../../src/market/market-stats.js'
import { configuredEngine } from '../../src/exchange/configured-engine.js'
import { loadConfig } from '../../src/config.js'
import { steppingClock } from '../helpers/clock.js'
import { runFlow } from '../helpers/flow.js'

const CONFIG = loadConfig({}).engine

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'replica-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** An engine and its market statistics journaled into `dir`, as the exchange wires them, snapshots by a replica. */
function open (dir: string) {
  const market = new MarketStats()
  const clock = steppingClock()
  const persistence = new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0, market, replica: { engine: CONFIG } },
    (onCommand) => configuredEngine(CONFIG, { market, onCommand, clock }))
  return { engine: persistence.engine, market, persistence }
}

/** The state a snapshot of this engine holds now, as its file would read back. */
function stateNow (opened: ReturnType<typeof open>): unknown {
  return JSON.parse(JSON.stringify({ ...exportState(opened.engine), market: opened.market.save() }))
}

function snapshotAt (dir: string, seq: number): unknown {
  const file = listSnapshots(dir).find((snapshot) => snapshot.seq === seq)
  if (file === undefined) throw new Error(`no snapshot of seq ${seq} in ${dir}`)
  const read = readSnapshot(file)
  if (!read.ok) throw new Error(read.reason)
  return read.state
}

t.test('the replica\'s snapshot is the service\'s state at the cut, from scratch and on top of an earlier snapshot', async (t) => {
  const dir = tempDir(t)
  const opened = open(dir)
  runFlow(opened.engine, 3, 3000)
  const firstSeq = opened.engine.sequence
  const expectedFirst = stateNow(opened)
  const taking = opened.persistence.snapshot()
  // Commands after the cut, while the replica works: they belong to the next snapshot, not this one.
  runFlow(opened.engine, 4, 700)
  await taking
  t.same(snapshotAt(dir, firstSeq), expectedFirst, 'the first snapshot: the whole journal replayed')

  runFlow(opened.engine, 5, 1500)
  const secondSeq = opened.engine.sequence
  const expectedSecond = stateNow(opened)
  await opened.persistence.snapshot()
  t.same(snapshotAt(dir, secondSeq), expectedSecond, 'the second: the first snapshot plus the journal after it')
  t.ok(secondSeq > firstSeq)

  await opened.persistence.close()
})

t.test('periodic snapshots go through the replica and the service goes on meanwhile', async (t) => {
  const dir = tempDir(t)
  const market = new MarketStats()
  const persistence = new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 500, market, replica: { engine: CONFIG } },
    (onCommand) => configuredEngine(CONFIG, { market, onCommand, clock: steppingClock() }))
  runFlow(persistence.engine, 9, 1500)
  const seq = persistence.engine.sequence
  t.ok(seq >= 500, `${seq} commands journaled`)
  // The periodic snapshot starts on the next turn, in the worker; this thread only waits for its file.
  const deadline = Date.now() + 60_000
  while (listSnapshots(dir).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(listSnapshots(dir).map((snapshot) => snapshot.seq), [seq], 'one periodic snapshot, of the state after the flow')
  await persistence.close()
})

t.test('a replica that cannot reach the cut refuses, naming why', async (t) => {
  const empty = tempDir(t)
  await t.rejects(replicaSnapshot({ dataDir: empty, seq: 5, engine: CONFIG, market: false }), /reached seq 0 .*not 5/)
  await t.rejects(replicaSnapshot({ dataDir: join(empty, 'missing'), seq: 5, engine: CONFIG, market: true }), /ENOENT|no such file/)

  // A torn record before the cut: the journal up to a cut is durable, so this is damage, and nothing is changed.
  const torn = tempDir(t)
  const opened = open(torn)
  runFlow(opened.engine, 12, 50)
  const seq = opened.engine.sequence
  await opened.persistence.close()
  const segment = join(torn, `journal-${String(seq + 1).padStart(20, '0')}.log`)
  writeFileSync(segment, encodeHeader(filtersOf(opened.engine)))
  appendFileSync(segment, '0badc0de ["c",')
  await t.rejects(replicaSnapshot({ dataDir: torn, seq: seq + 1, engine: CONFIG, market: true }), /incomplete record .* before seq/)
})

t.test('a replica that fails: the next snapshot is taken on the service\'s thread, then the replica is tried again', async (t) => {
  const dir = tempDir(t)
  const market = new MarketStats()
  // The replica is told of a configuration without ETH-USDT and SOL-USDT: replaying their orders fails.
  const narrow = { ...CONFIG, symbols: CONFIG.symbols.filter((symbol) => symbol.symbol === 'BTC-USDT') }
  const persistence = new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0, market, replica: { engine: narrow } },
    (onCommand) => configuredEngine(CONFIG, { market, onCommand, clock: steppingClock() }))
  t.teardown(() => persistence.close())
  runFlow(persistence.engine, 21, 400)
  await t.rejects(persistence.snapshot(), /ETH-USDT|SOL-USDT/, 'the replica refuses, naming the symbol')
  t.same(listSnapshots(dir), [], 'no snapshot from it')
  runFlow(persistence.engine, 22, 100)
  const seq = persistence.engine.sequence
  const expected = JSON.parse(JSON.stringify({ ...exportState(persistence.engine), market: market.save() }))
  await persistence.snapshot()
  t.same(snapshotAt(dir, seq), expected, 'the next one, taken on this thread, holds the state at its cut')
  runFlow(persistence.engine, 23, 100)
  await t.rejects(persistence.snapshot(), /ETH-USDT|SOL-USDT/, 'after a success the replica is tried again')
})

t.test('close stops a running replica and writes the last snapshot itself; no snapshot starts once closing', async (t) => {
  const dir = tempDir(t)
  const opened = open(dir)
  runFlow(opened.engine, 31, 2000)
  const taking = opened.persistence.snapshot()
  const closing = opened.persistence.close()
  await t.rejects(taking, /snapshot replica was stopped/, 'the replica is stopped, not waited for')
  const late = opened.persistence.snapshot()
  await closing
  await late
  const seq = opened.engine.sequence
  t.same(listSnapshots(dir).map((snapshot) => snapshot.seq), [seq], 'only close\'s own snapshot, of the last command')
  t.same(snapshotAt(dir, seq), stateNow(opened))
})
