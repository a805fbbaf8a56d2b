/**
 * Per-IP rate limiting (@fastify/rate-limit, global: false: only routes that
 * ask for it are limited, each route with its own count). Order entry and
 * cancel read their limit from `app.orderRateLimit`, the market-data and
 * order-status reads from `app.readRateLimit`, as their route `config`;
 * both are false when rate limiting is switched off.
 */
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../src/config.js'
import { ErrorCode } from '../schemas/errors.js'
import { apiError } from './http-errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    orderRateLimit: { max: number, timeWindow: number } | false
    readRateLimit: { max: number, timeWindow: number } | false
  }
}

async function rateLimitPlugin (app: FastifyInstance, opts: { config: Config['rateLimit'] }): Promise<void> {
  const { enabled, max, readMax, windowMs } = opts.config
  app.decorate('orderRateLimit', enabled ? { max, timeWindow: windowMs } : false)
  app.decorate('readRateLimit', enabled ? { max: readMax, timeWindow: windowMs } : false)
  if (!enabled) return
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => {
      const retryAfter = Math.max(1, Math.ceil(context.ttl / 1000))
      const error = apiError(ErrorCode.RATE_LIMIT, `rate limit of ${context.max} requests per ${context.after} exceeded`)
      error.retryAfter = retryAfter
      return error
    }
  })
}

export default fp(rateLimitPlugin, { name: 'rate-limit', fastify: '5.x' })
