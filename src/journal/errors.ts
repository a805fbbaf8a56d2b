/**
 * The journal's error classes. Two families:
 * - StartupRefusedError: the data directory cannot be used as it is (damaged
 *   journal, other symbol filters, lock held, unusable directory). The entry
 *   point prints its message as one line and exits non-zero, without a stack:
 *   it is an operator's problem, not a bug.
 * - JournalUnavailableError: a command could not be made durable. Every
 *   durable() rejection (and every append after a failure) uses it, so the
 *   HTTP layer can answer 503 JOURNAL_UNAVAILABLE instead of 500.
 */

export class StartupRefusedError extends Error {
  name = 'StartupRefusedError'
}

/** A record or file that cannot be read as written: damage, not a tear. */
export class CorruptJournalError extends StartupRefusedError {
  name = 'CorruptJournalError'
}

/** The data was counted in other tick or lot sizes (or for a symbol no longer configured). */
export class FilterMismatchError extends StartupRefusedError {
  name = 'FilterMismatchError'
}

/** Another process holds DATA_DIR. */
export class DataDirLockedError extends StartupRefusedError {
  name = 'DataDirLockedError'
}

export class JournalUnavailableError extends Error {
  name = 'JournalUnavailableError'
  readonly code = 'JOURNAL_UNAVAILABLE'
}
