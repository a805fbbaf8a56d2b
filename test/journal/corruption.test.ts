import t from 'tap'
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stateDigest } from '../../src/engine/index.js'
import { CorruptJournalError } from '../../src/journal/recovery.js'
import { StartupRefusedError } from '../../src/journal/errors.js'
import { checksum, encodeCommand, encodeHeader } from '../../src/journal/codec.js'
import { segmentName } from '../../src/journal/files.js'
import { encodeSnapshot } from '../../src/journal/snapshot-store.js'
import { filtersOf } from '../../src/journal/filters.js'
import { runFlow } from '../helpers/flow.js'
import { openJournaled } from '../helpers/journaled-engine.js'

const open = (dir: string) => openJournaled(dir, { fsync: 'none' })

/** A data dir with a journal of `commands` records and no snapshot; returns the digest at its end. */
async function journalOnly (commands: number) {
  const dir = mkdtempSync(join(tmpdir(), 'corrupt-'))
  const { engine, persistence } = open(dir)
  runFlow(engine, 5, commands)
  await persistence.durable()
  return { dir, engine, digest: stateDigest(engine), segment: join(dir, readdirSync(dir).find((f) => f.startsWith('journal-'))!) }
}

t.test('a torn last record is dropped with a warning and the file is cut back', async (t) => {
  const { dir, engine, segment } = await journalOnly(300)
  const lastSeq = engine.sequence
  const size = statSync(segment).size
  const text = readFileSync(segment, 'utf8')
  const lastStart = text.lastIndexOf('\n', text.length - 2) + 1
  truncateSync(segment, size - 7) // the crash cut the last record short
  const { engine: recovered, persistence } = open(dir)
  t.equal(recovered.sequence, lastSeq - 1, 'everything but the torn record')
  t.match(persistence.recovery.warnings.join('\n'), /torn last record at offset \d+/)
  t.equal(statSync(segment).size, lastStart, 'torn bytes removed so new records append cleanly')
  await persistence.close()
})

t.test('garbage appended after the last newline counts as a torn tail too', async (t) => {
  const { dir, engine, segment } = await journalOnly(50)
  appendFileSync(segment, '1234abcd ["n",')
  const { engine: recovered, persistence } = open(dir)
  t.equal(recovered.sequence, engine.sequence)
  t.equal(persistence.recovery.warnings.length, 1)
  await persistence.close()
})

t.test('a flipped byte in the middle stops the start, naming file and offset', async (t) => {
  const { dir, segment } = await journalOnly(300)
  const bytes = readFileSync(segment)
  const middle = Math.floor(bytes.length / 2)
  bytes[middle] = bytes[middle] === 0x31 ? 0x32 : 0x31
  writeFileSync(segment, bytes)
  const error = t.throws(() => open(dir)) as Error
  t.ok(error instanceof CorruptJournalError)
  t.match(error.message, segment)
  t.match(error.message, /corrupt record at offset \d+/)
})

t.test('a flipped byte in the last complete record is damage, not a tear: the start is refused', async (t) => {
  const { dir, segment } = await journalOnly(300)
  const bytes = readFileSync(segment)
  const lastStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1
  const inJson = lastStart + 15
  bytes[inJson] = bytes[inJson] === 0x31 ? 0x32 : 0x31
  writeFileSync(segment, bytes)
  const error = t.throws(() => open(dir)) as Error
  t.ok(error instanceof CorruptJournalError && error instanceof StartupRefusedError)
  t.match(error.message, `corrupt record at offset ${lastStart}`)
  t.equal(statSync(segment).size, bytes.length, 'nothing was cut off')
})

t.test('a last record whose checksum digits were changed is refused too', async (t) => {
  const { dir, segment } = await journalOnly(40)
  const text = readFileSync(segment, 'utf8')
  const lastStart = text.lastIndexOf('\n', text.length - 2) + 1
  const digit = text[lastStart] === '0' ? '1' : '0'
  writeFileSync(segment, text.slice(0, lastStart) + digit + text.slice(lastStart + 1))
  t.throws(() => open(dir), /corrupt record at offset \d+ \(a complete line that fails its checksum/)
})

t.test('a journal replaced by an empty file is refused, not started empty', async (t) => {
  const { dir, segment } = await journalOnly(60)
  writeFileSync(segment, '')
  const error = t.throws(() => open(dir)) as Error
  t.ok(error instanceof CorruptJournalError)
  t.match(error.message, `${segment} is empty`)
  t.match(error.message, /delete it if you know it held no records/)
})

t.test('an empty segment after a snapshot is refused as well', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corrupt-'))
  const first = open(dir)
  runFlow(first.engine, 41, 100)
  await first.persistence.snapshot()
  runFlow(first.engine, 42, 50)
  await first.persistence.durable()
  const newest = readdirSync(dir).filter((f) => f.startsWith('journal-')).sort().at(-1)!
  writeFileSync(join(dir, newest), '')
  t.throws(() => open(dir), /is empty, but every segment is created with a header/)
  await first.persistence.close().catch(() => {})
})

t.test('a segment without a header (older format or damaged) is refused', async (t) => {
  const { dir, segment } = await journalOnly(30)
  const text = readFileSync(segment, 'utf8')
  writeFileSync(segment, text.slice(text.indexOf('\n') + 1))
  t.throws(() => open(dir), /does not start with a valid segment header/)
})

t.test('a segment of another journal format is refused', async (t) => {
  const { dir, segment } = await journalOnly(10)
  const text = readFileSync(segment, 'utf8')
  const json = '["h",2,[]]'
  writeFileSync(segment, checksum(json) + ' ' + json + text.slice(text.indexOf('\n')))
  t.throws(() => open(dir), /has journal format 2; this version reads format 1/)
})

t.test('a segment starting after the records before it end: missing records are refused', async (t) => {
  const { dir, engine } = await journalOnly(30)
  const header = encodeHeader(filtersOf(engine))
  writeFileSync(join(dir, segmentName(engine.sequence + 10)), header)
  t.throws(() => open(dir), new RegExp(`records ${engine.sequence + 1} to ${engine.sequence + 9} are missing`))
})

t.test('temporary files left by a killed process are removed at start', async (t) => {
  const { dir, engine } = await journalOnly(20)
  writeFileSync(join(dir, 'snapshot-' + String(engine.sequence).padStart(20, '0') + '.json.tmp'), '0000')
  writeFileSync(join(dir, segmentName(engine.sequence + 1) + '.tmp'), '')
  const { persistence } = open(dir)
  t.match(persistence.recovery.warnings.join('\n'), /removed snapshot-\d+\.json\.tmp/)
  t.same(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [])
  await persistence.close()
})

t.test('no snapshot and a full journal: everything is replayed', async (t) => {
  const { dir, engine, digest } = await journalOnly(800)
  const { engine: recovered, persistence } = open(dir)
  t.equal(recovered.sequence, engine.sequence)
  t.equal(persistence.recovery.snapshotSeq, null)
  t.equal(stateDigest(recovered), digest)
  await persistence.close()
})

t.test('a snapshot with no journal restores the snapshot alone', async (t) => {
  const { dir, engine, digest } = await journalOnly(400)
  const first = open(mkdtempSync(join(tmpdir(), 'unused-')))
  await first.persistence.close()
  const owner = open(dir)
  await owner.persistence.close() // writes the shutdown snapshot
  for (const f of readdirSync(dir)) if (f.startsWith('journal-')) rmSync(join(dir, f))
  const { engine: recovered, persistence } = open(dir)
  t.equal(recovered.sequence, engine.sequence)
  t.equal(stateDigest(recovered), digest)
  t.equal(persistence.recovery.replayed, 0)
  t.match(persistence.recovery.warnings.join('\n'), /no journal segment .* unless the journal was removed on purpose/, 'loudly')
  await persistence.close()
})

t.test('a damaged newest snapshot falls back to the previous one plus the journal', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corrupt-'))
  const { engine, persistence } = open(dir)
  runFlow(engine, 21, 400)
  await persistence.snapshot()
  const olderSeq = engine.sequence
  runFlow(engine, 22, 200)
  await persistence.snapshot()
  runFlow(engine, 23, 100)
  await persistence.durable()
  const digest = stateDigest(engine)
  const newest = listSnapshotFiles(dir).at(-1)!
  writeFileSync(newest, readFileSync(newest, 'utf8').replace('"sequence"', '"sequencE"'))
  const { engine: recovered, persistence: second } = open(dir)
  t.match(second.recovery.warnings.join('\n'), /unusable \(checksum mismatch\)/)
  t.equal(second.recovery.snapshotSeq, olderSeq)
  t.equal(recovered.sequence, engine.sequence)
  t.equal(stateDigest(recovered), digest)
  await second.close()
})

function listSnapshotFiles (dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('snapshot-')).sort().map((f) => join(dir, f))
}

t.test('a gap between records stops the start', async (t) => {
  const { dir, segment } = await journalOnly(100)
  const lines = readFileSync(segment, 'utf8').split('\n')
  lines.splice(40, 1)
  writeFileSync(segment, lines.join('\n'))
  t.throws(() => open(dir), /records are missing/)
})

t.test('a crash during rotation: torn tail in the old segment, header-only new segment', async (t) => {
  const { dir, engine, segment } = await journalOnly(120)
  const lastSeq = engine.sequence
  truncateSync(segment, statSync(segment).size - 5)
  const stale = join(dir, segmentName(lastSeq + 1))
  writeFileSync(stale, encodeHeader(filtersOf(engine)))
  const { engine: recovered, persistence } = open(dir)
  t.equal(recovered.sequence, lastSeq - 1, 'the torn record is dropped, the rest replayed')
  t.match(persistence.recovery.warnings.join('\n'), /torn last record/)
  t.notOk(existsSync(stale), 'the header-only segment after the tear is removed')
  t.ok(recovered.submit({ symbol: 'BTC-USDT', side: 'buy', orderType: 'limit', quantity: '0.01', price: '30000' }).ok, 'a new order is journaled')
  await persistence.close()
  const again = open(dir)
  t.equal(again.engine.sequence, lastSeq, 'the next start finds no gap')
  await again.persistence.close()
})

t.test('an incomplete record followed by a segment with records is damage', async (t) => {
  const { dir, engine, segment } = await journalOnly(50)
  const lastSeq = engine.sequence
  truncateSync(segment, statSync(segment).size - 5)
  const later = encodeHeader(filtersOf(engine)) + encodeCommand({ kind: 'cancel', seq: lastSeq + 1, orderId: '1', timestamp: 1, symbol: 'BTC-USDT' })
  writeFileSync(join(dir, segmentName(lastSeq + 1)), later)
  t.throws(() => open(dir), /incomplete record at offset \d+, but the later segment .* holds records/)
})

t.test('segments a snapshot fully covers are not even read', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'corrupt-'))
  const first = open(dir)
  runFlow(first.engine, 31, 200)
  await first.persistence.snapshot()
  runFlow(first.engine, 32, 100)
  await first.persistence.snapshot()
  runFlow(first.engine, 33, 50)
  await first.persistence.durable()
  const digest = stateDigest(first.engine)
  const segments = readdirSync(dir).filter((f) => f.startsWith('journal-')).sort()
  t.ok(segments.length >= 2, `several segments: ${segments.join(' ')}`)
  // Damage the oldest kept segment: the newest snapshot covers it, so recovery must not care.
  const oldest = join(dir, segments[0])
  const bytes = readFileSync(oldest)
  bytes[10] = bytes[10] === 0x31 ? 0x32 : 0x31
  writeFileSync(oldest, bytes)
  const { engine: recovered, persistence } = open(dir)
  t.equal(stateDigest(recovered), digest)
  await persistence.close()
  await first.persistence.close().catch(() => {})
})

t.test('a segment that is not even one line (no newline at all) is refused as headerless', async (t) => {
  const { dir, segment } = await journalOnly(5)
  writeFileSync(segment, 'garbage without any newline')
  t.throws(() => open(dir), /does not start with a valid segment header/)
})

/** Two snapshots and a journal after them; returns the dir, the newest snapshot's path and what recovery must rebuild. */
async function twoSnapshots () {
  const dir = mkdtempSync(join(tmpdir(), 'corrupt-'))
  const { engine, persistence } = open(dir)
  runFlow(engine, 31, 100)
  await persistence.snapshot()
  const olderSeq = engine.sequence
  runFlow(engine, 32, 50)
  await persistence.snapshot()
  runFlow(engine, 33, 20)
  await persistence.durable()
  const expected = { sequence: engine.sequence, digest: stateDigest(engine), olderSeq }
  // Not closed, like a crash: close() would write a final snapshot and prune what the older one needs.
  return { dir, newest: listSnapshotFiles(dir).at(-1)!, expected }
}

t.test('a newest snapshot without its checksum line, or holding another seq than its name, falls back to the older one', async (t) => {
  const damages: Array<[string, (text: string) => string, RegExp]> = [
    ['no checksum line', (text) => text.slice(9), /unusable \(no checksum line\)/],
    ['another seq', (text) => {
      const state = JSON.parse(text.slice(9)) as { sequence: number }
      return encodeSnapshot({ ...state, sequence: state.sequence + 1 } as never)
    }, /unusable \(holds seq \d+, name says \d+\)/]
  ]
  for (const [name, damage, warning] of damages) {
    const { dir, newest, expected } = await twoSnapshots()
    writeFileSync(newest, damage(readFileSync(newest, 'utf8')))
    const { engine, persistence } = open(dir)
    t.match(persistence.recovery.warnings.join('\n'), warning, name)
    t.equal(persistence.recovery.snapshotSeq, expected.olderSeq, `${name}: the older snapshot was used`)
    t.equal(engine.sequence, expected.sequence)
    t.equal(stateDigest(engine), expected.digest)
    await persistence.close()
  }
})

t.test('a snapshot of another format version is refused, not misread', async (t) => {
  const { dir, newest } = await twoSnapshots()
  const state = JSON.parse(readFileSync(newest, 'utf8').slice(9)) as object
  writeFileSync(newest, encodeSnapshot({ ...state, version: 4 } as never))
  t.throws(() => open(dir), /has snapshot format 4; this version reads formats 1, 2, 3/)
})

t.test('a record the state cannot take (a cancel of an order that is not open) refuses the start, not a crash', async (t) => {
  const { dir, engine, segment } = await journalOnly(20)
  // A well-formed, correctly checksummed record from another history: it cancels an order this one never had.
  appendFileSync(segment, encodeCommand({ kind: 'cancel', seq: engine.sequence + 1, orderId: '999999', timestamp: 1, symbol: 'BTC-USDT' }))
  const error = t.throws(() => open(dir)) as Error
  t.ok(error instanceof CorruptJournalError && error instanceof StartupRefusedError, 'a refused start (one line, exit 1), not a stack')
  t.match(error.message, /record seq \d+ does not fit the state before it .*different histories/)
})
