/** Serves the trading page from static/ (no CDN: every asset is local). */
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

async function staticPlugin (app: FastifyInstance, opts: { root: string }): Promise<void> {
  await app.register(fastifyStatic, { root: opts.root, prefix: '/', index: ['index.html'], wildcard: false })
}

export default fp(staticPlugin, { name: 'static', fastify: '5.x' })
