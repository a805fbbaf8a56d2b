/**
 * The single error handler (and not-found handler) of the service. Wrapped
 * with fastify-plugin so it applies to the root instance and every route.
 * 5xx bodies never carry internals; the log gets the details instead.
 */
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ErrorCode, type ErrorResponse } from '../schemas/errors.js'
import { STATUS_OF, apiError, isApiError } from './http-errors.js'
import './route-flags.js'

/** Fastify's own error codes for body parsing, mapped onto ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.INVALID_JSON,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.INVALID_JSON,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.INVALID_CONTENT_TYPE,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ErrorCode.VALIDATION_ERROR
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Count of answered errors by error_code, for /statistics. */
    errorCounts: Map<string, number>
  }
}

async function errorsPlugin (app: FastifyInstance): Promise<void> {
  app.decorate('errorCounts', new Map<string, number>())
  const routes: Array<{ method: string, pattern: RegExp }> = []
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    // Route syntax to a regex: ':param' is one segment, '*' is anything; every other character is literal.
    const source = route.url.split(/(:[^/]+|\*)/).map((part) => part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('')
    const pattern = new RegExp('^' + source + '/?$')
    for (const method of methods) routes.push({ method, pattern })
  })

  function send (reply: FastifyReply, code: ErrorCode, message: string, extra: Partial<ErrorResponse> = {}): FastifyReply {
    app.errorCounts.set(code, (app.errorCounts.get(code) ?? 0) + 1)
    const request = reply.request
    if (request.routeOptions.config?.orderEntry === true) app.metrics.orderRejected(orderTypeLabel(request.body), code)
    const body: ErrorResponse = { error: message, error_code: code, ...extra }
    return reply.code(STATUS_OF[code]).type('application/json').send(body)
  }

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error.validation !== undefined) {
      return send(reply, ErrorCode.VALIDATION_ERROR, describeValidation(error),
        { details: error.validation.map((v) => ({ field: fieldOf(v), message: v.message })) })
    }
    if (isApiError(error)) {
      const extra: Partial<ErrorResponse> = {}
      if (error.details !== undefined) extra.details = error.details
      if (error.retryAfter !== undefined) extra.retry_after = error.retryAfter
      return send(reply, error.code, error.message, extra)
    }
    const mapped = FASTIFY_CODES[error.code]
    if (mapped !== undefined) return send(reply, mapped, error.message)
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ err: error }, 'client error')
      return send(reply, ErrorCode.VALIDATION_ERROR, error.message)
    }
    request.log.error({ err: error }, 'unhandled error')
    return send(reply, ErrorCode.INTERNAL_ERROR, 'internal server error')
  })

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500) request.log.warn({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: reply.elapsedTime }, 'request failed')
    else if (request.log.level === 'debug' || request.log.level === 'trace') request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: reply.elapsedTime }, 'request completed')
  })

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path) && r.method !== request.method).map((r) => r.method))]
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      return send(reply, ErrorCode.METHOD_NOT_ALLOWED, `${request.method} is not allowed on ${path}`)
    }
    return send(reply, ErrorCode.NOT_FOUND, `route ${request.method} ${path} not found`)
  })
}

const ORDER_TYPE_LABELS = new Set(['limit', 'market', 'ioc', 'fok'])

/** A bounded label: the four types, or "invalid" for anything a client sent (no label explosion). */
function orderTypeLabel (body: unknown): string {
  const type = typeof body === 'object' && body !== null ? (body as { order_type?: unknown }).order_type : undefined
  const normalised = typeof type === 'string' ? type.toLowerCase() : ''
  return ORDER_TYPE_LABELS.has(normalised) ? normalised : 'invalid'
}

type ValidationItem = NonNullable<FastifyError['validation']>[number]

/** The offending field: its path, or for a missing/unknown property, its name. */
function fieldOf (item: ValidationItem): string {
  const params = item.params as { missingProperty?: string, additionalProperty?: string }
  const name = params.missingProperty ?? params.additionalProperty
  const path = item.instancePath.replace(/^\//, '').replaceAll('/', '.')
  if (name === undefined) return path === '' ? '(root)' : path
  return path === '' ? name : `${path}.${name}`
}

function describeValidation (error: FastifyError): string {
  const first = (error.validation as ValidationItem[])[0]
  return `${error.validationContext ?? 'request'} field '${fieldOf(first)}' ${first.message ?? 'is invalid'}`
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' })
export { apiError }
