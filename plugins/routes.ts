/** The REST API: order entry, market data and each account's own data, encapsulated here. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import orderRoutes from './order-routes.js'
import marketRoutes from './market-routes.js'
import statsRoutes from './stats-routes.js'
import privateRoutes from './private-routes.js'
import adminRoutes from './admin-routes.js'

const routes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(orderRoutes)
  await app.register(marketRoutes)
  await app.register(statsRoutes)
  await app.register(privateRoutes)
  // The admin API exists only with AUTH=required (plugins/auth.ts holds its token and the master secret).
  if (app.adminAuth !== null) await app.register(adminRoutes)
}

export default routes
