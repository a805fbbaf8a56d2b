/**
 * A global budget for bytes queued to peers and not yet sent, across every
 * connection. Each connection's own limit stops one slow reader; this stops
 * many of them together (300 that never read pinned a gigabyte before).
 *
 * Reading every connection's buffer on every send would cost O(connections)
 * per message, so the budget keeps an estimate: the sum of each member's
 * buffered bytes as last seen after it sent. Buffers only drain between two
 * looks, so the estimate never undercounts. Only when it says the budget
 * would be passed does the budget read every member and, if the real sum is
 * over too, evict the largest holders first until the new bytes fit.
 */

export interface BudgetMember {
  /** Bytes this member has queued and not yet handed to the network. */
  readonly bufferedBytes: number
  /** Closes the member because of the budget; it must call remove() (at once or later). */
  evict (): void
}

export class SendBudget {
  readonly limit: number
  private readonly seen = new Map<BudgetMember, number>()
  private estimate = 0
  /** Members evicted so far. */
  evictions = 0

  constructor (limit: number) {
    this.limit = limit
  }

  add (member: BudgetMember): void {
    if (!this.seen.has(member)) this.seen.set(member, 0)
  }

  remove (member: BudgetMember): void {
    this.estimate -= this.seen.get(member) ?? 0
    this.seen.delete(member)
  }

  /** Records what member holds now (call after queuing). */
  note (member: BudgetMember, buffered: number): void {
    const before = this.seen.get(member)
    if (before === undefined) return
    this.estimate += buffered - before
    this.seen.set(member, buffered)
  }

  /**
   * Called before member queues `bytes`: makes room if the budget would be passed, evicting the
   * largest holders first. Returns false if member itself was evicted (it must not queue).
   * A message never waits for room that nobody holds: with every buffer empty it goes through,
   * whatever its size.
   */
  admit (member: BudgetMember, bytes: number): boolean {
    if (this.estimate + bytes <= this.limit) return true
    let total = this.recount()
    if (total + bytes <= this.limit) return true
    const largestFirst = [...this.seen].sort((a, b) => b[1] - a[1])
    let memberEvicted = false
    for (const [holder, held] of largestFirst) {
      if (total + bytes <= this.limit || held === 0) break
      this.evictions++
      total -= held
      this.remove(holder)
      holder.evict()
      if (holder === member) memberEvicted = true
    }
    return !memberEvicted
  }

  /** The exact sum of what members hold now; the estimate is reset to it. */
  recount (): number {
    let total = 0
    for (const member of this.seen.keys()) {
      const held = member.bufferedBytes
      this.seen.set(member, held)
      total += held
    }
    this.estimate = total
    return total
  }
}
