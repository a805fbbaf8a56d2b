/**
 * Start-up recovery: newest valid snapshot, then every journal record after
 * it, in order. A torn tail (crash mid-write) is cut off with a warning;
 * damage anywhere else stops the start with the file and offset, because
 * skipping an acknowledged command silently is the one thing we must never do.
 */
import { readFileSync, statSync, truncateSync } from 'node:fs'
import { importState, type Command, type MatchingEngine } from '../engine/index.js'
import { decodeCommand } from './codec.js'
import { listSegments, listSnapshots } from './files.js'
import { readSnapshot } from './snapshot-store.js'

export class CorruptJournalError extends Error {}

export interface RecoveryReport {
  snapshotSeq: number | null
  replayed: number
  lastSeq: number
  warnings: string[]
}

export function recover (dir: string, engine: MatchingEngine): RecoveryReport {
  const warnings: string[] = []
  let snapshotSeq: number | null = null
  const snapshots = listSnapshots(dir)
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const read = readSnapshot(snapshots[i])
    if (read.ok) {
      importState(engine, read.state)
      snapshotSeq = read.state.sequence
      break
    }
    warnings.push(`snapshot ${snapshots[i].name} is unusable (${read.reason}); trying an older one`)
  }

  let replayed = 0
  const segments = listSegments(dir)
  segments.forEach((segment, index) => {
    const next = segments[index + 1]
    // A segment ends where the next begins: if that is within what is already applied, skip it unread.
    if (next !== undefined && next.seq <= engine.sequence + 1) return
    // A crash during rotation can tear the old segment's tail after the new (empty) one was created.
    const isLast = segments.slice(index + 1).every((later) => statSync(later.path).size === 0)
    for (const command of readSegment(segment.path, isLast, warnings)) {
      if (command.seq <= engine.sequence) continue
      if (command.seq !== engine.sequence + 1) {
        throw new CorruptJournalError(`${segment.path}: record seq ${command.seq} follows ${engine.sequence}; records are missing`)
      }
      engine.replay(command)
      replayed++
    }
  })
  return { snapshotSeq, replayed, lastSeq: engine.sequence, warnings }
}

/** Decoded records of one segment; a bad record is only forgiven at the very end of the last segment. */
function readSegment (path: string, isLast: boolean, warnings: string[]): Command[] {
  const text = readFileSync(path)
  const commands: Command[] = []
  let offset = 0
  while (offset < text.length) {
    const end = text.indexOf(0x0a, offset)
    const line = text.toString('utf8', offset, end === -1 ? text.length : end)
    const command = end === -1 ? null : decodeCommand(line)
    if (command === null) {
      const atTail = end === -1 || end === text.length - 1
      if (isLast && atTail) {
        warnings.push(`${path}: dropped a torn last record at offset ${offset} (${text.length - offset} bytes)`)
        truncateSync(path, offset)
        break
      }
      throw new CorruptJournalError(`${path}: corrupt record at offset ${offset}; refusing to start (restore the file or a backup)`)
    }
    commands.push(command)
    offset = end + 1
  }
  return commands
}
