/**
 * Refused means never applied, acknowledged means durable: the one place
 * that knows whether the journal still works and waits for it. Every answer
 * of the exchange goes through here; once the journal has failed, memory may
 * hold commands that were never acknowledged (and may not be on disk), so
 * from then on nothing is answered from that memory.
 */
import type { Result } from '../engine/index.js'
import type { Outcome, Refusal } from './exchange.js'
import { journalUnavailable, refusal } from './outcomes.js'

/** What the gate asks of the journal (none: everything is durable at once). */
export interface Durability {
  /** The journal's failure once it has failed; null while it works. */
  failed (): Error | null
  /** Settles once everything accepted so far is durable; rejects if it never will be. */
  durable (): Promise<void>
}

export class DurableGate {
  private readonly journal: Durability
  private readonly onFailed: () => void

  /** onFailed: told each time a failure is answered (the market data stops, if it has not yet). */
  constructor (journal: Durability, onFailed: () => void) {
    this.journal = journal
    this.onFailed = onFailed
  }

  /** JOURNAL_UNAVAILABLE once the journal has failed; null while it works. */
  refuseIfFailed (): Refusal | null {
    return this.journal.failed() === null ? null : this.journalFailed()
  }

  durable (): Promise<void> {
    return this.journal.durable()
  }

  /** Waits until everything accepted so far is durable: null then, JOURNAL_UNAVAILABLE if it never will be. */
  async whenDurable (): Promise<Refusal | null> {
    try {
      await this.durable()
      return null
    } catch {
      return this.journalFailed()
    }
  }

  /** A read's answer, given only once everything it may show is durable (it may show an order whose write is still in flight). */
  async read<T> (outcome: Outcome<T>): Promise<Outcome<T>> {
    return (await this.whenDurable()) ?? outcome
  }

  /**
   * Runs a journaled command and answers once it is durable. The answer is
   * built at once (it shows the state this command left, not a later one); a
   * refusal waits too, as it can depend on commands not yet durable.
   */
  async command<T, A> (run: () => Result<T>, view: (value: T) => A): Promise<Outcome<A>> {
    const failed = this.refuseIfFailed()
    if (failed !== null) return failed
    const result = run()
    if (!result.ok) return (await this.whenDurable()) ?? refusal(result)
    const answer = view(result.value)
    return (await this.whenDurable()) ?? { ok: true, value: answer }
  }

  private journalFailed (): Refusal {
    this.onFailed()
    return journalUnavailable()
  }
}
