/**
 * The engine as the configuration makes it, in one place: the service's own
 * engine and the snapshot replica's (src/journal/snapshot-worker.ts) must be
 * built the same way, or the replica's snapshot would not be the service's state.
 */
import { MatchingEngine, type Command } from '../engine/index.js'
import type { MarketStats } from '../market/market-stats.js'
import type { Config } from '../config.js'

export interface EngineHooks {
  /** Kept beside the engine's state in every snapshot; it follows the engine's trades. */
  readonly market?: MarketStats
  /** The journal's hook: sees every accepted command before it runs. */
  readonly onCommand?: (command: Command) => void
  readonly clock?: () => number
  readonly onListenerError?: (error: unknown) => void
}

export function configuredEngine (config: Config['engine'], hooks: EngineHooks = {}): MatchingEngine {
  const engine = new MatchingEngine({
    ...config,
    // A price band is state, set by journaled commands: the engine starts without one, so that
    // replay applies to each command the band it ran under, whatever the configuration says now.
    symbols: config.symbols.map(({ priceBand: _configured, ...symbol }) => symbol),
    clock: hooks.clock,
    onCommand: hooks.onCommand,
    onListenerError: hooks.onListenerError
  })
  return hooks.market === undefined ? engine : hooks.market.follow(engine)
}
