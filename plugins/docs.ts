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
import './route-flags.js'

/** Signed requests: all three headers together (see the README, "Accounts, API keys and signing"). */
const SIGNED = [{ apiKey: [], apiTimestamp: [], apiSignature: [] }]
const ADMIN = [{ adminToken: [] }]

async function docsPlugin (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Matching engine API',
        description: 'Order entry, cancel, status and market data. Market data streams over the WebSocket at /ws (see the README).',
        version: VERSION
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-KEY', description: 'the API key id (32 hex digits); not needed with AUTH=off' },
          apiTimestamp: { type: 'apiKey', in: 'header', name: 'X-TIMESTAMP', description: 'ms since the epoch, within AUTH_RECV_WINDOW_MS of the server clock' },
          apiSignature: { type: 'apiKey', in: 'header', name: 'X-SIGNATURE', description: 'hex HMAC-SHA256(secret, timestamp + METHOD + path with query + raw body)' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'the admin token (ADMIN_TOKEN, ADMIN_TOKEN_FILE or <SECRETS_DIR>/admin-token)' }
        }
      }
    },
    // Private routes (config.auth) need the signed headers; admin routes the admin token.
    transform: ({ schema, url, route }) => {
      const flags = route.config
      const security = flags?.auth !== undefined ? SIGNED : flags?.admin === true ? ADMIN : undefined
      return { schema: security === undefined ? schema : { ...schema, security }, url }
    }
  })
  // In a scope of its own: every Swagger UI route is flagged for the docs header policy (plugins/security.ts).
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => { route.config = { ...route.config, securityHeaders: 'docs' } })
    await scope.register(swaggerUi, { routePrefix: '/docs' })
  })
}

export default fp(docsPlugin, { name: 'docs', fastify: '5.x' })
