/**
 * buildApp(config): the whole service as a Fastify instance, plugins
 * registered explicitly and in order. Tests build one per test; server.ts
 * builds one and listens.
 */
import Fastify, { LogController, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import errors, { MAX_PARAM_LENGTH, clientErrorHandler, frameworkErrors } from '../plugins/errors.js'
import jsonBody from '../plugins/json-body.js'
import security from '../plugins/security.js'
import lifecycle from '../plugins/lifecycle.js'
import exchange from '../plugins/exchange.js'
import pressure from '../plugins/pressure.js'
import rateLimit from '../plugins/rate-limit.js'
import websocket from '../plugins/websocket.js'
import metrics from '../plugins/metrics.js'
import docs from '../plugins/docs.js'
import staticFiles from '../plugins/static.js'
import routes from '../plugins/routes.js'
import auth from '../plugins/auth.js'

export interface BuildOptions {
  /** Injected clock (ms) for deterministic tests. */
  readonly clock?: () => number
  /** Overrides the logger (tests pass false). */
  readonly logger?: FastifyServerOptions['logger']
}

export async function buildApp (config: Config, options: BuildOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    requestIdHeader: 'x-request-id',
    // Every timeout explicit: slowloris-style peers must not hold sockets forever.
    connectionTimeout: 30_000,
    keepAliveTimeout: 72_000,
    requestTimeout: 30_000,
    // Fastify's default, set here so that the 414 answer names the limit in force.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The lifecycle plugin answers requests that arrive while draining, in our error shape.
    return503OnClosing: false,
    // One log line per request at info would dominate the hot path; onResponse logs at debug instead.
    logController: new LogController({ disableRequestLogging: true }),
    // Errors the router or Node's HTTP parser finds before any route still answer in our error shape.
    frameworkErrors,
    clientErrorHandler,
    ajv: {
      // Bodies are never coerced or stripped: a wrong type or an unknown field is an error, not a silent change.
      // verbose: a validation error carries its schema, so the errors plugin can word the message.
      // allowUnionTypes: type lists (['string', 'null']) fail with one error where anyOf fails with one per branch.
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false, verbose: true, allowUnionTypes: true }
    }
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Every body is JSON: without this, Fastify's built-in text/plain parser would hand a string to the schema.
  app.removeContentTypeParser('text/plain')
  await app.register(errors)
  await app.register(jsonBody)
  await app.register(security)
  // Before any route: swagger collects routes as they are added.
  if (config.docs) await app.register(docs)
  await app.register(exchange, { config, clock: options.clock })
  await app.register(lifecycle)
  await app.register(pressure, { config: config.pressure })
  await app.register(auth, { config: config.auth, clock: options.clock })
  await app.register(rateLimit, { config: config.rateLimit })
  await app.register(websocket, { config: config.ws, authMode: config.auth.mode })
  await app.register(metrics, { config: config.metrics })
  await app.register(staticFiles, { root: config.staticDir })
  await app.register(routes)
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
