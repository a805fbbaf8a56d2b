/**
 * Symbol filters as the journal and snapshots record them. Prices and
 * quantities are stored as integer ticks and lots, so data counted under one
 * tick or lot size would be silently re-priced under another: a mismatch
 * refuses the start instead. Rules, the same for snapshots and journal segments:
 *   - a configured symbol recorded with another tick or lot size: refused;
 *   - a symbol added to the configuration: fine, its book starts empty;
 *   - a symbol removed from the configuration: refused when the data holds
 *     orders of it (open or in the history, or a journal record naming it),
 *     otherwise its book (statistics only) is dropped with a warning.
 */
import type { MatchingEngine } from '../engine/index.js'
import type { SymbolFilters } from './codec.js'
import { FilterMismatchError } from './errors.js'

export function filtersOf (engine: MatchingEngine): SymbolFilters {
  return [...engine.allBooks()].map((book) => [book.symbol, book.spec.tick.text, book.spec.lot.text] as const)
}

/** Throws when a configured symbol was recorded under other filters; `source` names the file. */
export function checkFilters (source: string, recorded: SymbolFilters, engine: MatchingEngine): void {
  for (const [symbol, tick, lot] of recorded) {
    const book = engine.book(symbol)
    if (book === undefined) continue
    if (tick !== book.spec.tick.text || lot !== book.spec.lot.text) {
      throw new FilterMismatchError(`${source} counts ${symbol} in tick ${tick} / lot ${lot}, but it is now configured with ` +
        `tick ${book.spec.tick.text} / lot ${book.spec.lot.text}; refusing to start (configure the old filters again, or start on a new DATA_DIR)`)
    }
  }
}

/** Refuses a record or order for a symbol that is no longer configured. */
export function removedSymbol (source: string, symbol: string, what: string): FilterMismatchError {
  return new FilterMismatchError(`${source} holds ${what} for symbol ${symbol}, which is no longer configured; refusing to start (configure it again)`)
}
