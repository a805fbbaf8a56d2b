/**
 * CONTRACT PLACEHOLDER (replaced by the auth change): gives every request
 * the anonymous caller, as AUTH=off will.
 */
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { ANONYMOUS_ACCOUNT, type Caller } from '../src/exchange/exchange.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The account a private route acts for: set by the auth hook before validation. */
    caller: Caller
  }
}

const anonymous: Caller = Object.freeze({ accountId: ANONYMOUS_ACCOUNT })

async function authPlugin (app: FastifyInstance): Promise<void> {
  app.decorateRequest('caller', null as unknown as Caller)
  app.addHook('onRequest', async (request) => { request.caller = anonymous })
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['exchange'] })
