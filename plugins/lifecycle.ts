/**
 * Readiness and draining. /ready answers 200 once the app is up (recovery
 * runs before listen) and 503 from the moment shutdown begins; requests that
 * arrive while draining get 503 SHUTTING_DOWN instead of reaching the engine.
 * In-flight requests finish normally: server.close() waits for them.
 * A journal that failed (disk full, I/O error) also makes the service
 * unready and refuses order entry: it could no longer make orders durable.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { apiError } from './http-errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: { shuttingDown: boolean }
  }
}

/** Liveness stays up while draining, so an orchestrator does not kill a process that is shutting down cleanly. */
const ALWAYS_ANSWERED = new Set(['/health'])
/** What a failed journal must stop: anything that would be acknowledged without being durable. */
const NEEDS_JOURNAL = new Set(['/order', '/cancel', '/ready'])

async function lifecyclePlugin (app: FastifyInstance): Promise<void> {
  const lifecycle = { shuttingDown: false }
  app.decorate('lifecycle', lifecycle)
  app.addHook('preClose', async () => { lifecycle.shuttingDown = true })
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? ''
    const journalFailure = app.persistence?.failed ?? null
    if (journalFailure !== null && NEEDS_JOURNAL.has(route) && (request.method === 'POST' || route === '/ready')) {
      throw apiError(ErrorCode.JOURNAL_UNAVAILABLE, 'the journal cannot write; no order is accepted until the service restarts from its files')
    }
    if (!lifecycle.shuttingDown || ALWAYS_ANSWERED.has(route)) return
    reply.header('connection', 'close')
    reply.header('retry-after', '5')
    throw apiError(ErrorCode.SHUTTING_DOWN, 'the server is shutting down; retry against another instance')
  })
  app.get('/ready', {
    schema: { summary: 'Readiness', response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: ErrorResponse } }
  }, async () => ({ status: 'ready' as const }))
}

export default fp(lifecyclePlugin, { name: 'lifecycle', fastify: '5.x' })
