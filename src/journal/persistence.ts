/**
 * Durability for one engine: the data-directory lock and recovery at open,
 * the command journal while running, snapshots every N commands, on demand
 * and at close, and clean-up of journal segments and snapshots a newer
 * snapshot covers. The lock is held from the constructor to the end of close().
 */
import { mkdirSync, rmSync } from 'node:fs'
import { exportState, type Command, type MatchingEngine } from '../engine/index.js'
import type { Config, FsyncPolicy } from '../config.js'
import type { MarketStats } from '../market/market-stats.js'
import { encodeCommand, encodeHeader } from './codec.js'
import { DataDirLock } from './data-dir-lock.js'
import { JournalUnavailableError, StartupRefusedError } from './errors.js'
import { listSegments, listSnapshots } from './files.js'
import { filtersOf } from './filters.js'
import { JournalWriter, type WriterIo } from './journal-writer.js'
import { recover, type RecoveryReport } from './recovery.js'
import { writeSnapshot, writeSnapshotSync, type SnapshotState } from './snapshot-store.js'
import { replicaSnapshot, type ReplicaJob } from './snapshot-replica.js'

export interface PersistenceOptions {
  readonly dataDir: string
  readonly fsync: FsyncPolicy
  readonly fsyncIntervalMs: number
  /** Take a snapshot after this many commands; 0 = only on demand and at close. */
  readonly snapshotEvery: number
  /** Snapshots kept on disk (the newest ones). */
  readonly keepSnapshots?: number
  /** Reports failures that have no caller to return to (periodic snapshots, background fsync). */
  readonly onError?: (error: unknown, message: string) => void
  /**
   * Market statistics kept in every snapshot beside the engine's state. They must listen to the
   * engine before recovery (makeEngine attaches them) so that the replayed trades extend them.
   */
  readonly market?: MarketStats
  /** Tests replace file operations of the journal writer to simulate a failing disk. */
  readonly io?: Partial<WriterIo>
  /**
   * Snapshots by a replica in a worker thread (snapshot-replica.ts), built from this engine
   * configuration; absent: the state is exported on this thread (the snapshot at close always is).
   */
  readonly replica?: { readonly engine: Config['engine'] }
}

export class Persistence {
  readonly recovery: RecoveryReport
  /** The engine this journal feeds and recovers; built by the constructor around the journal's own hook. */
  readonly engine: MatchingEngine
  private readonly options: PersistenceOptions
  private readonly writer: JournalWriter
  private readonly lock: DataDirLock
  private sinceSnapshot = 0
  private lastSnapshotSeq: number
  private snapshotting: Promise<void> | null = null
  /** Stops a running replica when the journal closes (close writes its own snapshot). */
  private readonly stopReplica = new AbortController()
  /** After a failed replica the next snapshot is taken on this thread: a broken replica must not leave the journal growing without one. */
  private replicaFailed = false
  private closing = false

  /**
   * Locks the data directory, builds the engine with the journal as its
   * command hook, recovers it from the directory, then opens the journal for
   * appending. The engine is made here, not passed in, because each needs the
   * other: the engine journals every command through the hook, the journal
   * replays into the engine and snapshots it. Throws StartupRefusedError
   * (lock released) when the directory cannot be used as it is.
   */
  constructor (options: PersistenceOptions, makeEngine: (onCommand: (command: Command) => void) => MatchingEngine) {
    this.options = options
    const { dataDir } = options
    this.lock = unusableDirIsRefused(dataDir, () => {
      mkdirSync(dataDir, { recursive: true })
      return DataDirLock.acquire(dataDir)
    })
    try {
      const engine = this.engine = makeEngine((command) => this.onCommand(command))
      this.recovery = recover(dataDir, engine, options.market)
      this.lastSnapshotSeq = this.recovery.snapshotSeq ?? 0
      this.writer = unusableDirIsRefused(dataDir, () => new JournalWriter({
        dir: dataDir,
        firstSeq: engine.sequence + 1,
        header: encodeHeader(filtersOf(engine)),
        policy: options.fsync,
        fsyncIntervalMs: options.fsyncIntervalMs,
        onBackgroundError: (error) => options.onError?.(error, 'journal fsync failed; no further orders are acknowledged'),
        io: options.io
      }))
    } catch (error) {
      this.lock.release()
      throw error
    }
  }

  /** The engine's command hook: journal first, the engine runs it right after. */
  onCommand (command: Command): void {
    this.writer.append(encodeCommand(command))
    if (this.options.snapshotEvery > 0 && ++this.sinceSnapshot >= this.options.snapshotEvery) {
      this.sinceSnapshot = 0
      // After this command has run: the snapshot must include it.
      setImmediate(() => { this.snapshot().catch((error: unknown) => this.options.onError?.(error, 'periodic snapshot failed')) })
    }
  }

  /** Resolves once every command so far is durable; rejects only with JournalUnavailableError. */
  durable (): Promise<void> {
    return this.writer.durable()
  }

  get failed (): JournalUnavailableError | null {
    return this.writer.failed
  }

  /**
   * Cuts the journal at the current seq and writes the state at that seq
   * atomically, then deletes what it covers. The state is the replica's
   * (built from the durable journal up to the cut, off this thread) or,
   * without one, captured now, synchronously, so it matches the cut exactly.
   */
  snapshot (): Promise<void> {
    if (this.snapshotting !== null) return this.snapshotting
    const seq = this.engine.sequence
    // Once closing, close() writes the last snapshot itself.
    if (seq === this.lastSnapshotSeq || this.closing) return Promise.resolve()
    const { replica, market, dataDir } = this.options
    // Without a replica (or after one failed) the state is taken now, on this thread, before any later command runs.
    const write = replica === undefined || this.replicaFailed
      ? this.writerOf(this.state())
      : async () => { await this.writeByReplica({ dataDir, seq, engine: replica.engine, market: market !== undefined }) }
    try {
      this.writer.rotate(seq)
    } catch (error) {
      // No new segment (a full disk, or the journal already failed): no snapshot either; the journal goes on as it was.
      return Promise.reject(error)
    }
    this.snapshotting = (async () => {
      try {
        // The records the snapshot covers must be on disk first: a snapshot may never hold a
        // command whose journal write failed (it was never acknowledged).
        await this.writer.durable()
        await write()
        this.replicaFailed = false
        this.lastSnapshotSeq = seq
        this.prune()
      } finally {
        this.snapshotting = null
      }
    })()
    return this.snapshotting
  }

  /** Writes a state captured now, later (once what it covers is durable). */
  private writerOf (state: SnapshotState): () => Promise<void> {
    return async () => { await writeSnapshot(this.options.dataDir, state) }
  }

  /** Has a replica write the snapshot of job.seq; a failure makes the next snapshot an in-thread one. */
  private async writeByReplica (job: ReplicaJob): Promise<void> {
    try {
      await replicaSnapshot(job, this.stopReplica.signal)
    } catch (error) {
      this.replicaFailed = true
      throw error
    }
  }

  /** Flushes the journal, writes the final snapshot, prunes, and releases the lock. */
  async close (): Promise<void> {
    this.closing = true
    this.stopReplica.abort()
    try {
      await this.snapshotting?.catch(() => {})
      await this.writer.close()
      if (this.writer.failed !== null) return
      const seq = this.engine.sequence
      if (seq !== this.lastSnapshotSeq) writeSnapshotSync(this.options.dataDir, this.state())
      this.lastSnapshotSeq = seq
      this.prune()
    } finally {
      this.lock.release()
    }
  }

  stats () {
    return {
      fsync: this.options.fsync,
      last_seq: this.engine.sequence,
      last_snapshot_seq: this.lastSnapshotSeq,
      records_written: this.writer.stats.records,
      batches_written: this.writer.stats.batches,
      bytes_written: this.writer.stats.bytes,
      fsyncs: this.writer.stats.fsyncs,
      recovered_from_snapshot: this.recovery.snapshotSeq,
      replayed_at_start: this.recovery.replayed
    }
  }

  /** The state a snapshot holds now: the engine's and, if kept, the market statistics (in step with it: both change only in a command). */
  private state (): SnapshotState {
    const state: SnapshotState = exportState(this.engine)
    if (this.options.market !== undefined) state.market = this.options.market.save()
    return state
  }

  /**
   * Keeps the newest snapshots, and every journal segment the oldest kept
   * one still needs: if the newest snapshot turns out damaged, the one
   * before it plus the journal still rebuild the full state.
   */
  private prune (): void {
    const keep = this.options.keepSnapshots ?? 2
    const snapshots = listSnapshots(this.options.dataDir)
    for (const old of snapshots.slice(0, Math.max(0, snapshots.length - keep))) rmSync(old.path, { force: true })
    const kept = snapshots.slice(-keep)
    if (kept.length === 0) return
    const cut = kept[0].seq
    const segments = listSegments(this.options.dataDir)
    for (let i = 0; i < segments.length - 1; i++) {
      // A segment ends where the next begins: it is covered if the next starts by cut + 1.
      if (segments[i + 1].seq <= cut + 1) rmSync(segments[i].path, { force: true })
    }
  }
}

/** File-system errors while opening the data directory (missing permission, not a directory, read-only, full) refuse the start. */
function unusableDirIsRefused<T> (dir: string, open: () => T): T {
  try {
    return open()
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new StartupRefusedError(`data directory ${dir} is unusable: ${message}`)
    throw error
  }
}
