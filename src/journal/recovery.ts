/**
 * Start-up recovery: newest valid snapshot, then every journal record after
 * it, in order. Skipping an acknowledged command silently is the one thing
 * we must never do, so everything that is not exactly a torn write refuses
 * the start (StartupRefusedError, naming the file and offset):
 *
 * Tolerated (with a warning):
 * - an incomplete last line (no trailing newline) of the last segment that
 *   holds records: the crash cut a write short, so its batch was never
 *   acknowledged. It is cut off, and any later segments are removed: they
 *   can only hold a header (a crash while a snapshot rotated the journal);
 * - snapshots that fail their checksum: an older one plus the journal is used;
 * - snapshots and no journal at all (a snapshot-only restore): loudly, since
 *   commands after the snapshot would be lost if the journal was not removed
 *   on purpose.
 * Refused:
 * - a complete line (ending in a newline) that fails its checksum or format,
 *   wherever it is, the last record included: that is damage, not a tear;
 * - a segment without a valid header line, an empty (0-byte) segment among
 *   them: segments are created with their header, atomically;
 * - missing records: a gap between records, or a segment that starts after
 *   the sequence the data before it reaches;
 * - other filters, or orders of a removed symbol (see filters.ts).
 * A segment cut back at a record boundary cannot be told from a complete one.
 */
import { closeSync, fsyncSync, openSync, readFileSync, rmSync, truncateSync } from 'node:fs'
import { dirname } from 'node:path'
import { importState, READABLE_STATE_VERSIONS, type Command, type EngineState, type MatchingEngine } from '../engine/index.js'
import type { MarketStats } from '../market/market-stats.js'
import { decodeCommand, decodeHeader, JOURNAL_FORMAT, type SegmentHeader } from './codec.js'
import { CorruptJournalError } from './errors.js'
import { listSegments, listSnapshots, removeTemps, syncDir, type SeqFile } from './files.js'
import { checkFilters, removedSymbol } from './filters.js'
import { readSnapshot } from './snapshot-store.js'

export { CorruptJournalError } from './errors.js'

export interface RecoveryReport {
  snapshotSeq: number | null
  replayed: number
  lastSeq: number
  warnings: string[]
}

/**
 * `market`, when given, listens to the engine already: it loads the snapshot's statistics, and the replayed trades extend them.
 * `upTo`, when given, makes it a read-only replica's catch-up (snapshot-replica.ts): it changes no file, uses no snapshot past
 * that seq, stops there, and refuses anything but records complete up to it (the journal before `upTo` is durable and closed).
 */
export function recover (dir: string, engine: MatchingEngine, market?: MarketStats, upTo?: number): RecoveryReport {
  const warnings: string[] = []
  if (upTo === undefined) for (const name of removeTemps(dir)) warnings.push(`removed ${name}, left by a write that was interrupted`)
  let snapshotSeq: number | null = null
  const snapshots = listSnapshots(dir).filter((snapshot) => upTo === undefined || snapshot.seq <= upTo)
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const read = readSnapshot(snapshots[i])
    if (read.ok) {
      loadSnapshot(snapshots[i], read.state, engine, warnings)
      market?.load(read.state.market)
      snapshotSeq = read.state.sequence
      break
    }
    warnings.push(`snapshot ${snapshots[i].name} is unusable (${read.reason}); trying an older one`)
  }

  let replayed = 0
  const segments = listSegments(dir)
  if (segments.length === 0 && snapshotSeq !== null) {
    warnings.push(`no journal segment in ${dir}: starting from snapshot seq ${snapshotSeq} alone; ` +
      'unless the journal was removed on purpose (a snapshot-only restore), commands after it are lost')
  }
  for (let index = 0; index < segments.length; index++) {
    if (upTo !== undefined && engine.sequence >= upTo) break
    const segment = segments[index]
    const next = segments[index + 1]
    // A segment ends where the next begins: if that is within what is already applied, skip it unread.
    if (next !== undefined && next.seq <= engine.sequence + 1) continue
    if (segment.seq > engine.sequence + 1) {
      throw new CorruptJournalError(`${segment.path} starts at seq ${segment.seq}, but the data before it ends at seq ${engine.sequence}: ` +
        `records ${engine.sequence + 1} to ${segment.seq - 1} are missing; refusing to start (restore them from a backup)`)
    }
    const read = readSegment(segment.path)
    checkFilters(`journal segment ${segment.path}`, read.header.filters, engine)
    for (const command of read.commands) {
      if (command.seq <= engine.sequence) continue
      if (upTo !== undefined && command.seq > upTo) break
      if (command.seq !== engine.sequence + 1) {
        throw new CorruptJournalError(`${segment.path}: record seq ${command.seq} follows ${engine.sequence}; records are missing; refusing to start`)
      }
      const symbol = symbolOf(command)
      if (symbol !== null && engine.book(symbol) === undefined) throw removedSymbol(segment.path, symbol, `record seq ${command.seq}`)
      replayOrRefuse(engine, command, segment.path)
      replayed++
    }
    if (read.torn !== null && (upTo === undefined || engine.sequence < upTo)) {
      if (upTo !== undefined) throw new CorruptJournalError(`${segment.path}: incomplete record at offset ${read.torn.offset} before seq ${upTo}, which is durable`)
      dropTornTail(segment, read.torn, segments.slice(index + 1), warnings)
      break
    }
  }
  return { snapshotSeq, replayed, lastSeq: engine.sequence, warnings }
}

/** The symbol a record acts on; null for identity records and an all-symbols cancel-all. */
function symbolOf (command: Command): string | null {
  return command.kind === 'new' || command.kind === 'cancel' || command.kind === 'cancel_all' ? command.symbol : null
}

/**
 * Replays one record. A record the state cannot take (a cancel of an order
 * that is not open: a snapshot and a journal from different histories) is a
 * broken data directory, refused like any other damage, not a crash.
 */
function replayOrRefuse (engine: MatchingEngine, command: Command, path: string): void {
  try {
    engine.replay(command)
  } catch (error) {
    throw new CorruptJournalError(`${path}: record seq ${command.seq} does not fit the state before it (${(error as Error).message}); ` +
      'the snapshot and the journal are from different histories; refusing to start (restore both from one backup)')
  }
}

/** Checks the snapshot's filters and symbols against the configuration, then loads it. */
function loadSnapshot (file: SeqFile, state: EngineState, engine: MatchingEngine, warnings: string[]): void {
  if (!READABLE_STATE_VERSIONS.includes(state.version)) {
    throw new CorruptJournalError(`${file.path} has snapshot format ${String(state.version)}; this version reads formats ${READABLE_STATE_VERSIONS.join(', ')}`)
  }
  checkFilters(`snapshot ${file.path}`, state.books.map((b) => [b.symbol, b.tickSize, b.lotSize] as const), engine)
  const books = state.books.filter((book) => {
    if (engine.book(book.symbol) !== undefined) return true
    if (book.resting.length > 0) throw removedSymbol(file.path, book.symbol, `${book.resting.length} open orders`)
    if (state.history.some(([symbol]) => symbol === book.symbol)) throw removedSymbol(file.path, book.symbol, 'orders in the history')
    // Fills outlive their orders in the history (a shorter HISTORY_LIMIT): kept, they would name a symbol without a book.
    if (state.fills?.some(([symbol]) => symbol === book.symbol) === true) throw removedSymbol(file.path, book.symbol, 'trades in the fill history')
    warnings.push(`snapshot ${file.name}: symbol ${book.symbol} is no longer configured and holds no orders; its statistics are dropped`)
    return false
  })
  importState(engine, { ...state, books })
}

interface SegmentRead {
  readonly header: SegmentHeader
  readonly commands: Command[]
  /** An incomplete last line: where it starts and how long it is. */
  readonly torn: { readonly offset: number, readonly bytes: number } | null
}

/** The header and records of one segment; throws on anything but an incomplete last line. */
function readSegment (path: string): SegmentRead {
  const text = readFileSync(path)
  if (text.length === 0) {
    throw new CorruptJournalError(`${path} is empty, but every segment is created with a header: it was truncated or replaced and its records may be lost; ` +
      'refusing to start (restore it from a backup, or delete it if you know it held no records)')
  }
  const headerEnd = text.indexOf(0x0a)
  const header = headerEnd === -1 ? null : decodeHeader(text.toString('utf8', 0, headerEnd))
  if (header === null) {
    throw new CorruptJournalError(`${path} does not start with a valid segment header (damaged, or written by a version without headers); refusing to start`)
  }
  if (header.version !== JOURNAL_FORMAT) {
    throw new CorruptJournalError(`${path} has journal format ${header.version}; this version reads format ${JOURNAL_FORMAT}; refusing to start`)
  }
  const commands: Command[] = []
  let offset = headerEnd + 1
  while (offset < text.length) {
    const end = text.indexOf(0x0a, offset)
    if (end === -1) return { header, commands, torn: { offset, bytes: text.length - offset } }
    const command = decodeCommand(text.toString('utf8', offset, end))
    if (command === null) {
      throw new CorruptJournalError(`${path}: corrupt record at offset ${offset} (a complete line that fails its checksum or format: damage, not a torn write); ` +
        'refusing to start (restore the file or a backup)')
    }
    commands.push(command)
    offset = end + 1
  }
  return { header, commands, torn: null }
}

/**
 * Cuts an incomplete last line off (and syncs the cut, so a new segment can
 * never follow an uncut tail on disk). Later segments must hold only a
 * header; they are removed, since the writer starts a new one after the cut.
 */
function dropTornTail (segment: SeqFile, torn: { offset: number, bytes: number }, later: SeqFile[], warnings: string[]): void {
  for (const file of later) {
    const read = readSegment(file.path)
    if (read.commands.length > 0 || read.torn !== null) {
      throw new CorruptJournalError(`${segment.path}: incomplete record at offset ${torn.offset}, but the later segment ${file.path} holds records: ` +
        'damage, not a torn write; refusing to start')
    }
  }
  warnings.push(`${segment.path}: dropped a torn last record at offset ${torn.offset} (${torn.bytes} bytes), never acknowledged`)
  truncateSync(segment.path, torn.offset)
  const fd = openSync(segment.path, 'r+')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  for (const file of later) {
    rmSync(file.path)
    warnings.push(`removed ${file.name}, a segment holding only its header, after the torn record`)
  }
  if (later.length > 0) syncDir(dirname(segment.path))
}
