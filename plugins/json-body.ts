/**
 * The application/json body parser: src/json/strict-json.ts in place of
 * Fastify's default, so a duplicate key, a number a double cannot give back
 * exactly, or a prototype key is a 400 INVALID_JSON before any route runs.
 * The body's text is kept as request.rawBody: a signed request is verified
 * over the exact text that was sent (plugins/auth.ts).
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { parseStrictJson } from '../src/json/strict-json.js'
import { ErrorCode } from '../schemas/errors.js'
import { apiError } from './http-errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received ('' when there is none). */
    rawBody: string
  }
}

async function jsonBodyPlugin (app: FastifyInstance): Promise<void> {
  app.decorateRequest('rawBody', '')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string
    const result = parseStrictJson(body as string)
    if (result.ok) done(null, result.value)
    else done(apiError(ErrorCode.INVALID_JSON, result.message), undefined)
  })
}

export default fp(jsonBodyPlugin, { name: 'json-body', fastify: '5.x' })
