/** The REST API: order entry, market data and each account's own data, encapsulated here. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import orderRoutes from './order-routes.js'
import marketRoutes from './market-routes.js'
import privateRoutes from './private-routes.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(orderRoutes)
  await app.register(marketRoutes)
  await app.register(privateRoutes)
}

export default routes
