/**
 * LogDestination (src/log-destination.ts), the server's stdout for pino,
 * against a real non-blocking pipe (a FIFO): a chunk larger than the pipe's
 * buffer goes through partial writes and EAGAIN retries and arrives whole and
 * in order; flush() on an idle destination resolves at once.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogDestination } from '../../src/log-destination.js'

/** Resolves with what `promise` gave, or 'timed out' after `ms` (the test then fails instead of hanging). */
function within<T> (promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timed out'), ms)
    promise.then((value) => { clearTimeout(timer); resolve(value) }, reject)
  })
}

t.test('flush() on a destination with nothing to write resolves at once', async (t) => {
  const destination = new LogDestination(1)
  t.equal(await within(destination.flush(600_000), 5_000), undefined)
})

t.test('lines larger than the pipe buffer arrive whole and in order through partial writes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'logdest-'))
  const fifo = join(dir, 'pipe')
  execFileSync('mkfifo', [fifo])
  // O_RDWR: a FIFO opened for both ends never blocks on open; O_NONBLOCK: a full pipe answers EAGAIN or a short write.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK)
  t.teardown(() => { closeSync(fd); rmSync(dir, { recursive: true, force: true }) })

  const destination = new LogDestination(fd)
  // 1 MiB in lines of 64 KiB, far beyond the 64 KiB a Linux pipe holds: the first write can only be partial.
  const lines = Array.from({ length: 16 }, (_, i) => String.fromCharCode(97 + i).repeat(64 * 1024 - 1) + '\n')
  for (const line of lines) destination.write(line)
  const flushed = destination.flush(60_000)

  let received = ''
  const buffer = Buffer.alloc(256 * 1024)
  const expected = lines.join('')
  const deadline = Date.now() + 30_000
  while (received.length < expected.length && Date.now() < deadline) {
    try {
      const n = readSync(fd, buffer, 0, buffer.length, null)
      received += buffer.toString('latin1', 0, n)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  t.equal(await within(flushed, 30_000), undefined, 'flush resolves once everything is written')
  t.equal(received.length, expected.length, 'every byte arrived')
  t.ok(received === expected, 'in order, nothing repeated or lost')
  t.equal(destination.dropped, 0)
  t.equal(destination.broken, null)
})
