/** File names in the data directory, and listing them in sequence order. */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'

const SEGMENT = /^journal-(\d{20})\.log$/
const SNAPSHOT = /^snapshot-(\d{20})\.json$/
/** Temporary files of segments and snapshots being created: never read, and removed at start. */
const TEMP = /^(journal-\d{20}\.log|snapshot-\d{20}\.json)\.tmp$/

export interface SeqFile { readonly path: string, readonly name: string, readonly seq: number }

/** journal-<first seq it may hold>.log */
export function segmentName (firstSeq: number): string {
  return `journal-${String(firstSeq).padStart(20, '0')}.log`
}

/** snapshot-<last seq it covers>.json */
export function snapshotName (seq: number): string {
  return `snapshot-${String(seq).padStart(20, '0')}.json`
}

export function listSegments (dir: string): SeqFile[] {
  return list(dir, SEGMENT)
}

export function listSnapshots (dir: string): SeqFile[] {
  return list(dir, SNAPSHOT)
}

function list (dir: string, pattern: RegExp): SeqFile[] {
  const out: SeqFile[] = []
  for (const name of readdirSync(dir)) {
    const match = pattern.exec(name)
    if (match !== null) out.push({ path: join(dir, name), name, seq: Number(match[1]) })
  }
  return out.sort((a, b) => a.seq - b.seq)
}

/** Removes the temporary files a killed process left behind; returns their names. */
export function removeTemps (dir: string): string[] {
  const names = readdirSync(dir).filter((name) => TEMP.test(name))
  for (const name of names) rmSync(join(dir, name), { force: true })
  return names
}

/** A file creation or rename is durable only once its directory entry is synced. */
export function syncDir (dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Creates `path` whole or not at all: written to `path.tmp`, synced, renamed
 * into place (replacing a file of that name), then the directory synced. A
 * failure removes the temporary file and throws.
 */
export function writeFileDurablySync (path: string, text: string): void {
  const temp = path + '.tmp'
  try {
    const fd = openSync(temp, 'w')
    try {
      const bytes = Buffer.from(text)
      /* c8 ignore next -- a synchronous write to a fresh regular file is whole or throws (ENOSPC); kept so a short write can never leave a truncated file */
      if (writeSync(fd, bytes) !== bytes.length) throw new Error(`short write to ${temp}`)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
  syncDir(dirname(path))
}
