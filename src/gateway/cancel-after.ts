/**
 * The dead-man's switch of order.cancel_after (Kraken's cancel_after): per
 * account, not per connection, so any connection of the account refreshes
 * it and it outlives a disconnect. Each call re-arms the account's one timer
 * (0 disarms it); when a timer runs out, `fire` is told the account once and
 * the switch is disarmed. Nothing here survives a restart: a restarted
 * process has no switch armed until a client arms one again.
 * Clock and timers are injected so tests can run time forward.
 */

export interface Timers {
  setTimeout (callback: () => void, ms: number): unknown
  clearTimeout (handle: unknown): void
}

/** The real timers: unref'd, so an armed switch never keeps a stopping process alive. */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout)
}

export interface CancelAfterOptions {
  readonly now: () => number
  readonly timers: Timers
  /** The account's switch ran out: cancel its open orders. */
  readonly fire: (accountId: string) => void
}

export class CancelAfter {
  private readonly options: CancelAfterOptions
  private readonly armed = new Map<string, unknown>()
  fired = 0

  constructor (options: CancelAfterOptions) {
    this.options = options
  }

  /** Re-arms (or with 0 disarms) the account's switch: the time now and the time it fires at (epoch ms; null when disarmed). */
  arm (accountId: string, timeoutMs: number): { now: number, triggerAt: number | null } {
    const { timers } = this.options
    const now = this.options.now()
    if (this.armed.has(accountId)) {
      timers.clearTimeout(this.armed.get(accountId))
      this.armed.delete(accountId)
    }
    if (timeoutMs === 0) return { now, triggerAt: null }
    const triggerAt = now + timeoutMs
    const handle = timers.setTimeout(() => this.run(accountId), timeoutMs)
    this.armed.set(accountId, handle)
    return { now, triggerAt }
  }

  /** Accounts with a switch armed now. */
  get size (): number {
    return this.armed.size
  }

  /** Disarms everything (the process is stopping). */
  clear (): void {
    for (const handle of this.armed.values()) this.options.timers.clearTimeout(handle)
    this.armed.clear()
  }

  private run (accountId: string): void {
    this.armed.delete(accountId)
    this.fired++
    this.options.fire(accountId)
  }
}
