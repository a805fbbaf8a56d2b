/**
 * The OpenAPI document, generated from the same TypeBox schemas the routes
 * validate with (@fastify/swagger), and a browsable reference at /docs
 * (@fastify/swagger-ui, assets served locally, no CDN).
 */
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { VERSION } from './market-routes.js'

async function docsPlugin (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Matching engine API',
        description: 'Order entry, cancel, status and market data. Market data streams over the WebSocket at /ws (see the README).',
        version: VERSION
      }
    }
  })
  // In a scope of its own: every Swagger UI route is flagged for the docs header policy (plugins/security.ts).
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => { route.config = { ...route.config, securityHeaders: 'docs' } })
    await scope.register(swaggerUi, { routePrefix: '/docs' })
  })
}

export default fp(docsPlugin, { name: 'docs', fastify: '5.x' })
