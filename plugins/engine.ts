/**
 * Adapts the domain engine to Fastify: creates it from config and decorates
 * the instance with it. Nothing else; matching lives in src/engine.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { MatchingEngine } from '../src/engine/index.js'
import { LatencyRecorder } from '../src/latency-recorder.js'
import type { Config } from '../src/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    engine: MatchingEngine
    orderLatency: LatencyRecorder
    startedAt: number
    /** Resolves once every command accepted so far is durable (journal), at once without a journal. */
    durable: () => Promise<void>
    /** Extra figures other plugins add to /statistics. */
    statisticsExtras: () => Record<string, unknown>
  }
}

export interface EnginePluginOptions {
  readonly config: Config['engine']
  /** Injected in tests for determinism; the real clock otherwise. */
  readonly clock?: () => number
}

async function enginePlugin (app: FastifyInstance, opts: EnginePluginOptions): Promise<void> {
  const engine = new MatchingEngine({
    ...opts.config,
    clock: opts.clock,
    onListenerError: (error) => app.log.error({ err: error }, 'engine listener failed')
  })
  app.decorate('engine', engine)
  app.decorate('orderLatency', new LatencyRecorder())
  app.decorate('startedAt', Date.now())
  app.decorate('durable', resolved)
  app.decorate('statisticsExtras', () => ({}))
}

const done = Promise.resolve()
const resolved = (): Promise<void> => done

export default fp(enginePlugin, { name: 'engine', fastify: '5.x' })
