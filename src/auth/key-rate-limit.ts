/**
 * Orders per API key per second (AUTH_KEY_ORDERS_PER_SECOND): a fixed
 * one-second window per key. Counted only after a request's signature
 * verified, so knowing a key id is not enough to use up its allowance.
 * Memory: one entry per key that ordered in the current or the previous
 * second; older entries are swept once the map has grown.
 */
export const WINDOW_MS = 1000
const SWEEP_AT = 1024

export class KeyRateLimit {
  private readonly perSecond: number
  private readonly windows = new Map<string, { start: number, count: number }>()
  private sweepAt = SWEEP_AT

  constructor (perSecond: number) {
    this.perSecond = perSecond
  }

  /** Counts one order for `keyId` at `now`; the ms until its window ends when the key is past its limit, else 0. */
  take (keyId: string, now: number): number {
    let window = this.windows.get(keyId)
    if (window === undefined || now - window.start >= WINDOW_MS || now < window.start) {
      if (window === undefined && this.windows.size >= this.sweepAt) this.sweep(now)
      window = { start: now, count: 0 }
      this.windows.set(keyId, window)
    }
    if (window.count >= this.perSecond) return Math.max(1, window.start + WINDOW_MS - now)
    window.count++
    return 0
  }

  get size (): number {
    return this.windows.size
  }

  private sweep (now: number): void {
    for (const [keyId, window] of this.windows) {
      if (now - window.start >= WINDOW_MS) this.windows.delete(keyId)
    }
    // Many keys active at once: sweep again only once the map has doubled.
    this.sweepAt = Math.max(SWEEP_AT, this.windows.size * 2)
  }
}
