/**
 * Snapshot files of every format this version reads recover through the
 * data directory: format 2 (accounts, before issue 12's stops and trading
 * status) and format 3; a later format is refused (see corruption.test.ts).
 */
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MatchingEngine, exportState, stateDigest, type EngineState } from '../../src/engine/index.js'
import { snapshotName } from '../../src/journal/files.js'
import { Persistence } from '../../src/journal/persistence.js'
import { encodeSnapshot } from '../../src/journal/snapshot-store.js'
import { engineProblems } from '../helpers/invariants.js'
import { UNIT, place, unitEngine } from '../helpers/engine.js'
import { steppingClock } from '../helpers/clock.js'

function openDir (dir: string) {
  return new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0 },
    (onCommand) => new MatchingEngine({ symbols: [UNIT], clock: steppingClock(), onCommand }))
}

function liveEngine (): MatchingEngine {
  const e = unitEngine()
  place(e, { side: 'sell', qty: 5, price: 101, cid: 'a' })
  place(e, { side: 'buy', qty: 2, price: 101 })
  place(e, { side: 'buy', qty: 3, price: 99 })
  return e
}

t.test('a format-2 snapshot file recovers: no stops, every symbol trading', async (t) => {
  const live = liveEngine()
  const v2 = JSON.parse(JSON.stringify(exportState(live))) as EngineState
  v2.version = 2
  for (const book of v2.books) {
    delete book.stops
    delete book.tradingStatus
  }
  const dir = mkdtempSync(join(tmpdir(), 'format-2-snapshot-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, snapshotName(live.sequence)), encodeSnapshot(v2))
  const persistence = openDir(dir)
  t.teardown(() => persistence.close())
  t.equal(persistence.recovery.snapshotSeq, live.sequence)
  t.equal(stateDigest(persistence.engine), stateDigest(live))
  t.same(engineProblems(persistence.engine), [])
  t.equal(persistence.engine.book(UNIT.symbol)!.tradingStatus, 'trading')
})

t.test('a format-3 snapshot file recovers with its trading status', async (t) => {
  const live = liveEngine()
  live.book(UNIT.symbol)!.tradingStatus = 'cancel_only'
  live.revision++
  const dir = mkdtempSync(join(tmpdir(), 'format-3-snapshot-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, snapshotName(live.sequence)), encodeSnapshot(exportState(live)))
  const persistence = openDir(dir)
  t.teardown(() => persistence.close())
  t.equal(persistence.engine.book(UNIT.symbol)!.tradingStatus, 'cancel_only')
  t.equal(stateDigest(persistence.engine), stateDigest(live))
})
