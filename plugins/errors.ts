/**
 * The single error handler (and not-found handler) of the service. Wrapped
 * with fastify-plugin so it applies to the root instance and every route.
 * 5xx bodies never carry internals; the log gets the details instead.
 */
import fp from 'fastify-plugin'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ErrorCode, type ErrorResponse } from '../schemas/errors.js'
import { STATUS_OF, apiError, isApiError } from './http-errors.js'
import './route-flags.js'
import { applyStrictHeaders } from './security.js'

/** The router's limit on one path parameter (buildApp passes it to Fastify; the 414 message names it). */
export const MAX_PARAM_LENGTH = 100

/**
 * Fastify's own error codes, mapped onto ours with a message a client can act
 * on. Fastify's JSON parser errors (FST_ERR_CTP_INVALID_JSON_BODY, _EMPTY_JSON_BODY)
 * never occur: plugins/json-body.ts replaces that parser and answers INVALID_JSON itself.
 */
const FASTIFY_ERRORS: Record<string, (error: FastifyError, request: FastifyRequest) => [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (_error, request) => [ErrorCode.INVALID_CONTENT_TYPE,
    `the body must be JSON: send it with Content-Type: application/json (got ${request.headers['content-type'] === undefined ? 'no Content-Type' : `'${request.headers['content-type']}'`})`],
  FST_ERR_CTP_BODY_TOO_LARGE: (_error, request) => [ErrorCode.PAYLOAD_TOO_LARGE, `the body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => [ErrorCode.BAD_REQUEST, 'the body\'s length does not match its Content-Length header'],
  FST_ERR_BAD_URL: (_error, request) => [ErrorCode.INVALID_URL, `the URL path ${pathOf(request.url)} is not valid percent-encoding`],
  FST_ERR_MAX_PARAM_LENGTH: (_error, request) => [ErrorCode.URI_TOO_LONG,
    `a path parameter in ${pathOf(request.url).slice(0, 64)}… is longer than ${MAX_PARAM_LENGTH} characters`]
}

/** Any other 4xx (from a plugin such as @fastify/static), by status. */
const BY_STATUS: Record<number, [ErrorCode, string]> = {
  400: [ErrorCode.BAD_REQUEST, 'the request is malformed'],
  403: [ErrorCode.FORBIDDEN, 'this path may not be served'],
  404: [ErrorCode.NOT_FOUND, 'not found'],
  413: [ErrorCode.PAYLOAD_TOO_LARGE, 'the body is too large'],
  416: [ErrorCode.RANGE_NOT_SATISFIABLE, 'the requested range is outside the file']
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
    if (request.routeOptions.config?.orderEntry === true) app.metrics.orderRejected(orderTypeLabel(request.routeOptions.url, request.body), code)
    const body: ErrorResponse = { error: message, error_code: code, ...extra }
    return reply.code(STATUS_OF[code]).type('application/json').send(body)
  }

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error.validation !== undefined) {
      return send(reply, ErrorCode.VALIDATION_ERROR, describeValidation(error),
        { details: error.validation.map((v) => ({ field: fieldOf(v), message: messageOf(v) })) })
    }
    if (isApiError(error)) {
      const extra: Partial<ErrorResponse> = {}
      if (error.retryAfter !== undefined) extra.retry_after = error.retryAfter
      if (error.headers !== undefined) reply.headers(error.headers)
      return send(reply, error.code, error.message, extra)
    }
    const mapped = FASTIFY_ERRORS[error.code]
    if (mapped !== undefined) {
      const [code, message] = mapped(error, request)
      return send(reply, code, message)
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ err: error }, 'client error')
      const [code, message] = BY_STATUS[error.statusCode] ?? BY_STATUS[400]
      return send(reply, code, message)
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
    const matching = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))
    // A route of this method matched the path but not the resource (a wildcard's missing file): not found, not 405.
    const allowed = matching.has(request.method) ? [] : [...matching]
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      return send(reply, ErrorCode.METHOD_NOT_ALLOWED, `${request.method} is not allowed on ${path}`)
    }
    return send(reply, ErrorCode.NOT_FOUND, `route ${request.method} ${path} not found`)
  })
}

const ORDER_TYPE_LABELS = new Set(['limit', 'market', 'ioc', 'fok', 'stop_limit', 'stop_market'])

/** A bounded label: the order types, amend, oco, or "invalid" for anything a client sent (no label explosion). */
function orderTypeLabel (url: string | undefined, body: unknown): string {
  if (url === '/amend' || url === '/oco') return url.slice(1)
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
  /* c8 ignore next -- the fallback is for the type checker: Fastify always sets validationContext with validation */
  const context = error.validationContext ?? 'request'
  return `${context} field '${fieldOf(first)}' ${messageOf(first)}`
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', null: 'null', object: 'an object', array: 'an array'
}

/**
 * A message a person can act on, from the failing keyword (ajv runs with
 * verbose: true, so the failing schema is at hand). A string schema with a
 * pattern and a description answers every string failure with its
 * description: one message for a bad client_order_id, whatever the reason.
 */
function messageOf (item: ValidationItem): string {
  /* c8 ignore next -- the fallback is for the type checker: buildApp runs ajv with verbose: true, which always sets parentSchema */
  const schema = (item as { parentSchema?: { description?: string, pattern?: string, minLength?: number, maxLength?: number } }).parentSchema ?? {}
  const params = item.params as Record<string, unknown>
  const stringRule = item.keyword === 'pattern' || item.keyword === 'minLength' || item.keyword === 'maxLength'
  if (stringRule && schema.pattern !== undefined && schema.description !== undefined) return `must be ${schema.description}`
  switch (item.keyword) {
    case 'required': return 'is required'
    case 'additionalProperties': return 'is not a known field'
    case 'type': return `must be ${String(params.type).split(',').map(typeName).join(' or ')}`
    case 'minLength':
    case 'maxLength': return `must be ${schema.minLength ?? 0} to ${schema.maxLength ?? 'any number of'} characters long`
    default: return ajvMessage(item)
  }
}

function typeName (type: string): string {
  /* c8 ignore next -- ajv's type names are exactly the seven JSON types of TYPE_NAMES; the fallback is for the type checker */
  return TYPE_NAMES[type] ?? type
}

function ajvMessage (item: ValidationItem): string {
  /* c8 ignore next -- ajv fills message unless created with messages: false, which buildApp never sets; optional only in the type */
  return item.message ?? 'is invalid'
}

/** The path of a URL without its query, as the client sent it. */
function pathOf (url: string): string {
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}

/**
 * Fastify's `frameworkErrors` option: a bad URL (invalid percent-encoding)
 * or an over-long path parameter, found by the router before any route, goes
 * to the one error handler like every other error.
 */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  // The router runs before any route context exists: no onRequest hook ran, and reply.send(error)
  // would use Fastify's default handler.
  applyStrictHeaders(request, reply)
  request.server.errorHandler(error, request, reply)
}

/**
 * Fastify's `clientErrorHandler` option: Node's HTTP parser refuses a request
 * (headers over `--max-http-header-size`, 16 KiB by default; a request not
 * received within requestTimeout; bytes that are not HTTP) before Fastify
 * sees it, so there is no request, no route and no reply; the answer is
 * written on the socket in the same error shape, and the socket is closed.
 */
export function clientErrorHandler (this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset peer or a destroyed socket has no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [code, message] = error.code === 'HPE_HEADER_OVERFLOW'
    ? [ErrorCode.HEADERS_TOO_LARGE, 'the request headers are larger than the server accepts (16 KiB in all by default)']
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [ErrorCode.REQUEST_TIMEOUT, 'the request was not received in time']
      : [ErrorCode.BAD_REQUEST, 'the request is not valid HTTP/1.1']
  this.errorCounts.set(code, (this.errorCounts.get(code) ?? 0) + 1)
  this.log.debug({ code: error.code }, 'client error before routing')
  // A response already being written on this socket (keep-alive) must not get bytes of another one in its middle.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true
  if (socket.writable && !inFlight) {
    const status = STATUS_OF[code]
    const body = JSON.stringify({ error: message, error_code: code } satisfies ErrorResponse)
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => socket.destroy())
  } else {
    socket.destroy()
  }
}

export default fp(errorsPlugin, { name: 'errors', fastify: '5.x' })
export { apiError }
