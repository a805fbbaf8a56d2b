// The hot path's tallies print exactly what prom-client's own Counter and
// Histogram print for the same observations: prom-client is the reference.
import t from 'tap'
import { Counter, Histogram, Registry } from 'prom-client'
import { HistogramTally, LabelledTally } from '../../plugins/metrics-tally.js'

/** The exposition's lines in sorted order: Prometheus reads series in any order. */
const lines = async (registry: Registry) => (await registry.metrics()).split('\n').sort()

const BOUNDS = [0.001, 0.01, 0.1, 1]
const SAMPLES: Array<[number, string, string, string]> = [
  [0.0005, 'POST', '/order', '200'], [0.001, 'POST', '/order', '200'], [0.05, 'POST', '/order', '200'], [5, 'POST', '/order', '200'],
  [0.02, 'GET', '/book/:symbol', '200'], [0.3, 'POST', '/order', '429'], [0.001, 'GET', '/book/:symbol', '200']
]

t.test('a labelled histogram tally prints as prom-client\'s Histogram does', async (t) => {
  const reference = new Registry()
  const histogram = new Histogram({ name: 'h', help: 'help text', labelNames: ['method', 'route', 'status_code'], buckets: BOUNDS, registers: [reference] })
  const ours = new Registry()
  const tally = new HistogramTally(BOUNDS, ['method', 'route', 'status_code'])
  tally.register(ours, 'h', 'help text')
  t.equal(await ours.metrics(), await reference.metrics(), 'nothing observed')
  for (const [value, method, route, status] of SAMPLES) {
    histogram.observe({ method, route, status_code: status }, value)
    tally.observe(value, method, route, status)
  }
  t.same(await lines(ours), await lines(reference))
})

t.test('an unlabelled histogram tally, bounds given in any order', async (t) => {
  const reference = new Registry()
  const histogram = new Histogram({ name: 'm', help: 'matching', buckets: BOUNDS, registers: [reference] })
  const ours = new Registry()
  const tally = new HistogramTally([...BOUNDS].reverse())
  tally.register(ours, 'm', 'matching')
  t.equal(await ours.metrics(), await reference.metrics(), 'nothing observed: one series of zeros')
  for (const [value] of SAMPLES) {
    histogram.observe(value)
    tally.observe(value)
  }
  t.equal(await ours.metrics(), await reference.metrics())
})

t.test('labelled tallies of two and three labels set counters to prom-client\'s own counts', async (t) => {
  const reference = new Registry()
  const three = new Counter({ name: 'c3', help: 'three', labelNames: ['a', 'b', 'c'], registers: [reference] })
  const two = new Counter({ name: 'c2', help: 'two', labelNames: ['a', 'b'], registers: [reference] })
  const ours = new Registry()
  const tally3 = new LabelledTally(['a', 'b', 'c'])
  const tally2 = new LabelledTally(['a', 'b'])
  ours.registerMetric(new Counter({ name: 'c3', help: 'three', labelNames: ['a', 'b', 'c'], registers: [], collect () { tally3.copyTo(this) } }))
  ours.registerMetric(new Counter({ name: 'c2', help: 'two', labelNames: ['a', 'b'], registers: [], collect () { tally2.copyTo(this) } }))
  for (const [a, b, c, n] of [['x', 'y', 'z', 1], ['x', 'y', 'z', 2], ['x', 'q', 'z', 1], ['w', 'y', 'v', 4]] as const) {
    three.inc({ a, b, c }, n)
    tally3.add(a, b, c, n)
    two.inc({ a, b }, n)
    tally2.add(a, b, undefined, n)
  }
  tally2.add('x', 'y')
  two.inc({ a: 'x', b: 'y' })
  t.equal(await ours.metrics(), await reference.metrics())
  // A second scrape counts from the tally again, not on top of the first.
  t.equal(await ours.metrics(), await reference.metrics())
})
