/**
 * An exclusive lock on the data directory, so two processes never append to
 * one journal. Node has no flock(), so the lock is a file, and its design
 * follows from three needs:
 *
 * 1. Exclusive: lock files are generations, `lock-<n>.json`, each created
 *    with link(), which never replaces an existing name. The holder is the
 *    owner of the highest generation. Two processes racing for the lock both
 *    try to create the same next generation; exactly one link() succeeds.
 * 2. Never stuck after a crash: a generation whose holder is gone is stale,
 *    and the next process simply creates the generation above it; nothing is
 *    ever deleted to take over, so there is no unlink/create race. A holder is
 *    gone when it released the lock (its file is rewritten, by rename, with
 *    `released_at`), or it ran on this host and its pid is dead, or the pid
 *    now belongs to a process started at another time (Linux /proc), or the
 *    pid is our own (in a container the server is often pid 1 on every start).
 * 3. Honest when it cannot know: a holder on another host cannot be checked,
 *    so the start is refused, naming it and saying how to clear the lock.
 *
 * The file content is JSON: { pid, hostname, started_at, start_ticks }. The
 * new holder removes the lower generations afterwards (only ever lower ones:
 * the highest stays, released or not, so generation numbers never go back).
 */
import { closeSync, fsyncSync, linkSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { DataDirLockedError } from './errors.js'

const LOCK = /^lock-(\d{20})\.json$/
const LOCK_TEMP = /^lock-.*\.tmp$/
/** Retries when another process changed the lock files between our read and our write. */
const ATTEMPTS = 20

interface Holder {
  readonly pid: number
  readonly hostname: string
  readonly started_at: string
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22); null off Linux. */
  readonly start_ticks: string | null
  readonly released_at?: string
}

export class DataDirLock {
  readonly dir: string
  readonly generation: number
  private readonly path: string
  private released = false

  private constructor (dir: string, generation: number) {
    this.dir = dir
    this.generation = generation
    this.path = join(dir, lockName(generation))
  }

  /** Takes the lock or throws DataDirLockedError naming the holder. */
  static acquire (dir: string): DataDirLock {
    const me: Holder = { pid: process.pid, hostname: hostname(), started_at: new Date().toISOString(), start_ticks: processStartTicks(process.pid) }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const generations = listGenerations(dir)
      const top = generations.at(-1)
      if (top !== undefined) {
        const holder = readHolder(join(dir, lockName(top)))
        /* c8 ignore next -- reached only when another process changes the lock files between two of our calls; 'processes racing for a stale lock' in test/journal/data-dir-lock.test.ts runs real processes into it */
        if (holder === 'gone') continue
        if (holder === 'unreadable') {
          throw new DataDirLockedError(`${dir} is locked by ${lockName(top)}, which cannot be read; if no server uses ${dir}, delete ${join(dir, 'lock-*.json')}`)
        }
        if (!isStale(holder)) throw new DataDirLockedError(describe(dir, holder))
      }
      const generation = (top ?? 0) + 1
      /* c8 ignore start -- reached only when another process changes the lock files between two of our calls; 'processes racing for a stale lock' in test/journal/data-dir-lock.test.ts runs real processes into it */
      if (!create(dir, generation, me)) continue
      // A process that read an older listing may have created a generation that was already
      // superseded and removed: only the highest one holds the lock.
      if (listGenerations(dir).some((g) => g > generation)) {
        removeIfThere(join(dir, lockName(generation)))
        continue
      }
      /* c8 ignore stop */
      const lock = new DataDirLock(dir, generation)
      lock.removeOld()
      return lock
    }
    /* c8 ignore start -- reached only when another process changes the lock files between two of our calls; 'processes racing for a stale lock' in test/journal/data-dir-lock.test.ts runs real processes into it */
    throw new DataDirLockedError(`could not lock ${dir}: other processes keep changing its lock files`)
  }
  /* c8 ignore stop */

  /** Marks the lock released (atomically, by rename), unless another process has superseded it. */
  release (): void {
    if (this.released) return
    this.released = true
    const holder = readHolder(this.path)
    if (holder === 'gone' || holder === 'unreadable' || holder.pid !== process.pid) return
    const temp = join(this.dir, `lock-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
    writeDurably(temp, { ...holder, released_at: new Date().toISOString() })
    renameSync(temp, this.path)
  }

  /** Lower generations and temporary files left by crashed or concurrent starts; all are harmless once we hold the lock. */
  private removeOld (): void {
    for (const name of readdirSync(this.dir)) {
      const match = LOCK.exec(name)
      if ((match !== null && Number(match[1]) < this.generation) || LOCK_TEMP.test(name)) removeIfThere(join(this.dir, name))
    }
  }
}

function lockName (generation: number): string {
  return `lock-${String(generation).padStart(20, '0')}.json`
}

function listGenerations (dir: string): number[] {
  const out: number[] = []
  for (const name of readdirSync(dir)) {
    const match = LOCK.exec(name)
    if (match !== null) out.push(Number(match[1]))
  }
  return out.sort((a, b) => a - b)
}

/** Creates generation `generation` unless it exists: link() never replaces a name. */
function create (dir: string, generation: number, me: Holder): boolean {
  const temp = join(dir, `lock-${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
  writeDurably(temp, me)
  try {
    linkSync(temp, join(dir, lockName(generation)))
    return true
    /* c8 ignore start -- reached only when another process changes the lock files between two of our calls; 'processes racing for a stale lock' in test/journal/data-dir-lock.test.ts runs real processes into it */
  } catch (error) {
    // EEXIST: another process created it first. ENOENT: a new holder's clean-up removed our temporary file.
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST' || code === 'ENOENT') return false
    throw error
  } finally {
    /* c8 ignore stop */
    removeIfThere(temp)
  }
}

function removeIfThere (path: string): void {
  try {
    unlinkSync(path)
  } catch (error) {
    /* c8 ignore start -- an unlink that fails other than for a missing file (EPERM, EIO) is a real problem: it propagates */
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  /* c8 ignore stop */
}

function writeDurably (path: string, holder: Holder): void {
  const fd = openSync(path, 'wx')
  try {
    writeSync(fd, JSON.stringify(holder) + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

function readHolder (path: string): Holder | 'gone' | 'unreadable' {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone'
    /* c8 ignore start -- a lock file that exists but cannot be read (EACCES, EIO) propagates as it is */
    throw error
  }
  /* c8 ignore stop */
  try {
    const holder = JSON.parse(text) as Holder
    return Number.isSafeInteger(holder.pid) && typeof holder.hostname === 'string' ? holder : 'unreadable'
  } catch {
    return 'unreadable'
  }
}

function isStale (holder: Holder): boolean {
  if (holder.released_at !== undefined) return true
  if (holder.hostname !== hostname()) return false
  if (holder.pid === process.pid) return true
  const ticks = processStartTicks(holder.pid)
  if (ticks !== null && holder.start_ticks !== null && ticks !== holder.start_ticks) return true
  return !isAlive(holder.pid)
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces); null where there is no /proc. */
function processStartTicks (pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    /* c8 ignore next -- Linux's /proc/<pid>/stat always has field 22 (starttime); `?? null` only covers a kernel that would not */
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

function describe (dir: string, holder: Holder): string {
  const where = holder.hostname === hostname() ? 'on this host' : `on host ${holder.hostname}`
  const clear = holder.hostname === hostname()
    ? 'stop that process first'
    : `this host cannot check it: if no server on ${holder.hostname} uses ${dir} any more, delete ${join(dir, 'lock-*.json')}`
  return `${dir} is locked by pid ${holder.pid} ${where}, started ${holder.started_at}; refusing to start (${clear})`
}
