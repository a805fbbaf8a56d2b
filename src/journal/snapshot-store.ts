/**
 * Snapshots: the engine state as JSON behind a checksum line, written to a
 * temporary file, synced, then renamed into place, so a reader only ever
 * sees a complete snapshot or none. A failed write removes its temporary
 * file (a full disk must not fill up further with dead snapshots); one left
 * by a killed process is removed at the next start.
 *   line 1: <crc32 of line 2, 8 hex digits>
 *   line 2: the state JSON: the engine's state (EngineState), plus, when the
 *           exchange keeps them, the market statistics (`market`, see
 *           src/market/market-stats.ts); a snapshot without that optional
 *           section (written before it existed) restores empty statistics.
 */
import { readFileSync, renameSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import type { EngineState } from '../engine/index.js'
import type { MarketState } from '../market/market-stats.js'
import { checksum } from './codec.js'
import { snapshotName, syncDir, writeFileDurablySync, type SeqFile } from './files.js'

/** What a snapshot file holds. */
export type SnapshotState = EngineState & { market?: MarketState }

export function encodeSnapshot (state: SnapshotState): string {
  const json = JSON.stringify(state)
  return checksum(json) + '\n' + json + '\n'
}

/** Writes atomically; resolves with the final path once it is durable. */
export async function writeSnapshot (dir: string, state: SnapshotState): Promise<string> {
  const text = encodeSnapshot(state)
  const final = join(dir, snapshotName(state.sequence))
  const temp = final + '.tmp'
  try {
    const handle = await open(temp, 'w')
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    renameSync(temp, final)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
  syncDir(dir)
  return final
}

/** The same, synchronously: for the last snapshot at shutdown. */
export function writeSnapshotSync (dir: string, state: SnapshotState): string {
  const final = join(dir, snapshotName(state.sequence))
  writeFileDurablySync(final, encodeSnapshot(state))
  return final
}

export type SnapshotRead = { ok: true, state: SnapshotState } | { ok: false, reason: string }

export function readSnapshot (file: SeqFile): SnapshotRead {
  const text = readFileSync(file.path, 'utf8')
  const newline = text.indexOf('\n')
  if (newline !== 8) return { ok: false, reason: 'no checksum line' }
  const json = text.slice(9).replace(/\n$/, '')
  if (checksum(json) !== text.slice(0, 8)) return { ok: false, reason: 'checksum mismatch' }
  try {
    const state = JSON.parse(json) as SnapshotState
    if (state.sequence !== file.seq) return { ok: false, reason: `holds seq ${state.sequence}, name says ${file.seq}` }
    return { ok: true, state }
  } catch (error) {
    return { ok: false, reason: (error as Error).message }
  }
}
