/**
 * The /ws market-data gateway: @fastify/websocket plus the hub. This file
 * owns the connection lifecycle (caps, heartbeat, shutdown); sessions own
 * the protocol; the hub owns batching and fan-out.
 */
import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import { randomUUID } from 'node:crypto'
import type { MarketDataHub } from '../src/gateway/market-data-hub.js'
import { CloseCode } from '../schemas/ws.js'
import type { Config } from '../src/config.js'
import { Session } from './ws-session.js'

export interface GatewayStats {
  connections: number
  subscriptions: number
  messages_sent: number
  deltas_published: number
  snapshots_sent: number
  slow_consumer_disconnects: number
  refused_connections: number
}

declare module 'fastify' {
  interface FastifyInstance {
    gateway: { hub: MarketDataHub, stats: () => GatewayStats }
  }
}

async function websocketPlugin (app: FastifyInstance, opts: { config: Config['ws'] }): Promise<void> {
  const limits = opts.config
  const hub = app.exchange.marketData
  const sessions = new Set<Session>()
  const perIp = new Map<string, number>()
  const counters = { slow: 0, refused: 0, sent: 0 }
  const context = {
    hub,
    limits,
    now: Date.now,
    onSlowConsumer: () => { counters.slow++ },
    onSent: () => { counters.sent++ }
  }

  await app.register(websocket, {
    options: { maxPayload: limits.maxPayload },
    preClose: (done) => {
      for (const session of sessions) session.close(CloseCode.GOING_AWAY, 'server shutting down')
      done()
    }
  })

  app.decorate('gateway', {
    hub,
    stats: (): GatewayStats => ({
      connections: sessions.size,
      subscriptions: [...sessions].reduce((sum, s) => sum + s.subscriptionCount, 0),
      messages_sent: counters.sent,
      deltas_published: hub.stats.deltasPublished,
      snapshots_sent: hub.stats.snapshotsSent,
      slow_consumer_disconnects: counters.slow,
      refused_connections: counters.refused
    })
  })

  // Heartbeat: a peer that did not answer the previous ping is gone; drop it.
  const heartbeat = setInterval(() => {
    for (const session of sessions) {
      if (!session.alive) session.terminate()
      else session.ping()
    }
  }, limits.heartbeatMs)
  heartbeat.unref()

  app.addHook('onClose', async () => { clearInterval(heartbeat) })

  app.get('/ws', { websocket: true }, (socket, request) => {
    const ip = request.ip
    const fromIp = perIp.get(ip) ?? 0
    if (sessions.size >= limits.maxConnections || fromIp >= limits.maxConnectionsPerIp) {
      counters.refused++
      socket.close(CloseCode.TRY_AGAIN_LATER, 'connection limit reached')
      return
    }
    const session = new Session(randomUUID(), socket, context)
    sessions.add(session)
    perIp.set(ip, fromIp + 1)
    // Handlers attach synchronously, before any await, so no frame is missed.
    socket.on('message', (data) => {
      try {
        session.handle(data as Buffer)
      } catch (error) {
        request.log.error({ err: error }, 'websocket message handling failed')
      }
    })
    socket.on('pong', () => { session.alive = true })
    socket.on('close', () => {
      session.closed = true
      hub.removeSubscriber(session)
      sessions.delete(session)
      const left = (perIp.get(ip) ?? 1) - 1
      if (left === 0) perIp.delete(ip)
      else perIp.set(ip, left)
    })
    socket.on('error', (error) => request.log.debug({ err: error }, 'websocket error'))
    session.reply({ type: 'connected', session_id: session.id, symbols: app.exchange.symbols })
  })
}

export default fp(websocketPlugin, { name: 'websocket', dependencies: ['exchange'], fastify: '5.x' })
