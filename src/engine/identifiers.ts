/**
 * Case folding for identifiers (symbols, sides, order types), ASCII only:
 * JavaScript folds some non-ASCII letters onto ASCII ones ("ſ".toUpperCase()
 * is "S", the Kelvin sign lowercases to "k"), which would let look-alike text
 * name a real symbol. Anything outside printable ASCII (0x20 to 0x7e) folds
 * to '' and matches nothing. Text already in the wanted case is returned as
 * it is, without a copy: every submit and book lookup goes through here.
 * Its own file because both the symbol filters and the order validation
 * need it, and neither should import the other.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
const SPACE = 0x20
const TILDE = 0x7e

/** -1: not printable ASCII; 1: has a letter in [from, from + 25]; 0: none. */
function scan (text: string, from: number): number {
  let found = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < SPACE || c > TILDE) return -1
    if (c >= from && c <= from + 25) found = 1
  }
  return found
}

export function normaliseSymbol (symbol: string): string {
  // Not a string (untyped callers only): the regex and the method call as before, a TypeError included.
  if (typeof symbol !== 'string') return PRINTABLE_ASCII.test(symbol) ? (symbol as string).toUpperCase() : ''
  const found = scan(symbol, 0x61 /* a */)
  return found < 0 ? '' : found > 0 ? symbol.toUpperCase() : symbol
}

/** Callers pass String(x): validation folds whatever the wire sent. */
export function asciiLower (text: string): string {
  const found = scan(text, 0x41 /* A */)
  return found < 0 ? '' : found > 0 ? text.toLowerCase() : text
}
