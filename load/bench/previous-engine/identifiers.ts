/**
 * Case folding for identifiers (symbols, sides, order types), ASCII only:
 * JavaScript folds some non-ASCII letters onto ASCII ones ("ſ".toUpperCase()
 * is "S", the Kelvin sign lowercases to "k"), which would let look-alike text
 * name a real symbol. Anything non-ASCII folds to '' and matches nothing.
 * Its own file because both the symbol filters and the order validation
 * need it, and neither should import the other.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

export function normaliseSymbol (symbol: string): string {
  return PRINTABLE_ASCII.test(symbol) ? symbol.toUpperCase() : ''
}

export function asciiLower (text: string): string {
  return PRINTABLE_ASCII.test(text) ? text.toLowerCase() : ''
}
