/**
 * The load-shedding probe never throws from its timer: a sample that cannot
 * be taken (EMFILE reading /proc) is counted and the last values stand.
 */
import t from 'tap'
import { PressureProbe } from '../../plugins/pressure.js'

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
