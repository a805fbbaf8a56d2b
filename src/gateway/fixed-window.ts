/**
 * A count of events in fixed one-second windows: the per-connection limits
 * of /ws (WS_MAX_MESSAGES_PER_SECOND, WS_MAX_ORDERS_PER_SECOND). A window
 * starts at the first event after the previous one ended (or after the
 * clock stepped back).
 */
export const WINDOW_MS = 1000

export class FixedWindow {
  private start = 0
  private count = 0

  /** Counts one event at `now` (ms): how many the current window holds, this one included. */
  take (now: number): number {
    if (now - this.start >= WINDOW_MS || now < this.start) {
      this.start = now
      this.count = 0
    }
    return ++this.count
  }
}
