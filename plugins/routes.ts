/** The REST API: order entry and market data, both encapsulated here. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import orderRoutes from './order-routes.js'
import marketRoutes from './market-routes.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(orderRoutes)
  await app.register(marketRoutes)
}

export default routes
