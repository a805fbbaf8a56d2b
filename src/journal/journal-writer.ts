/**
 * Append-only journal with group commit. Records appended during one
 * event-loop turn form one batch and go to disk in one write (and, with
 * fsync "always", one fdatasync); callers await durable() to answer only
 * once their records are down. Batches are written strictly in order, one
 * at a time, so a later acknowledgement implies every earlier record is
 * written too.
 *
 * Failure rules (a refused command must never come back at a restart):
 * - Before each batch the writer knows the segment's size. When a write or
 *   its sync fails, the segment is cut back to that size and synced, and
 *   only then are the batch's callers (and everyone after them) answered
 *   with JournalUnavailableError. A short write that left whole records
 *   behind would otherwise replay commands their callers were told failed.
 * - If even the cut-back fails, the process exits at once, answering no one:
 *   an unknown outcome is honest, a refusal that a restart contradicts is not.
 * - Segments are created complete: header written to a temporary file,
 *   synced, then renamed into place. A segment file is never empty, so an
 *   empty one is damage (see recovery).
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, rmSync, write } from 'node:fs'
import { join } from 'node:path'
import type { FsyncPolicy } from '../config.js'
import { JournalUnavailableError } from './errors.js'
import { segmentName, writeFileDurablySync } from './files.js'

interface Waiter { resolve: () => void, reject: (error: Error) => void }

/** One open segment file and its size as far as acknowledged batches go. */
interface Segment { readonly path: string, readonly fd: number, size: number, open: boolean }

interface Batch {
  readonly segment: Segment
  readonly chunks: string[]
  readonly waiters: Waiter[]
  /** Close this segment once the batch is written (the last batch of a rotated segment). */
  closeAfter: boolean
}

export interface WriterStats { records: number, batches: number, bytes: number, fsyncs: number }

/** The file operations the writer uses; tests replace some to simulate a failing disk. */
export interface WriterIo {
  write: typeof write
  fdatasync: typeof fdatasync
  ftruncateSync: typeof ftruncateSync
  fdatasyncSync: typeof fdatasyncSync
  /** Ends the process at once, after one line on stderr. */
  fatal: (message: string) => void
}

const defaultIo: WriterIo = {
  write,
  fdatasync,
  ftruncateSync,
  fdatasyncSync,
  /* c8 ignore next 4 -- ends the process; test/journal/write-failure.test.ts checks it through an injected fatal */
  fatal: (message) => {
    process.stderr.write(`fatal: ${message}\n`)
    process.exit(1)
  }
}

export interface WriterOptions {
  readonly dir: string
  /** Sequence number of the first record the first segment may hold. */
  readonly firstSeq: number
  /** The encoded header line every segment starts with. */
  readonly header: string
  readonly policy: FsyncPolicy
  readonly fsyncIntervalMs: number
  /** Reports a failure nobody is waiting for (the periodic fsync). */
  readonly onBackgroundError: (error: Error) => void
  readonly io?: Partial<WriterIo>
}

export class JournalWriter {
  private readonly dir: string
  private readonly header: string
  private readonly policy: FsyncPolicy
  private readonly io: WriterIo
  /** Open segments, oldest first; appends go to the last one. */
  private segments: Segment[]
  private current: Batch | null = null
  private readonly queue: Batch[] = []
  private writing = false
  /** The batch being written; later durable() calls wait on it when nothing newer is queued. */
  private inFlight: Batch | null = null
  private dirtySinceSync = false
  private failure: JournalUnavailableError | null = null
  private readonly syncTimer: NodeJS.Timeout | null
  readonly stats: WriterStats = { records: 0, batches: 0, bytes: 0, fsyncs: 0 }

  private readonly onBackgroundError: (error: Error) => void

  constructor (options: WriterOptions) {
    this.dir = options.dir
    this.header = options.header
    this.policy = options.policy
    this.io = { ...defaultIo, ...options.io }
    this.onBackgroundError = options.onBackgroundError
    this.segments = [createSegment(this.dir, options.firstSeq, this.header)]
    this.syncTimer = options.policy === 'batch' ? setInterval(() => this.periodicSync(), options.fsyncIntervalMs) : null
    this.syncTimer?.unref()
  }

  get failed (): JournalUnavailableError | null {
    return this.failure
  }

  private get segment (): Segment {
    return this.segments[this.segments.length - 1]
  }

  /** Queues one encoded record; it is written with the rest of this turn's records. */
  append (line: string): void {
    if (this.failure !== null) throw this.failure
    if (this.current === null) {
      this.current = { segment: this.segment, chunks: [], waiters: [], closeAfter: false }
      setImmediate(() => this.seal())
    }
    this.current.chunks.push(line)
    this.stats.records++
  }

  /** Resolves when every record appended so far is written (and synced, per policy); rejects with JournalUnavailableError. */
  durable (): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    const batch = this.current ?? this.queue[this.queue.length - 1] ?? (this.writing ? this.inFlight : null)
    if (batch === null) return Promise.resolve()
    return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }))
  }

  /**
   * Starts a new segment for the records after `lastSeqOfOld`; the old one is
   * closed once written. Throws (and changes nothing) if the new segment
   * cannot be created.
   */
  rotate (lastSeqOfOld: number): void {
    if (this.failure !== null) throw this.failure
    const next = createSegment(this.dir, lastSeqOfOld + 1, this.header)
    const batch = this.current ?? { segment: this.segment, chunks: [], waiters: [], closeAfter: false }
    batch.closeAfter = true
    this.current = null
    this.queue.push(batch)
    this.segments.push(next)
    this.pump()
  }

  /** Writes what is pending, syncs, and closes the files. */
  async close (): Promise<void> {
    if (this.syncTimer !== null) clearInterval(this.syncTimer)
    this.seal()
    await this.durable().catch(() => {})
    if (this.failure === null) this.io.fdatasyncSync(this.segment.fd)
    for (const segment of this.segments) closeSegment(segment)
  }

  private seal (): void {
    if (this.current === null) return
    this.queue.push(this.current)
    this.current = null
    this.pump()
  }

  private pump (): void {
    if (this.failure !== null) return this.rejectPending()
    if (this.writing || this.queue.length === 0) return
    const batch = this.merged()
    this.writing = true
    this.inFlight = batch
    const buffer = Buffer.from(batch.chunks.join(''))
    this.writeAll(batch.segment.fd, buffer, 0, (error) => {
      if (error !== null) return this.fail(batch, error)
      if (this.policy === 'always' || batch.closeAfter) {
        this.io.fdatasync(batch.segment.fd, (syncError) => {
          if (syncError !== null) return this.fail(batch, syncError)
          this.stats.fsyncs++
          this.done(batch, buffer.length)
        })
      } else {
        this.dirtySinceSync = true
        this.done(batch, buffer.length)
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
    while (this.queue.length > 0 && !first.closeAfter && this.queue[0].segment === first.segment) {
      const next = this.queue.shift() as Batch
      first.chunks.push(...next.chunks)
      first.waiters.push(...next.waiters)
      first.closeAfter = next.closeAfter
    }
    return first
  }

  private writeAll (fd: number, buffer: Buffer, offset: number, callback: (error: Error | null) => void): void {
    if (offset >= buffer.length) return callback(null)
    this.io.write(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
      if (error !== null) return callback(error)
      this.writeAll(fd, buffer, offset + written, callback)
    })
  }

  private done (batch: Batch, bytes: number): void {
    // A background fsync failed while this batch was written: it may not be acknowledged either.
    if (this.failure !== null) return this.fail(batch, this.failure)
    batch.segment.size += bytes
    this.stats.batches++
    this.stats.bytes += bytes
    if (batch.closeAfter) {
      closeSegment(batch.segment)
      this.segments = this.segments.filter((s) => s !== batch.segment)
    }
    this.writing = false
    this.inFlight = null
    for (const waiter of batch.waiters) waiter.resolve()
    this.pump()
  }

  /**
   * A failed write or sync: cut the segment back to where the batch began
   * and sync that, so none of its records can be replayed, remove segments
   * created after it (they hold only a header), then refuse every waiter,
   * now and later. Memory is now ahead of the disk: nothing may be
   * acknowledged any more.
   */
  private fail (batch: Batch, cause: Error): void {
    this.failure ??= new JournalUnavailableError(`journal write failed: ${cause.message}`)
    this.writing = false
    this.inFlight = null
    try {
      this.io.ftruncateSync(batch.segment.fd, batch.segment.size)
      this.io.fdatasyncSync(batch.segment.fd)
    } catch (error) {
      this.io.fatal(`journal write failed (${cause.message}) and cutting ${batch.segment.path} back to ${batch.segment.size} bytes failed too ` +
        `(${(error as Error).message}); exiting without answering the orders of that batch, which a restart may replay`)
      // Only tests, with their own fatal(), come back here.
    }
    const later = this.segments.slice(this.segments.indexOf(batch.segment) + 1)
    for (const segment of later) {
      closeSegment(segment)
      rmSync(segment.path, { force: true })
    }
    this.segments = this.segments.filter((s) => !later.includes(s))
    for (const waiter of batch.waiters) waiter.reject(this.failure)
    this.rejectPending()
  }

  /** Batches not written yet (queued or still collecting) are refused as they are: nothing of them reached the disk. */
  private rejectPending (): void {
    const pending = [...this.queue.splice(0), ...(this.current === null ? [] : [this.current])]
    this.current = null
    for (const b of pending) for (const waiter of b.waiters) waiter.reject(this.failure as JournalUnavailableError)
  }

  private periodicSync (): void {
    if (!this.dirtySinceSync || this.failure !== null) return
    this.dirtySinceSync = false
    const segment = this.segment
    this.io.fdatasync(segment.fd, (error) => {
      if (error === null) {
        this.stats.fsyncs++
        return
      }
      // Linux reports a writeback error once: the data may be lost, so nothing more may be acknowledged.
      this.failure ??= new JournalUnavailableError(`journal fsync failed: ${error.message}`)
      // A batch in flight is cut back and refused when its write returns; nothing else reached the disk.
      if (!this.writing) this.rejectPending()
      this.onBackgroundError(this.failure)
    })
  }
}

/**
 * Creates segment `journal-<firstSeq>.log` holding only the header: written
 * to a temporary file, synced, renamed into place (replacing a header-only
 * segment of that name left by an earlier run), then the directory synced.
 */
function createSegment (dir: string, firstSeq: number, header: string): Segment {
  const path = join(dir, segmentName(firstSeq))
  writeFileDurablySync(path, header)
  const fd = openSync(path, 'a')
  return { path, fd, size: fstatSync(fd).size, open: true }
}

function closeSegment (segment: Segment): void {
  /* c8 ignore next -- this.segments only holds open segments (a segment is dropped from it when closed), so nothing is closed twice; kept so a reused fd number is never closed by mistake */
  if (!segment.open) return
  segment.open = false
  closeSync(segment.fd)
}
