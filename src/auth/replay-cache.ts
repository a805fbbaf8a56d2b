/**
 * Signatures already accepted, kept for twice the receive window (a request
 * older than the window is refused on its timestamp anyway, and the margin
 * covers a clock that moves a little backwards). Bounded: when full of
 * unexpired entries it answers 'full' and the caller refuses the request
 * (503) rather than forget an entry, which could let a replay through.
 * Only verified signatures enter, so someone without a secret cannot fill it.
 */
export type ReplayVerdict = 'fresh' | 'replayed' | 'full'

export class ReplayCache {
  private readonly ttlMs: number
  private readonly max: number
  /** signature → expiry (ms); insertion order is expiry order while the clock moves forward. */
  private readonly seen = new Map<string, number>()

  constructor (ttlMs: number, max: number) {
    this.ttlMs = ttlMs
    this.max = max
  }

  get size (): number {
    return this.seen.size
  }

  /** Records `signature` as seen at `now` unless it was already seen within the TTL. */
  check (signature: string, now: number): ReplayVerdict {
    this.expire(now)
    const expiry = this.seen.get(signature)
    if (expiry !== undefined && expiry > now) return 'replayed'
    if (this.seen.size >= this.max) return 'full'
    this.seen.set(signature, now + this.ttlMs)
    return 'fresh'
  }

  private expire (now: number): void {
    // Oldest first; stops at the first live entry (an entry out of order only lives a little longer).
    for (const [signature, expiry] of this.seen) {
      if (expiry > now) return
      this.seen.delete(signature)
    }
  }
}
