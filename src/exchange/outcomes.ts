/** Building Outcomes: refusals from codes and engine rejections, and the small formats answers share. */
import type { Rejection } from '../engine/index.js'
import { ErrorCode } from '../../schemas/errors.js'
import type { Refusal } from './exchange.js'

export function refuse (code: ErrorCode, message: string): Refusal {
  return { ok: false, code, message }
}

export function refusal (rejection: Rejection): Refusal {
  return refuse(rejection.code, rejection.message)
}

export function journalUnavailable (): Refusal {
  return refuse(ErrorCode.JOURNAL_UNAVAILABLE, 'the journal cannot write; nothing is answered from this process until it restarts from its files')
}

/** Cursors are the engine's positions as decimal digits; anything else is not one we gave out. */
export function parseCursor (text: string): number | null {
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : null
}

export function cursorText (next: number | null): string | null {
  return next === null ? null : String(next)
}

/** Answers report milliseconds to the microsecond: finer digits are noise. */
export function roundToMicroseconds (ms: number): number {
  return Math.round(ms * 1000) / 1000
}
