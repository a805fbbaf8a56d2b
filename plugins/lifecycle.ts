/**
 * Readiness and draining. /ready answers 200 once the app is up (recovery
 * runs before listen) and 503 from the moment shutdown begins, or once the
 * exchange is no longer healthy (a failed journal). Requests that arrive
 * while draining get 503 SHUTTING_DOWN instead of reaching the exchange,
 * except routes flagged `answeredWhileDraining` (liveness). In-flight
 * requests finish normally: server.close() waits for them.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { ErrorCode, ErrorResponse } from '../schemas/errors.js'
import { apiError } from './http-errors.js'
import './route-flags.js'

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: { shuttingDown: boolean }
  }
}

async function lifecyclePlugin (app: FastifyInstance): Promise<void> {
  const lifecycle = { shuttingDown: false }
  app.decorate('lifecycle', lifecycle)
  app.addHook('preClose', async () => { lifecycle.shuttingDown = true })
  app.addHook('onRequest', async (request, reply) => {
    if (!lifecycle.shuttingDown || request.routeOptions.config.answeredWhileDraining === true) return
    reply.header('connection', 'close')
    reply.header('retry-after', '5')
    throw apiError(ErrorCode.SHUTTING_DOWN, 'the server is shutting down; retry against another instance')
  })
  app.get('/ready', {
    schema: { summary: 'Readiness', response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: ErrorResponse } }
  }, async () => {
    const health = app.exchange.health()
    if (!health.healthy) throw apiError(ErrorCode.JOURNAL_UNAVAILABLE, health.reason ?? 'the exchange cannot serve')
    return { status: 'ready' as const }
  })
}

export default fp(lifecyclePlugin, { name: 'lifecycle', dependencies: ['exchange'], fastify: '5.x' })
