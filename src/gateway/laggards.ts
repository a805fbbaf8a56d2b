/**
 * The subscribers that fell behind: whose socket holds more unsent bytes
 * than the threshold. Each gets a backlog (backlog.ts) in place of sends;
 * a timer looks at them every few milliseconds and hands each one that has
 * drained what it is owed.
 */
import { Backlog, type BacklogLimits } from './backlog.js'
import type { Subscriber } from './subscriber.js'

/** How often subscribers that fell behind are looked at again. */
const CATCH_UP_MS = 10

export class Laggards {
  private readonly backlogs = new Map<Subscriber, Backlog>()
  private readonly limits: BacklogLimits
  private readonly threshold: number
  private readonly pay: (subscriber: Subscriber, backlog: Backlog) => void
  private timer: NodeJS.Timeout | null = null

  /** pay: sends a subscriber that caught up what its backlog owes it. */
  constructor (threshold: number, limits: BacklogLimits, pay: (subscriber: Subscriber, backlog: Backlog) => void) {
    this.threshold = threshold
    this.limits = limits
    this.pay = pay
  }

  get size (): number {
    return this.backlogs.size
  }

  isBehind (subscriber: Subscriber): boolean {
    return (subscriber.bufferedBytes ?? 0) > this.threshold
  }

  get (subscriber: Subscriber): Backlog | undefined {
    return this.backlogs.get(subscriber)
  }

  /** The subscriber's backlog if it is behind (one is started when it just fell behind), else undefined. */
  backlogOf (subscriber: Subscriber): Backlog | undefined {
    const backlog = this.backlogs.get(subscriber)
    if (backlog !== undefined || !this.isBehind(subscriber)) return backlog
    const started = new Backlog(this.limits)
    this.backlogs.set(subscriber, started)
    if (this.timer === null) {
      this.timer = setInterval(() => this.catchUp(), CATCH_UP_MS)
      this.timer.unref()
    }
    return started
  }

  delete (subscriber: Subscriber): void {
    this.backlogs.delete(subscriber)
  }

  /** Pays every subscriber that is no longer behind; stops the timer once nobody is. */
  catchUp (): void {
    for (const [subscriber, backlog] of this.backlogs) {
      if (this.isBehind(subscriber)) continue
      this.backlogs.delete(subscriber)
      this.pay(subscriber, backlog)
    }
    if (this.backlogs.size === 0) this.stop()
  }

  stop (): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }
}
