/**
 * GTD expiry for the in-process exchange: ONE timer, at the engine's next
 * expiry. The engine never reads the wall clock; this timer reads the
 * exchange's clock when it fires and hands that time to engine.expire, which
 * journals an expire command (when some order is due) like any other, so a
 * replay expires exactly the same orders at the same time.
 *
 * arm() is called after every command that may move the next expiry (a new
 * GTD order, a fill, a cancel, an expiry) and after recovery at start; it
 * only touches the timer when the due time changed. A timer that fires early
 * (the delay is capped at setTimeout's 2^31 − 1 ms, or the order it was set
 * for has gone) finds nothing due, journals nothing and re-arms.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1

export interface ExpirySource {
  /** When the next open GTD order expires (epoch ms); null when none. */
  nextExpiry (): number | null
  /** Expires what is due at `now` (a journaled command when anything is). */
  expire (now: number): void
}

export class ExpiryTimer {
  private readonly source: ExpirySource
  private readonly clock: () => number
  /** Whether commands may run now (false once the journal has failed). */
  private readonly usable: () => boolean
  private readonly onError: (error: unknown) => void
  private handle: NodeJS.Timeout | null = null
  /** The due time the timer is set for; null when none is set. */
  private armedAt: number | null = null
  private closed = false

  constructor (source: ExpirySource, clock: () => number, usable: () => boolean, onError: (error: unknown) => void) {
    this.source = source
    this.clock = clock
    this.usable = usable
    this.onError = onError
  }

  /** Sets the timer at the next expiry, if that moved. */
  arm (): void {
    if (this.closed) return
    const next = this.source.nextExpiry()
    if (next === this.armedAt) return
    this.clear()
    if (next === null) return
    const delay = Math.min(Math.max(next - this.clock(), 0), MAX_TIMER_DELAY_MS)
    this.armedAt = next
    // Unref'd: a pending expiry must not keep the process alive on its own.
    this.handle = setTimeout(() => this.fire(), delay).unref()
  }

  /** The due time the timer is set for (tests). */
  get dueAt (): number | null {
    return this.armedAt
  }

  close (): void {
    this.closed = true
    this.clear()
  }

  private fire (): void {
    this.handle = null
    this.armedAt = null
    if (this.closed || !this.usable()) return
    try {
      this.source.expire(this.clock())
    } catch (error) {
      // A broken invariant in the engine: reported, and not re-armed here (it would fail again at once, in a loop);
      // the next command's arm() tries again.
      this.onError(error)
      return
    }
    this.arm()
  }

  private clear (): void {
    if (this.handle !== null) clearTimeout(this.handle)
    this.handle = null
    this.armedAt = null
  }
}
