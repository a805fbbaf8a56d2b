/** Engine clocks are in milliseconds; the wire speaks epoch seconds, as the seed did. */
export function toSeconds (ms: number): number {
  return ms / 1000
}

/**
 * Epoch seconds from the wire (at most 3 decimals) as integer milliseconds,
 * exactly: read through the number's shortest round-trip text (the JSON body
 * parser has already refused any number token a double cannot give back), so
 * 1700000000.123 is 1700000000123, never 1700000000122.9998. null when it is
 * not a positive finite number with at most 3 decimals, or past 2^53 − 1 ms.
 */
export function secondsToMs (seconds: number): number | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return null
  // String() of a positive double below 1e21 with at most 3 decimals is plain digits: anything else (1e-7, 1e+21) is refused.
  const match = /^([0-9]+)(?:\.([0-9]{1,3}))?$/.exec(String(seconds))
  if (match === null) return null
  const ms = Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0'))
  return Number.isSafeInteger(ms) ? ms : null
}
