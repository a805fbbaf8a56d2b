/** Serves the trading page from static/ (no CDN: every asset is local, the chart library included). */
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'

/**
 * TradingView's lightweight-charts as one ES module: 5.x, the maintained major, whose standalone
 * .mjs build bundles its only dependency (fancy-canvas), so the page's plain ES modules import it
 * as is (4.x's standalone build is a script that sets a global instead).
 */
const CHARTS_DIR = join(dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')), 'dist')
const CHARTS_FILE = 'lightweight-charts.standalone.production.mjs'

async function staticPlugin (app: FastifyInstance, opts: { root: string }): Promise<void> {
  await app.register(fastifyStatic, { root: opts.root, prefix: '/', index: ['index.html'], wildcard: false })
  app.get('/vendor/lightweight-charts.mjs', { schema: { hide: true } }, (_request, reply) =>
    reply.sendFile(CHARTS_FILE, CHARTS_DIR))
}

export default fp(staticPlugin, { name: 'static', fastify: '5.x' })
