import type { FastifyInstance } from 'fastify'
import type { MatchingEngine } from '../../src/engine/index.js'
import type { LocalExchange } from '../../src/exchange/local-exchange.js'

/** The engine inside a test app's in-process exchange: for driving volume or simulating faults, never for assertions a client could not make. */
export function engineOf (app: FastifyInstance): MatchingEngine {
  return (app.exchange as unknown as LocalExchange).engineForTests
}
