/**
 * The harness's pass/fail rules (load/harness/checks.ts), the k6 thresholds' twins, on hand-made phases:
 * a phase that measured nothing, dropped arrivals, fell short of its rate or lost consumers fails.
 */
import t from 'tap'
import { evaluateChecks } from '../../load/harness/checks.js'
import type { ConsumerResult, HttpLoadResult, LatencySummary, PhaseResult } from '../../load/harness/types.js'

const latency: LatencySummary = { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 }

function http (over: Partial<HttpLoadResult>): HttpLoadResult {
  return {
    label: 'x',
    mode: 'rate',
    targetRate: 100,
    connections: 4,
    startedAt: 0,
    durationS: 2,
    sent: 200,
    completed: 200,
    dropped: 0,
    throughput: 100,
    okThroughput: 100,
    latency,
    serverProcessing: null,
    statusCodes: { 200: 200 },
    errors: {},
    errorCount: 0,
    ordersByStatus: {},
    tradesExecuted: 0,
    series: [],
    ...over
  }
}

function consumers (over: Partial<ConsumerResult>): ConsumerResult {
  return {
    consumers: 20,
    connected: 20,
    connectFailures: 0,
    connectMs: 10,
    messages: 500,
    bytes: 1e5,
    windowS: 2,
    messagesPerSecond: 250,
    avgMessageBytes: 200,
    byType: {},
    seqGaps: 0,
    snapshots: 20,
    deltas: 300,
    tradesReceived: 100,
    unexpectedCloses: {},
    slowConsumerDisconnects: 0,
    errors: 0,
    checksumsVerified: 320,
    checksumMismatches: 0,
    unverified: 0,
    serverSendsChecksum: true,
    serverSendsPrevSeq: true,
    l2Resyncs: 0,
    tradeResyncs: 0,
    heartbeats: 40,
    acceptToReceipt: latency,
    l2ToReceipt: latency,
    l2ByInterval: { raw: { consumers: 20, l2ToReceipt: latency } },
    series: [],
    ...over
  }
}

function phase (over: Partial<PhaseResult>): PhaseResult {
  return { scenario: 's', name: 'p', description: '', target: 'service', startedAt: 0, endedAt: 1, env: {}, http: null, consumers: null, monitor: [], gateway: null, notes: [], ...over }
}

const failed = (phases: PhaseResult[]): string[] => evaluateChecks(phases).filter((c) => !c.ok).map((c) => c.rule).sort()

t.test('a clean rate phase and a clean consumer phase pass every rule', async (t) => {
  const checks = evaluateChecks([phase({ http: http({}), consumers: consumers({}) })])
  t.same(checks.map((c) => c.rule).sort(), ['checksums', 'consumers-connected', 'consumers-lasted', 'delivered', 'dropped', 'errors', 'measured', 'messages', 'seq-gaps', 'ws-errors'])
  t.ok(checks.every((c) => c.ok), JSON.stringify(checks.filter((c) => !c.ok)))
})

t.test('a phase that measured nothing fails', async (t) => {
  t.same(failed([phase({ http: http({ sent: 200, completed: 0, statusCodes: {} }) })]), ['delivered', 'errors', 'measured'])
  t.same(failed([phase({ http: http({ mode: 'saturation', sent: 0, completed: 0, statusCodes: {} }) })]), ['errors', 'measured'], 'saturation too')
  t.same(failed([phase({ consumers: consumers({ messages: 0, deltas: 0, tradesReceived: 0 }) })]), ['messages'])
  t.same(failed([phase({ consumers: consumers({ tradesReceived: 0 }) })]), ['messages'], 'no trades reached the consumers')
})

t.test('a rate phase that dropped arrivals or delivered under 95% fails', async (t) => {
  t.same(failed([phase({ http: http({ sent: 190, dropped: 10, completed: 190, statusCodes: { 200: 190 } }) })]), ['dropped'])
  t.same(failed([phase({ http: http({ sent: 200, completed: 200, statusCodes: { 200: 189, 503: 11 }, errorCount: 11 }) })]), ['delivered', 'errors'])
  t.same(failed([phase({ http: http({ statusCodes: { 200: 199, 400: 1 }, errorCount: 1 }) })]), [], '0.5% errors, 99.5% delivered: passes')
})

t.test('consumers must all connect, all last, and see no error and no gap', async (t) => {
  t.same(failed([phase({ consumers: consumers({ connected: 19 }) })]), ['consumers-connected'])
  t.same(failed([phase({ consumers: consumers({ unexpectedCloses: { 1013: 3 } }) })]), ['consumers-lasted'], 'cut off before the end')
  t.same(failed([phase({ consumers: consumers({ errors: 1 }) })]), ['ws-errors'])
  t.same(failed([phase({ consumers: consumers({ seqGaps: 2 }) })]), ['seq-gaps'])
  t.same(failed([phase({ http: http({ mode: 'saturation' }), consumers: consumers({ unexpectedCloses: { 1013: 3 } }) })]), [],
    'at saturation the gateway may shed slow consumers')
  t.same(failed([phase({ target: 'bare-ws', consumers: consumers({ deltas: 0, tradesReceived: 0 }) })]), [], 'the bare ws baseline sends no book or trades')
})

t.test('a checksum mismatch fails the phase (issue 13); a server that sends no checksum has nothing to fail', async (t) => {
  t.same(failed([phase({ consumers: consumers({ checksumMismatches: 1 }) })]), ['checksums'])
  t.same(failed([phase({ consumers: consumers({ serverSendsChecksum: false, checksumsVerified: 0 }) })]), [])
})

t.test('an overload phase is judged on gaps, checksums, errors and connections, not on delivery', async (t) => {
  const flooded = http({ sent: 1000, dropped: 2000, completed: 900, statusCodes: { 200: 900 }, errorCount: 100 })
  t.same(failed([phase({ overload: true, http: flooded, consumers: consumers({ unexpectedCloses: { 1013: 3 } }) })]), [], 'dropped arrivals, timeouts and shed consumers are what overload means')
  t.same(failed([phase({ http: flooded, consumers: consumers({}) })]), ['delivered', 'dropped', 'errors'], 'the same figures fail a rate phase')
  t.same(failed([phase({ overload: true, http: flooded, consumers: consumers({ seqGaps: 1, checksumMismatches: 2 }) })]), ['checksums', 'seq-gaps'])
})

t.test('a lifecycle phase: expected refusals count as delivered, and an amend, an OCO list and a stop must have worked', async (t) => {
  const lifecycle = (over: Partial<HttpLoadResult>): HttpLoadResult => http({
    lifecycle: true,
    statusCodes: { 200: 180, 409: 20 },
    refused: { '/order STOP_WOULD_TRIGGER': 20 },
    refusedCount: 20,
    okByPath: { '/order': 160, '/oco': 5, '/amend': 15 },
    ordersByStatus: { pending: 100, untriggered: 12, filled: 68 },
    ...over
  })
  const checks = evaluateChecks([phase({ http: lifecycle({}) })])
  t.same(checks.map((c) => c.rule).sort(), ['delivered', 'dropped', 'errors', 'lifecycle', 'measured'])
  t.same(failed([phase({ http: lifecycle({}) })]), [], '180 accepted + 20 expected refusals of 200 scheduled: delivered')
  t.same(failed([phase({ http: lifecycle({ refused: {}, refusedCount: 0 }) })]), ['delivered'], 'without the refusals counted, 90% is short')
  t.same(failed([phase({ http: lifecycle({ okByPath: { '/order': 175, '/oco': 5 } }) })]), ['lifecycle'], 'no amend accepted')
  t.same(failed([phase({ http: lifecycle({ okByPath: { '/order': 165, '/amend': 15 } }) })]), ['lifecycle'], 'no OCO list accepted')
  t.same(failed([phase({ http: lifecycle({ ordersByStatus: { pending: 112, filled: 68 } }) })]), ['lifecycle'], 'no stop left untriggered')
  t.same(failed([phase({ http: http({}) })]), [], 'the seed flow has no lifecycle rule')
})
