/**
 * Where the server's pino logger writes: stdout, without ever blocking the
 * main thread or throwing. pino's default destination (sonic-boom) flushes
 * synchronously in a process 'exit' hook, and its flushSync retries a write
 * that failed with EPIPE forever: with stdout a pipe whose reader is gone,
 * `process.exit` after SIGTERM never returned. Here writes go through the
 * thread pool (`fs.write`), a full or broken stdout drops lines (counted)
 * instead of stalling, and nothing is hooked on 'exit': the shutdown path
 * calls `flush(timeoutMs)`, which waits for the queue with a bound.
 */
import { write } from 'node:fs'

const RETRY_MS = 50

export class LogDestination {
  private readonly fd: number
  private readonly maxQueuedBytes: number
  private queue: string[] = []
  private queuedBytes = 0
  private writing = false
  private waiters: Array<() => void> = []
  /** Set once a write fails for good (EPIPE, EBADF...): later lines are dropped. */
  broken: Error | null = null
  /** Lines dropped because the queue was full or the destination broken. */
  dropped = 0

  constructor (fd = 1, maxQueuedBytes = 8 * 1024 * 1024) {
    this.fd = fd
    this.maxQueuedBytes = maxQueuedBytes
  }

  /** pino's stream interface: never blocks, never throws. */
  write (line: string): boolean {
    if (this.broken !== null || this.queuedBytes + line.length > this.maxQueuedBytes) {
      this.dropped++
      return true
    }
    this.queue.push(line)
    this.queuedBytes += line.length
    if (!this.writing) this.writeNext(null)
    return true
  }

  /** Resolves once everything queued is written, the destination broke, or `timeoutMs` passed. */
  flush (timeoutMs: number): Promise<void> {
    if (this.idle()) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      timer.unref()
      this.waiters.push(() => { clearTimeout(timer); resolve() })
    })
  }

  /** Nothing left to write: whenever no write is in flight the queue is empty (write() starts one at once; a broken destination empties it). */
  private idle (): boolean {
    return !this.writing
  }

  /** Writes `pending` (the unwritten rest of a chunk) or the whole queue as one chunk. */
  private writeNext (pending: Buffer | null): void {
    let chunk = pending
    if (chunk === null) {
      if (this.queue.length === 0 || this.broken !== null) {
        this.writing = false
        this.wake()
        return
      }
      chunk = Buffer.from(this.queue.join(''))
      this.queue = []
      this.queuedBytes = 0
    }
    this.writing = true
    const buffer = chunk
    write(this.fd, buffer, 0, buffer.length, null, (err, written) => {
      if (err === null) {
        this.writeNext(written < buffer.length ? buffer.subarray(written) : null)
      } else if (err.code === 'EAGAIN' || err.code === 'EINTR') {
        // A non-blocking pipe that is full: retry later, off the main thread's critical path.
        setTimeout(() => this.writeNext(buffer), RETRY_MS).unref()
      } else {
        this.broken = err
        this.dropped += this.queue.length + 1
        this.queue = []
        this.queuedBytes = 0
        this.writing = false
        this.wake()
      }
    })
  }

  private wake (): void {
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }
}
