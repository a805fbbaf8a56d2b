/**
 * Security headers on every answer (the trading page, its assets, the API,
 * errors and 404s) from helmet: a strict Content-Security-Policy the page
 * passes (scripts, styles, images, fetch and WebSocket from this origin only,
 * no inline script or style, no framing), X-Content-Type-Options: nosniff,
 * X-Frame-Options: DENY, Referrer-Policy: no-referrer and helmet's other
 * defaults. Routes whose config says `securityHeaders: 'docs'` (the Swagger UI
 * at /docs, see plugins/docs.ts) get the one allowance Swagger UI needs:
 * inline styles.
 *
 * helmet's middleware is built once per policy here rather than through
 * @fastify/helmet, which builds a new one on every request (measured ~11 µs
 * per request against ~0.4 µs for a prebuilt one: a cost on every order).
 * Strict-Transport-Security is left to whatever terminates TLS: the service
 * itself speaks plain HTTP.
 */
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which header policy a route gets; absent means the strict one. */
    securityHeaders?: 'docs'
  }
}

export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"]
}

function options (directives: Record<string, string[]>): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false
  }
}

const strict = helmet(options(CSP_DIRECTIVES))
const docs = helmet(options({ ...CSP_DIRECTIVES, 'style-src': ["'self'", "'unsafe-inline'"] }))

/** The strict headers, for answers that no route hook reaches (the router's own errors, see plugins/errors.ts). */
export function applyStrictHeaders (request: FastifyRequest, reply: FastifyReply): void {
  strict(request.raw, reply.raw, () => {})
}

async function securityPlugin (app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', (request, reply, done) => {
    const apply = request.routeOptions.config.securityHeaders === 'docs' ? docs : strict
    // helmet's middleware is synchronous: it sets the headers on the raw response, then calls back.
    apply(request.raw, reply.raw, (error) => done(error as Error | undefined))
  })
}

export default fp(securityPlugin, { name: 'security', fastify: '5.x' })
