/**
 * Load shedding with @fastify/under-pressure: past the configured event-loop
 * delay or memory limits, routes flagged `sheddable` (new orders and cancels) get 503 OVERLOADED with
 * Retry-After, so the process keeps serving what it already accepted instead
 * of stalling. Reads (book, bbo, health) are still answered.
 */
import fp from 'fastify-plugin'
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../src/config.js'
import { ErrorCode } from '../schemas/errors.js'
import { apiError } from './http-errors.js'
import './route-flags.js'

async function pressurePlugin (app: FastifyInstance, opts: { config: Config['pressure'] }): Promise<void> {
  const { maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes, retryAfterSeconds } = opts.config
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    maxHeapUsedBytes,
    maxRssBytes,
    pressureHandler: (request, reply, type, value) => {
      if (request.routeOptions.config.sheddable !== true) return undefined
      request.log.warn({ type, value }, 'shedding load')
      reply.header('retry-after', String(retryAfterSeconds))
      // A rejected promise makes under-pressure call next(error): our error handler answers.
      return Promise.reject(apiError(ErrorCode.OVERLOADED, `server under pressure (${type}); retry in ${retryAfterSeconds} s`))
    }
  })
}

export default fp(pressurePlugin, { name: 'pressure', fastify: '5.x' })
