/**
 * The load-shedding probe never throws from its timer: a sample that cannot
 * be taken (EMFILE reading /proc) is counted and the last values stand.
 */
import t from 'tap'
import { connect } from 'node:net'
import { PressureProbe } from '../../plugins/pressure.js'
import { startServer } from '../helpers/server.js'

const emfile = () => { throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }) }

t.test('a failed sample is counted, not thrown, and keeps the last values', async (t) => {
  let rss: () => number = () => 5000
  const probe = new PressureProbe({ maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0, maxRssBytes: 4000 }, () => rss())
  t.teardown(() => probe.stop())
  t.equal(probe.pressure(), null, 'nothing sampled yet')
  probe.sample()
  t.same(probe.pressure(), { type: 'rssBytes', value: 5000 })
  rss = emfile
  t.doesNotThrow(() => probe.sample())
  t.equal(probe.failedSamples, 1)
  t.same(probe.pressure(), { type: 'rssBytes', value: 5000 }, 'the last good reading stands')
})

t.test('heap and event-loop limits', async (t) => {
  const probe = new PressureProbe({ maxEventLoopDelayMs: 1, maxHeapUsedBytes: 1, maxRssBytes: 0 }, emfile)
  t.teardown(() => probe.stop())
  probe.sample()
  // No event-loop turn was measured since the probe started: that counts as a blocked loop.
  t.equal(probe.pressure()?.type, 'eventLoopDelay')
  probe.eventLoopDelayMs = 0
  t.equal(probe.pressure()?.type, 'heapUsedBytes')
})

t.test('in process: connections over MAX_CONNECTIONS are closed on accept and logged once', async (t) => {
  const server = await startServer({ MAX_CONNECTIONS: '1' })
  t.teardown(() => server.close())
  const warnings: unknown[] = []
  t.teardown(() => { server.app.log.warn = original })
  const original = server.app.log.warn
  server.app.log.warn = ((obj: unknown) => { warnings.push(obj) }) as typeof original
  const { port } = new URL(server.url)
  const sockets = [0, 1, 2].map(() => connect(Number(port), '127.0.0.1').on('error', () => {}))
  t.teardown(() => { for (const socket of sockets) socket.destroy() })
  let closed = 0
  await new Promise<void>((resolve) => {
    for (const socket of sockets) socket.on('close', () => { if (++closed === 2) resolve() })
  })
  t.equal(closed, 2, 'two of three closed by the server')
  t.same(warnings, [{ maxConnections: 1, dropped: 1 }], 'one warning for the burst')
})
