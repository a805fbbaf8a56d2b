/**
 * Append-only journal with group commit. Records appended during one
 * event-loop turn form one batch and go to disk in one write (and, with
 * fsync "always", one fdatasync); callers await durable() to answer only
 * once their records are down. Batches are written strictly in order, one
 * at a time, so a later acknowledgement implies every earlier record is
 * written too.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync, write } from 'node:fs'
import { join } from 'node:path'
import type { FsyncPolicy } from '../config.js'
import { segmentName, syncDir } from './files.js'

interface Waiter { resolve: () => void, reject: (error: Error) => void }

interface Batch {
  readonly fd: number
  readonly chunks: string[]
  readonly waiters: Waiter[]
  /** Close this fd once the batch is written (the last batch of a rotated segment). */
  closeAfter: boolean
}

export interface WriterStats { records: number, batches: number, bytes: number, fsyncs: number }

export class JournalWriter {
  private readonly dir: string
  private readonly policy: FsyncPolicy
  private fd: number
  private current: Batch | null = null
  private readonly queue: Batch[] = []
  private writing = false
  /** The batch being written; later durable() calls wait on it when nothing newer is queued. */
  private inFlight: Batch | null = null
  private dirtySinceSync = false
  private failure: Error | null = null
  private readonly syncTimer: NodeJS.Timeout | null
  readonly stats: WriterStats = { records: 0, batches: 0, bytes: 0, fsyncs: 0 }

  private readonly onBackgroundError: (error: Error) => void

  constructor (dir: string, firstSeq: number, policy: FsyncPolicy, fsyncIntervalMs: number, onBackgroundError: (error: Error) => void = () => {}) {
    this.dir = dir
    this.policy = policy
    this.onBackgroundError = onBackgroundError
    this.fd = openSegment(dir, firstSeq)
    this.syncTimer = policy === 'batch' ? setInterval(() => this.periodicSync(), fsyncIntervalMs) : null
    this.syncTimer?.unref()
  }

  get failed (): Error | null {
    return this.failure
  }

  /** Queues one encoded record; it is written with the rest of this turn's records. */
  append (line: string): void {
    if (this.failure !== null) throw this.failure
    if (this.current === null) {
      this.current = { fd: this.fd, chunks: [], waiters: [], closeAfter: false }
      setImmediate(() => this.seal())
    }
    this.current.chunks.push(line)
    this.stats.records++
  }

  /** Resolves when every record appended so far is written (and synced, per policy). */
  durable (): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const batch = this.current ?? this.queue[this.queue.length - 1] ?? (this.writing ? this.inFlight : null)
    if (batch === null) return Promise.resolve()
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }))
  }

  /** Starts a new segment for the records after `lastSeqOfOld`; the old one is closed once written. */
  rotate (lastSeqOfOld: number): void {
    const batch = this.current ?? { fd: this.fd, chunks: [], waiters: [], closeAfter: false }
    batch.closeAfter = true
    this.current = null
    this.queue.push(batch)
    this.fd = openSegment(this.dir, lastSeqOfOld + 1)
    this.pump()
  }

  /** Writes what is pending, syncs, and closes the file. */
  async close (): Promise<void> {
    if (this.syncTimer !== null) clearInterval(this.syncTimer)
    this.seal()
    await this.durable().catch(() => {})
    if (this.failure === null) fdatasyncSync(this.fd)
    closeSync(this.fd)
  }

  private seal (): void {
    if (this.current === null) return
    this.queue.push(this.current)
    this.current = null
    this.pump()
  }

  private pump (): void {
    if (this.writing || this.queue.length === 0) return
    const batch = this.merged()
    this.writing = true
    this.inFlight = batch
    const buffer = Buffer.from(batch.chunks.join(''))
    this.writeAll(batch.fd, buffer, 0, (error) => {
      if (error !== null) return this.fail(batch, error)
      this.stats.batches++
      this.stats.bytes += buffer.length
      if (this.policy === 'always' || batch.closeAfter) {
        fdatasync(batch.fd, (syncError) => {
          if (syncError !== null) return this.fail(batch, syncError)
          this.stats.fsyncs++
          this.done(batch)
        })
      } else {
        this.dirtySinceSync = true
        this.done(batch)
      }
    })
  }

  /**
   * The next batch, with every queued batch for the same file folded in:
   * batches queue up while a write (and, with fsync "always", its sync) is
   * in flight, and one write + one sync for all of them is the whole point
   * of group commit.
   */
  private merged (): Batch {
    const first = this.queue.shift() as Batch
    while (this.queue.length > 0 && !first.closeAfter && this.queue[0].fd === first.fd) {
      const next = this.queue.shift() as Batch
      first.chunks.push(...next.chunks)
      first.waiters.push(...next.waiters)
      first.closeAfter = next.closeAfter
    }
    return first
  }

  private writeAll (fd: number, buffer: Buffer, offset: number, callback: (error: Error | null) => void): void {
    if (offset >= buffer.length) return callback(null)
    write(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
      if (error !== null) return callback(error)
      this.writeAll(fd, buffer, offset + written, callback)
    })
  }

  private done (batch: Batch): void {
    if (batch.closeAfter) closeSync(batch.fd)
    this.writing = false
    this.inFlight = null
    for (const waiter of batch.waiters) waiter.resolve()
    this.pump()
  }

  /**
   * A failed write leaves memory ahead of the disk: nothing may be
   * acknowledged any more. Every waiter, now and later, gets the error.
   */
  private fail (batch: Batch, error: Error): void {
    this.failure = new Error(`journal write failed: ${error.message}`)
    this.writing = false
    this.inFlight = null
    const all = [batch, ...this.queue.splice(0), ...(this.current === null ? [] : [this.current])]
    this.current = null
    for (const b of all) for (const waiter of b.waiters) waiter.reject(this.failure)
  }

  private periodicSync (): void {
    if (!this.dirtySinceSync || this.failure !== null) return
    this.dirtySinceSync = false
    fdatasync(this.fd, (error) => {
      if (error === null) {
        this.stats.fsyncs++
        return
      }
      // Linux reports a writeback error once: the data may be lost, so nothing more may be acknowledged.
      this.failure ??= new Error(`journal fsync failed: ${error.message}`)
      this.onBackgroundError(this.failure)
    })
  }
}

/** Opens (or creates) a segment for appending; a new file's directory entry is synced so a power cut cannot lose it. */
function openSegment (dir: string, firstSeq: number): number {
  const fd = openSync(join(dir, segmentName(firstSeq)), 'a')
  syncDir(dir)
  return fd
}
