/**
 * Adapts the application service to Fastify: builds the in-process exchange
 * (engine, journal, market data, statistics) from config, decorates the
 * instance with it and closes it with the app. Every route and the gateway
 * go through `app.exchange` for everything the exchange owns.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Exchange } from '../src/exchange/exchange.js'
import { LocalExchange } from '../src/exchange/local-exchange.js'
import type { Config } from '../src/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    exchange: Exchange
  }
}

export interface ExchangePluginOptions {
  readonly config: Config
  /** Injected in tests for determinism; the real clock otherwise. */
  readonly clock?: () => number
}

async function exchangePlugin (app: FastifyInstance, opts: ExchangePluginOptions): Promise<void> {
  const { config } = opts
  const exchange = new LocalExchange({
    engine: config.engine,
    journal: config.journal,
    batchMs: config.ws.batchMs,
    conflateBytes: config.ws.conflateBytes,
    tradeTail: config.ws.tradeTail,
    maxBookLevels: config.ws.maxDepth,
    l3MaxOrders: config.ws.l3MaxOrders,
    maxTradesInAnswer: config.maxTradesInAnswer,
    log: app.log,
    clock: opts.clock
  })
  app.decorate('exchange', exchange)
  app.addHook('onClose', async () => { await exchange.close() })
}

export default fp(exchangePlugin, { name: 'exchange', fastify: '5.x' })
