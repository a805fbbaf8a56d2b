/**
 * Load shedding and the connection cap. Past the configured event-loop delay
 * or memory limits, routes flagged `sheddable` (new orders and cancels) get 503 OVERLOADED with
 * Retry-After, so the process keeps serving what it already accepted instead
 * of stalling. Reads (book, bbo, health) are still answered. Beyond
 * `maxConnections` the HTTP server closes new connections as it accepts them.
 *
 * The probe is ours rather than @fastify/under-pressure's: its sampling timer
 * calls process.memoryUsage(), which opens /proc/self/stat and throws EMFILE
 * when descriptors run out, from a timer, which ended the process. Here a
 * failed sample keeps the previous values and nothing escapes the timer.
 */
import fp from 'fastify-plugin'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../src/config.js'
import { ErrorCode } from '../schemas/errors.js'
import { apiError } from './http-errors.js'
import './route-flags.js'

const SAMPLE_INTERVAL_MS = 1000
const HISTOGRAM_RESOLUTION_MS = 10
/** At most one warning per this period about refused connections. */
const DROP_LOG_INTERVAL_MS = 10_000

type PressureType = 'eventLoopDelay' | 'heapUsedBytes' | 'rssBytes'

interface PressureLimits {
  readonly maxEventLoopDelayMs: number
  readonly maxHeapUsedBytes: number
  readonly maxRssBytes: number
}

/** Samples event-loop delay, heap and RSS once a second; a sample that fails (EMFILE on /proc) keeps the last values. */
export class PressureProbe {
  private readonly limits: PressureLimits
  private readonly histogram = monitorEventLoopDelay({ resolution: HISTOGRAM_RESOLUTION_MS })
  private readonly timer: NodeJS.Timeout
  private readonly readRss: () => number
  eventLoopDelayMs = 0
  heapUsedBytes = 0
  rssBytes = 0
  /** Samples that could not be taken (counted, never thrown). */
  failedSamples = 0

  constructor (limits: PressureLimits, readRss: () => number = () => process.memoryUsage.rss()) {
    this.limits = limits
    this.readRss = readRss
    this.histogram.enable()
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS)
    this.timer.unref()
  }

  sample (): void {
    try {
      const delay = this.histogram.mean / 1e6 - HISTOGRAM_RESOLUTION_MS
      // No event-loop turn completed in the whole interval: the loop was blocked throughout.
      this.eventLoopDelayMs = Number.isNaN(delay) ? Infinity : Math.max(0, delay)
      this.histogram.reset()
      this.heapUsedBytes = getHeapStatistics().used_heap_size
      this.rssBytes = this.readRss()
    } catch {
      this.failedSamples++
    }
  }

  /** The first limit exceeded, or null. */
  pressure (): { type: PressureType, value: number } | null {
    const { maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes } = this.limits
    if (maxEventLoopDelayMs > 0 && this.eventLoopDelayMs > maxEventLoopDelayMs) return { type: 'eventLoopDelay', value: this.eventLoopDelayMs }
    if (maxHeapUsedBytes > 0 && this.heapUsedBytes > maxHeapUsedBytes) return { type: 'heapUsedBytes', value: this.heapUsedBytes }
    if (maxRssBytes > 0 && this.rssBytes > maxRssBytes) return { type: 'rssBytes', value: this.rssBytes }
    return null
  }

  stop (): void {
    clearInterval(this.timer)
    this.histogram.disable()
  }
}

async function pressurePlugin (app: FastifyInstance, opts: { config: Config['pressure'] }): Promise<void> {
  const { maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes, retryAfterSeconds, maxConnections } = opts.config

  // Node closes a connection over the cap right after accepting it (the client sees the socket closed).
  app.server.maxConnections = maxConnections
  let dropped = 0
  let lastDropLog = 0
  app.server.on('drop', () => {
    dropped++
    const now = Date.now()
    if (now - lastDropLog < DROP_LOG_INTERVAL_MS) return
    lastDropLog = now
    app.log.warn({ maxConnections, dropped }, 'connection cap reached: refusing new connections')
  })

  const pressureHandler = (request: FastifyRequest, reply: FastifyReply, type: PressureType, value: number) => {
    if (request.routeOptions.config.sheddable !== true) return undefined
    request.log.warn({ type, value }, 'shedding load')
    reply.header('retry-after', String(retryAfterSeconds))
    // A rejected promise fails the onRequest hook: our error handler answers.
    return Promise.reject(apiError(ErrorCode.OVERLOADED, `server under pressure (${type}); retry in ${retryAfterSeconds} s`))
  }

  // Every check off: no sampling timer, no per-request hook. A probe would never report pressure either,
  // so the early return saves work without changing any answer: nothing a test could tell apart.
  /* c8 ignore next -- an optimisation with no observable effect (see above) */
  if (maxEventLoopDelayMs === 0 && maxHeapUsedBytes === 0 && maxRssBytes === 0) return
  const probe = new PressureProbe({ maxEventLoopDelayMs, maxHeapUsedBytes, maxRssBytes })
  app.addHook('onClose', async () => probe.stop())
  app.addHook('onRequest', async (request, reply) => {
    const pressure = probe.pressure()
    if (pressure !== null) await pressureHandler(request, reply, pressure.type, pressure.value)
  })
}

export default fp(pressurePlugin, { name: 'pressure', fastify: '5.x' })
