import { MatchingEngine } from '../../src/engine/index.js'
import { Persistence, type PersistenceOptions } from '../../src/journal/persistence.js'
import { steppingClock } from './clock.js'

/** An engine recovered from `dir` and journaling into it, as the engine plugin wires them. */
export function openJournaled (dir: string, over: Partial<PersistenceOptions> = {}) {
  let persistence: Persistence | null = null
  const engine = new MatchingEngine({ clock: steppingClock(), onCommand: (c) => persistence!.onCommand(c) })
  persistence = new Persistence(engine, { dataDir: dir, fsync: 'batch', fsyncIntervalMs: 5, snapshotEvery: 0, ...over })
  return { engine, persistence }
}
