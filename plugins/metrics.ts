/**
 * Prometheus metrics at /metrics (prom-client, one registry per app so test
 * apps never share counters). Hot-path recording is a counter increment or a
 * histogram observe; per-symbol book figures are read at scrape time.
 */
import fp from 'fastify-plugin'
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { OrderObserver } from '../src/exchange/exchange.js'
import type { Config } from '../src/config.js'
import { ErrorCode } from '../schemas/errors.js'
import { apiError } from './http-errors.js'
import { HistogramTally, LabelledTally } from './metrics-tally.js'

export interface ServiceMetrics extends OrderObserver {
  readonly registry: Registry
  orderRejected (orderType: string, reason: string): void
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics
  }
}

/** Status codes as label text, made once: the hot path builds no string for them. */
const STATUS_TEXT: readonly string[] = Array.from({ length: 600 }, (_, code) => String(code))

async function metricsPlugin (app: FastifyInstance, opts: { config: Config['metrics'] }): Promise<void> {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })

  const httpDuration = new HistogramTally([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], ['method', 'route', 'status_code'])
  httpDuration.register(registry, 'http_request_duration_seconds', 'HTTP request duration by route and status')
  // Counted in plain numbers per order, handed to prom-client when scraped (metrics-tally.ts says why).
  const accepted = new LabelledTally(['symbol', 'order_type', 'status'])
  const refused = new LabelledTally(['order_type', 'reason'])
  const traded = new Map<string, number>()
  registry.registerMetric(new Counter({
    name: 'orders_accepted_total',
    help: 'Orders accepted by the engine, by symbol, type and resulting status',
    labelNames: ['symbol', 'order_type', 'status'],
    registers: [],
    collect () { accepted.copyTo(this) }
  }))
  registry.registerMetric(new Counter({
    name: 'orders_rejected_total',
    help: 'Order requests refused, by order type and error code',
    labelNames: ['order_type', 'reason'],
    registers: [],
    collect () { refused.copyTo(this) }
  }))
  registry.registerMetric(new Counter({
    name: 'trades_total',
    help: 'Trades executed',
    labelNames: ['symbol'],
    registers: [],
    collect () {
      this.reset()
      for (const [symbol, count] of traded) this.inc({ symbol }, count)
    }
  }))
  const matching = new HistogramTally([0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005])
  matching.register(registry, 'matching_latency_seconds', 'Time inside the engine for one order (validation and matching)')

  // Read at scrape time; registered explicitly since nothing else holds them.
  // Per-symbol figures from the exchange's own statistics; a symbol it cannot answer for (failed journal) is left out.
  const eachSymbol = async (use: (stats: { symbol: string, active_orders: number, bid_levels: number, ask_levels: number }) => void) => {
    for (const symbol of app.exchange.symbols) {
      const stats = await app.exchange.symbolStatistics(symbol)
      if (stats.ok) use(stats.value)
    }
  }
  registry.registerMetric(new Gauge({
    name: 'open_orders',
    help: 'Resting orders per symbol',
    labelNames: ['symbol'],
    registers: [],
    async collect () {
      await eachSymbol((stats) => this.set({ symbol: stats.symbol }, stats.active_orders))
    }
  }))
  registry.registerMetric(new Gauge({
    name: 'price_levels',
    help: 'Price levels per symbol and side',
    labelNames: ['symbol', 'side'],
    registers: [],
    async collect () {
      await eachSymbol((stats) => {
        this.set({ symbol: stats.symbol, side: 'buy' }, stats.bid_levels)
        this.set({ symbol: stats.symbol, side: 'sell' }, stats.ask_levels)
      })
    }
  }))
  const gateway = (key: 'connections' | 'subscriptions' | 'behind_subscribers' | 'max_buffered_bytes' | 'trading_in_flight') => function (this: Gauge) { this.set(app.gateway.stats()[key]) }
  registry.registerMetric(new Gauge({ name: 'ws_connections', help: 'Open WebSocket connections', registers: [], collect: gateway('connections') }))
  registry.registerMetric(new Gauge({ name: 'ws_subscriptions', help: 'Active WebSocket subscriptions', registers: [], collect: gateway('subscriptions') }))
  registry.registerMetric(new Gauge({ name: 'ws_behind_subscribers', help: 'Subscribers whose public market data is merged because they fell behind', registers: [], collect: gateway('behind_subscribers') }))
  registry.registerMetric(new Gauge({ name: 'ws_trading_in_flight', help: 'order.* requests received over /ws and not yet answered', registers: [], collect: gateway('trading_in_flight') }))
  registry.registerMetric(new Gauge({ name: 'ws_max_buffered_bytes', help: 'The most unsent bytes one WebSocket connection holds', registers: [], collect: gateway('max_buffered_bytes') }))
  registry.registerMetric(new Gauge({
    name: 'ws_publish_to_write_ms',
    help: 'Engine time of the newest command a public message reflects to the socket write (recent window)',
    labelNames: ['quantile'],
    registers: [],
    collect () {
      const { p50, p99, max } = app.gateway.stats().publish_to_write_ms
      this.set({ quantile: '0.5' }, p50)
      this.set({ quantile: '0.99' }, p99)
      this.set({ quantile: '1' }, max)
    }
  }))
  // Monotonic figures the gateway already counts: exposed as counters read at scrape time.
  const fromGateway = (name: string, help: string, key: 'messages_sent' | 'slow_consumer_disconnects' | 'conflated_messages' | 'resyncs' | 'trading_requests' | 'cancel_on_disconnect_fired' | 'cancel_after_fired') => registry.registerMetric(new Counter({
    name,
    help,
    registers: [],
    collect () {
      this.reset()
      this.inc(app.gateway.stats()[key])
    }
  }))
  fromGateway('ws_messages_sent_total', 'WebSocket messages sent', 'messages_sent')
  fromGateway('ws_slow_consumer_disconnects_total', 'WebSocket connections closed as slow consumers', 'slow_consumer_disconnects')
  fromGateway('ws_conflated_messages_total', 'Public messages merged for subscribers that fell behind', 'conflated_messages')
  fromGateway('ws_resyncs_total', 'Resync messages sent to subscribers owed more than their bound', 'resyncs')
  fromGateway('ws_trading_requests_total', 'order.* requests received over /ws', 'trading_requests')
  fromGateway('ws_cancel_on_disconnect_total', 'Connections with cancel_on_disconnect that ended (one cancel_all each)', 'cancel_on_disconnect_fired')
  fromGateway('ws_cancel_after_fired_total', 'Dead-man\'s switches (order.cancel_after) that ran out (one cancel_all each)', 'cancel_after_fired')

  const serviceMetrics: ServiceMetrics = {
    registry,
    orderAccepted (symbol, orderType, status, tradeCount, matchingSeconds) {
      accepted.add(symbol, orderType, status)
      if (tradeCount > 0) traded.set(symbol, (traded.get(symbol) ?? 0) + tradeCount)
      matching.observe(matchingSeconds)
    },
    orderRejected (orderType, reason) {
      refused.add(orderType, reason)
    }
  }
  app.decorate('metrics', serviceMetrics)
  app.exchange.observe(serviceMetrics)

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'not_found'
    httpDuration.observe(reply.elapsedTime / 1000, request.method, route, STATUS_TEXT[reply.statusCode] ?? String(reply.statusCode))
  })

  const checkAccess = accessCheck(opts.config)
  app.get('/metrics', { onRequest: async (request) => checkAccess(request) }, async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
}

/**
 * Who may read /metrics: with METRICS_TOKEN, a request carrying
 * `Authorization: Bearer <token>` (compared in constant time, as SHA-256
 * digests so the length leaks nothing either); without one, everyone if
 * METRICS_PUBLIC=true and no one otherwise (403 naming both settings).
 */
function accessCheck (config: Config['metrics']): (request: FastifyRequest) => void {
  if (config.token === '') {
    return (request) => {
      if (config.public) return
      request.log.debug('metrics refused: neither METRICS_TOKEN nor METRICS_PUBLIC is set')
      throw apiError(ErrorCode.FORBIDDEN, '/metrics is closed: the operator sets METRICS_TOKEN (a bearer token) or METRICS_PUBLIC=true')
    }
  }
  const digest = (text: string) => createHash('sha256').update(text).digest()
  const expected = digest(config.token)
  return (request) => {
    const header = request.headers.authorization ?? ''
    const match = /^Bearer +(\S+) *$/i.exec(header)
    if (match !== null && timingSafeEqual(digest(match[1]), expected)) return
    const error = apiError(ErrorCode.UNAUTHORIZED, '/metrics needs the header Authorization: Bearer <METRICS_TOKEN>')
    error.headers = { 'www-authenticate': 'Bearer realm="metrics"' }
    throw error
  }
}

export default fp(metricsPlugin, { name: 'metrics', dependencies: ['exchange', 'websocket'], fastify: '5.x' })
