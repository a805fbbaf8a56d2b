/**
 * A journal write or sync that fails: the batch is cut off the file before
 * anyone is answered, so a restart never replays a command whose caller was
 * told it failed; every durable() rejects with JournalUnavailableError. The
 * disk is simulated through the writer's io seam here (real files, failing
 * calls); disk-full.test.ts does it for real with the server process.
 */
import t from 'tap'
import { fdatasync, mkdirSync, rmSync, mkdtempSync, readdirSync, readFileSync, statSync, write } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stateDigest, exportState } from '../../src/engine/index.js'
import { JournalUnavailableError } from '../../src/journal/errors.js'
import { segmentName, snapshotName } from '../../src/journal/files.js'
import { writeSnapshot } from '../../src/journal/snapshot-store.js'
import type { WriterIo } from '../../src/journal/journal-writer.js'
import { runFlow } from '../helpers/flow.js'
import { openJournaled } from '../helpers/journaled-engine.js'

const efbig = () => Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' })
const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })

/** Real writes and syncs until `failing` is set; then a write goes half through and the rest fails, like a full disk. */
function flakyDisk () {
  const disk = { failing: false, syncFails: false, fatal: [] as string[] }
  const io: Partial<WriterIo> = {
    write: ((fd: number, buffer: Buffer, offset: number, length: number, position: null, callback: (error: Error | null, written: number) => void) => {
      if (!disk.failing) return write(fd, buffer, offset, length, position, callback)
      if (length < 2) return callback(efbig(), 0)
      write(fd, buffer, offset, Math.floor(length / 2), position, callback)
    }) as unknown as WriterIo['write'],
    fdatasync: ((fd: number, callback: (error: Error | null) => void) => {
      if (disk.syncFails) return callback(eio())
      fdatasync(fd, callback)
    }) as unknown as WriterIo['fdatasync'],
    fatal: (message) => { disk.fatal.push(message) }
  }
  return { disk, io }
}

const order = (i: number) => ({ symbol: 'ETH-USDT', side: i % 2 === 0 ? 'buy' : 'sell', orderType: 'limit', quantity: '1', price: String(2000 + (i % 3)), clientOrderId: `o-${i}` })

function segmentOf (dir: string): string {
  return join(dir, readdirSync(dir).filter((f) => f.startsWith('journal-')).sort().at(-1)!)
}

t.test('a short write then EFBIG: the batch is cut off, its callers refused, and a restart has only the acknowledged orders', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const { disk, io } = flakyDisk()
  const { engine, persistence } = openJournaled(dir, { fsync: 'always', io })
  for (let i = 0; i < 10; i++) t.ok(engine.submit(order(i)).ok)
  await persistence.durable()
  const acknowledged = stateDigest(engine)
  const sizeBefore = statSync(segmentOf(dir)).size

  disk.failing = true
  for (let i = 10; i < 16; i++) t.ok(engine.submit(order(i)).ok) // one batch of six records, half of it reaching the file
  const error = await persistence.durable().then(() => null, (e: unknown) => e)
  t.ok(error instanceof JournalUnavailableError, 'durable() rejects with JournalUnavailableError')
  t.equal(statSync(segmentOf(dir)).size, sizeBefore, 'the file is cut back to where the batch began')
  t.ok(persistence.failed instanceof JournalUnavailableError)
  t.throws(() => engine.submit(order(16)), JournalUnavailableError, 'a later command is refused before it runs')
  await t.rejects(persistence.durable(), JournalUnavailableError, 'and so is every later durable()')
  t.same(disk.fatal, [])

  const restarted = openJournaled(dir)
  t.equal(restarted.engine.sequence, 10)
  t.equal(stateDigest(restarted.engine), acknowledged, 'exactly the acknowledged state')
  t.notOk(restarted.engine.findOrder('ETH-USDT', { clientOrderId: 'o-10' }).ok, 'a refused order is not there')
  await restarted.persistence.close()
  await persistence.close()
})

t.test('a full disk while a snapshot rotates the journal: the new segment is removed, the restart finds no gap', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const { disk, io } = flakyDisk()
  const { engine, persistence } = openJournaled(dir, { fsync: 'always', io })
  for (let i = 0; i < 5; i++) engine.submit(order(i))
  await persistence.durable()
  disk.failing = true
  for (let i = 5; i < 9; i++) engine.submit(order(i))
  await t.rejects(persistence.snapshot(), JournalUnavailableError) // rotates, then the old segment's last batch fails
  t.same(readdirSync(dir).filter((f) => f.startsWith('journal-')), [segmentName(1)], 'the header-only new segment is gone')
  await persistence.close()
  t.equal(openJournaled(dir).engine.sequence, 5)
})

t.test('batches that queue up during a write go out in one write', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  let writes = 0
  const held: Array<() => void> = []
  const io: Partial<WriterIo> = {
    write: ((fd: number, buffer: Buffer, offset: number, length: number, position: null, callback: (error: Error | null, written: number) => void) => {
      writes++
      if (writes === 1) held.push(() => write(fd, buffer, offset, length, position, callback))
      else write(fd, buffer, offset, length, position, callback)
    }) as unknown as WriterIo['write']
  }
  const { engine, persistence } = openJournaled(dir, { fsync: 'always', io })
  engine.submit(order(0))
  const first = persistence.durable()
  while (held.length === 0) await new Promise((resolve) => setImmediate(resolve))
  engine.submit(order(1))
  await new Promise((resolve) => setImmediate(resolve))
  engine.submit(order(2))
  const later = persistence.durable()
  await new Promise((resolve) => setImmediate(resolve))
  held[0]()
  await first
  await later
  t.equal(writes, 2, 'the two queued batches were merged')
  await persistence.close()
  t.equal(openJournaled(dir).engine.sequence, 3)
})

t.test('a failed fdatasync (fsync always) cuts the written batch back as well', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const { disk, io } = flakyDisk()
  const { engine, persistence } = openJournaled(dir, { fsync: 'always', io })
  for (let i = 0; i < 4; i++) engine.submit(order(i))
  await persistence.durable()
  const sizeBefore = statSync(segmentOf(dir)).size
  disk.syncFails = true
  for (let i = 4; i < 8; i++) engine.submit(order(i))
  await t.rejects(persistence.durable(), JournalUnavailableError)
  t.equal(statSync(segmentOf(dir)).size, sizeBefore)
  await persistence.close()
  t.equal(openJournaled(dir).engine.sequence, 4)
})

t.test('when the cut-back fails too, the process exits at once (through fatal) instead of answering', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const { disk, io } = flakyDisk()
  io.ftruncateSync = () => { throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' }) }
  const { engine, persistence } = openJournaled(dir, { fsync: 'always', io })
  engine.submit(order(0))
  await persistence.durable()
  disk.failing = true
  engine.submit(order(1))
  engine.submit(order(2))
  await persistence.durable().catch(() => {})
  t.equal(disk.fatal.length, 1)
  t.match(disk.fatal[0], /journal write failed \(EFBIG.*\) and cutting .*journal-0+1\.log back to \d+ bytes failed too \(EIO: i\/o error, ftruncate\); exiting without answering/)
  await persistence.close()
})

t.test('a failed background fsync (fsync batch) refuses everything after it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const { disk, io } = flakyDisk()
  const reported: unknown[] = []
  const { engine, persistence } = openJournaled(dir, { fsync: 'batch', fsyncIntervalMs: 5, io, onError: (error) => reported.push(error) })
  engine.submit(order(0))
  await persistence.durable() // written, not synced yet: the next periodic sync fails
  disk.syncFails = true
  while (reported.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  t.ok(reported[0] instanceof JournalUnavailableError)
  t.match((reported[0] as Error).message, /journal fsync failed: EIO/)
  await t.rejects(persistence.durable(), JournalUnavailableError)
  t.throws(() => engine.submit(order(1)), JournalUnavailableError)
  await t.rejects(persistence.snapshot(), JournalUnavailableError, 'no snapshot of a state the journal does not hold')
  await persistence.close()
})

t.test('records still collecting when the background fsync fails are refused, not left waiting', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const held: Array<(error: Error | null) => void> = []
  const io: Partial<WriterIo> = { fdatasync: ((_fd: number, callback: (error: Error | null) => void) => { held.push(callback) }) as unknown as WriterIo['fdatasync'] }
  const { engine, persistence } = openJournaled(dir, { fsync: 'batch', fsyncIntervalMs: 1, io })
  engine.submit(order(0))
  await persistence.durable()
  while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 2))
  // In one turn: a record is collecting (not written yet) when the sync reports its failure.
  engine.submit(order(1))
  const pending = persistence.durable()
  held[0](eio())
  await t.rejects(pending, JournalUnavailableError)
  await persistence.close()
  t.equal(openJournaled(dir).engine.sequence, 1, 'the refused record never reached the file')
})

t.test('a snapshot whose new segment cannot be created fails alone: the journal goes on', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const { engine, persistence } = openJournaled(dir)
  runFlow(engine, 5, 50)
  await persistence.durable()
  const blocked = join(dir, segmentName(engine.sequence + 1))
  mkdirSync(blocked) // the rename of the new segment into place fails
  await t.rejects(persistence.snapshot(), /EISDIR|EEXIST|ENOTEMPTY|directory/)
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary segment left behind')
  runFlow(engine, 6, 20)
  await persistence.durable()
  t.equal(persistence.failed, null)
  const sequence = engine.sequence
  await persistence.close()
  rmSync(blocked, { recursive: true })
  t.equal(openJournaled(dir).engine.sequence, sequence)
})

t.test('a failed snapshot leaves no temporary file behind (async and at close)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const { engine, persistence } = openJournaled(dir)
  runFlow(engine, 7, 30)
  await persistence.durable()
  // A directory where the snapshot goes makes the final rename fail, after the temporary file is written.
  mkdirSync(join(dir, snapshotName(engine.sequence)))
  await t.rejects(writeSnapshot(dir, exportState(engine)))
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
  await t.rejects(persistence.close(), 'the final snapshot fails the same way')
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
  t.match(readFileSync(join(dir, readdirSync(dir).find((f) => f.startsWith('lock-'))!), 'utf8'), /released_at/, 'the lock is released anyway')
})

t.test('a background fsync that fails while a batch is being written: that batch and the one collecting behind it are both refused', async (t) => {
  // Every step is driven by hand (held write and sync callbacks), so the order of events is the same on any machine.
  const dir = mkdtempSync(join(tmpdir(), 'wfail-'))
  const heldSyncs: Array<(error: Error | null) => void> = []
  const heldWrites: Array<() => void> = []
  let holdWrites = false
  const io: Partial<WriterIo> = {
    write: ((fd: number, buffer: Buffer, offset: number, length: number, position: null, callback: (error: Error | null, written: number) => void) => {
      if (!holdWrites) return write(fd, buffer, offset, length, position, callback)
      heldWrites.push(() => write(fd, buffer, offset, length, position, callback))
    }) as unknown as WriterIo['write'],
    fdatasync: ((_fd: number, callback: (error: Error | null) => void) => { heldSyncs.push(callback) }) as unknown as WriterIo['fdatasync']
  }
  const reported: unknown[] = []
  const { engine, persistence } = openJournaled(dir, { fsync: 'batch', fsyncIntervalMs: 1, io, onError: (error) => reported.push(error) })
  engine.submit(order(0))
  await persistence.durable()
  while (heldSyncs.length === 0) await new Promise((resolve) => setTimeout(resolve, 2))

  holdWrites = true
  engine.submit(order(1))
  const inFlight = persistence.durable()
  while (heldWrites.length === 0) await new Promise((resolve) => setImmediate(resolve))
  engine.submit(order(2)) // collecting behind the write in flight
  const collecting = persistence.durable()
  heldSyncs[0](eio()) // the background sync of order 0's write fails now, while order 1's write is in flight
  await t.rejects(collecting, JournalUnavailableError, 'the batch still collecting is refused when it is sealed')
  heldWrites[0]() // order 1's write completes, after the failure
  await t.rejects(inFlight, JournalUnavailableError, 'the batch that was in flight is refused and cut back too')
  t.equal(reported.length, 1)
  await t.rejects(persistence.snapshot(), JournalUnavailableError, 'no snapshot either: the journal cannot open a new segment')
  await persistence.close()
  const restarted = openJournaled(dir)
  t.equal(restarted.engine.sequence, 1, 'only order 0 is on disk')
  await restarted.persistence.close()
})
