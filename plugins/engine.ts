/**
 * Adapts the domain engine to Fastify: builds it from config, recovers it
 * from the data directory when the journal is on, and decorates the instance.
 * Matching lives in src/engine, durability in src/journal; this only wires.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { MatchingEngine, stateDigest } from '../src/engine/index.js'
import { Persistence } from '../src/journal/persistence.js'
import { LatencyRecorder } from '../src/latency-recorder.js'
import type { Config } from '../src/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    engine: MatchingEngine
    /** null when the journal is switched off. */
    persistence: Persistence | null
    orderLatency: LatencyRecorder
    startedAt: number
    /** Resolves once every command accepted so far is durable (journal), at once without a journal. */
    durable: () => Promise<void>
    /** Figures the engine plugin adds to /statistics. */
    statisticsExtras: () => Record<string, unknown>
  }
}

export interface EnginePluginOptions {
  readonly config: Config['engine']
  readonly journal: Config['journal']
  /** Injected in tests for determinism; the real clock otherwise. */
  readonly clock?: () => number
}

const done = Promise.resolve()
const resolved = (): Promise<void> => done

async function enginePlugin (app: FastifyInstance, opts: EnginePluginOptions): Promise<void> {
  const { journal } = opts
  let persistence: Persistence | null = null
  const engine = new MatchingEngine({
    ...opts.config,
    clock: opts.clock,
    onCommand: journal.enabled ? (command) => (persistence as Persistence).onCommand(command) : undefined,
    onListenerError: (error) => app.log.error({ err: error }, 'engine listener failed')
  })
  if (journal.enabled) {
    persistence = new Persistence(engine, { ...journal, onError: (err, message) => app.log.error({ err }, message) })
    for (const warning of persistence.recovery.warnings) app.log.warn(warning)
    app.log.info({ dataDir: journal.dataDir, fsync: journal.fsync, ...persistence.recovery, digest: stateDigest(engine) }, 'engine recovered')
  }
  app.decorate('engine', engine)
  app.decorate('persistence', persistence)
  app.decorate('orderLatency', new LatencyRecorder())
  app.decorate('startedAt', Date.now())
  app.decorate('durable', persistence === null ? resolved : () => (persistence as Persistence).durable())
  app.decorate('statisticsExtras', () => ({
    state_digest: stateDigest(engine),
    ...(persistence === null ? {} : { journal: persistence.stats() })
  }))
  app.addHook('onClose', async () => {
    if (persistence !== null) await persistence.close()
    app.log.info({ sequence: engine.sequence, digest: stateDigest(engine) }, 'engine stopped')
  })
}

export default fp(enginePlugin, { name: 'engine', fastify: '5.x' })
