import { MatchingEngine } from '../../src/engine/index.js'
import { Persistence, type PersistenceOptions } from '../../src/journal/persistence.js'
import { steppingClock } from './clock.js'

/** An engine recovered from `dir` and journaling into it, as the exchange wires them. */
export function openJournaled (dir: string, over: Partial<PersistenceOptions> = {}) {
  const clock = steppingClock()
  const persistence = new Persistence({ dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0, ...over },
    (onCommand) => new MatchingEngine({ clock, onCommand }))
  return { engine: persistence.engine, persistence }
}
