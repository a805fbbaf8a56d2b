/** The REST API: order entry and market data, both encapsulated here. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import orderRoutes from './order-routes.js'
import marketRoutes from './market-routes.js'
import adminRoutes from './admin-routes.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(orderRoutes)
  await app.register(marketRoutes)
  // The admin API exists only with AUTH=required (plugins/auth.ts holds its token and the master secret).
  if (app.adminAuth !== null) await app.register(adminRoutes)
}

export default routes
