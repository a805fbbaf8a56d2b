/**
 * Readiness and draining. /ready answers 200 once the app is up (recovery
 * runs before listen) and 503 from the moment shutdown begins; requests that
 * arrive while draining get 503 SHUTTING_DOWN instead of reaching the engine.
 * In-flight requests finish normally: server.close() waits for them.
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

async function lifecyclePlugin (app: FastifyInstance): Promise<void> {
  const lifecycle = { shuttingDown: false }
  app.decorate('lifecycle', lifecycle)
  app.addHook('preClose', async () => { lifecycle.shuttingDown = true })
  app.addHook('onRequest', async (request, reply) => {
    if (!lifecycle.shuttingDown || ALWAYS_ANSWERED.has(request.url)) return
    reply.header('connection', 'close')
    reply.header('retry-after', '5')
    throw apiError(ErrorCode.SHUTTING_DOWN, 'the server is shutting down; retry against another instance')
  })
  app.get('/ready', {
    schema: { summary: 'Readiness', response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: ErrorResponse } }
  }, async () => ({ status: 'ready' as const }))
}

export default fp(lifecyclePlugin, { name: 'lifecycle', fastify: '5.x' })
