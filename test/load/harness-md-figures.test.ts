/**
 * Issue 13's market-data figures without a server: the l2 subscribe messages (depth, interval round-robin),
 * the server's share read from GET /statistics → gateway (contract section 6) with "n/a" for what a server
 * does not report, the RSS thirds, and the block the summary prints.
 */
import t from 'tap'
import { subscribeMessages } from '../../load/harness/l2-subscription.js'
import { serverShare, serverShareText } from '../../load/harness/server-share.js'
import { marketDataFigures, marketDataText, rssThirds } from '../../load/harness/md-figures.js'
import type { ConsumerResult, LatencySummary, MonitorSample, PhaseResult } from '../../load/harness/types.js'

t.test('l2 subscriptions carry depth and an interval spread round-robin; nothing the probe dropped', async (t) => {
  const config = { channels: ['l2_updates', 'trades'], symbol: 'BTC-USDT', l2: { depth: 10, intervals: ['raw', '100ms', '1000ms'] } }
  const got = [0, 1, 2, 3].map((i) => subscribeMessages(config, i))
  t.same(got.map((g) => g.interval), ['raw', '100ms', '1000ms', 'raw'])
  t.same(got[1].messages, [
    { type: 'subscribe', channel: 'l2_updates', symbol: 'BTC-USDT', depth: 10, interval: '100ms' },
    { type: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' }
  ])
  const old = subscribeMessages({ ...config, l2: { depth: 10, intervals: [null] } }, 5)
  t.equal(old.interval, 'default')
  t.same(old.messages[0], { type: 'subscribe', channel: 'l2_updates', symbol: 'BTC-USDT', depth: 10 }, 'a server that refused interval gets none')
})

t.test('the server share: contract fields read, gauges peaked, counters as growth, missing ones n/a', async (t) => {
  const first = { conflated_messages: 5, resyncs: 1 }
  const samples = [
    { behind_subscribers: 3, max_buffered_bytes: 70000, conflated_messages: 10, resyncs: 1 },
    { behind_subscribers: 0, max_buffered_bytes: 1200, conflated_messages: 25, resyncs: 2, publish_to_write_ms: { count: 900, p50: 0.4, p99: 12.5, max: 40 } }
  ]
  const s = serverShare(first, samples)
  t.same(s.publishToWriteMs, { count: 900, p50: 0.4, p99: 12.5, max: 40 })
  t.same(s.behindSubscribers, { last: 0, peak: 3 })
  t.same(s.maxBufferedBytes, { last: 1200, peak: 70000 })
  t.equal(s.conflatedMessages, 20)
  t.equal(s.resyncs, 1)
  t.match(serverShareText(s), /publish→write p50 0.4 p99 12.5 max 40 ms \(900 messages\), behind_subscribers 0 \(peak 3\), conflated_messages 20, resyncs 1, max_buffered_bytes 1200 \(peak 70000\)/)
  // Today's server: a gateway object without any of issue 13's fields.
  const today = serverShare({ ws_connections: 20 }, [{ ws_connections: 20, messages_sent: 100 }])
  t.same(today, { publishToWriteMs: null, behindSubscribers: null, maxBufferedBytes: null, conflatedMessages: null, resyncs: null, samples: 1 })
  t.equal(serverShareText(today), 'publish→write n/a, behind_subscribers n/a, conflated_messages n/a, resyncs n/a, max_buffered_bytes n/a')
  t.equal(serverShareText(null), 'server side: n/a')
})

const sample = (rssMb: number | null): MonitorSample => ({ at: 0, cpuPct: 10, rssMb, hostCpuPct: null, hostIrqPct: null, harnessCpuPct: 0, eventLoopLagMs: null, eventLoopDelayP99Ms: null, eventLoopDelayMaxMs: null, wsConnections: null, sockets: null, others: {} })

t.test('RSS: mean of the first third against the last third, flat up to 1.1×', async (t) => {
  t.same(rssThirds({ monitor: [100, 102, 98, 101, 103, 99, 104, 105, 106].map(sample) }), { firstMb: 100, lastMb: 105, ratio: 1.05, flat: true, samples: 9 })
  t.equal(rssThirds({ monitor: [100, 100, 100, 130, 130, 130].map(sample) })?.flat, false, '1.3× is growing')
  t.equal(rssThirds({ monitor: [sample(100), sample(null)] }), null, 'too few samples')
})

const lat = (p99: number): LatencySummary => ({ count: 10, mean: 1, min: 0.5, p50: 1, p90: 2, p99, p999: p99, max: p99 })

t.test('one figure block per market-data phase, beside the bare ws broadcast', async (t) => {
  const consumers = (over: Partial<ConsumerResult>): ConsumerResult => ({
    consumers: 20,
    connected: 20,
    connectFailures: 0,
    connectMs: 5,
    messages: 1000,
    bytes: 1e5,
    windowS: 5,
    messagesPerSecond: 200,
    avgMessageBytes: 100,
    byType: {},
    seqGaps: 0,
    snapshots: 20,
    deltas: 800,
    tradesReceived: 50,
    unexpectedCloses: {},
    slowConsumerDisconnects: 0,
    errors: 0,
    checksumsVerified: 820,
    checksumMismatches: 0,
    unverified: 0,
    serverSendsChecksum: true,
    serverSendsPrevSeq: true,
    l2Resyncs: 2,
    tradeResyncs: 0,
    heartbeats: 100,
    acceptToReceipt: lat(4),
    l2ToReceipt: lat(3),
    l2ByInterval: { raw: { consumers: 10, l2ToReceipt: lat(2.5) }, '100ms': { consumers: 10, l2ToReceipt: lat(101) } },
    series: [],
    ...over
  })
  const base = { description: '', startedAt: 0, endedAt: 1, env: {}, http: null, gateway: null, notes: [] }
  const phases: PhaseResult[] = [
    { ...base, scenario: 'marketdata', name: 'md-50', target: 'service', consumers: consumers({}), monitor: [100, 100, 100].map(sample), subscription: { depth: 10, intervals: ['raw', '100ms'], note: '' }, serverShare: serverShare(null, [{ behind_subscribers: 0 }]) },
    { ...base, scenario: 'marketdata', name: 'bare-ws', target: 'bare-ws', consumers: consumers({ messagesPerSecond: 400 }), monitor: [] },
    { ...base, scenario: 'marketdata', name: 'md-old', target: 'service', consumers: consumers({ serverSendsChecksum: false, checksumsVerified: 0, l2ByInterval: { default: { consumers: 20, l2ToReceipt: lat(30) } } }), monitor: [] }
  ]
  const [md, old] = marketDataFigures(phases)
  t.equal(md.vsBare, 0.5)
  t.same(md.rawAcceptToReceipt, lat(2.5), 'the raw interval\'s figure')
  t.equal(md.checksumMismatches, 0)
  t.equal(md.rss?.flat, true)
  t.equal(old.checksumMismatches, null, 'no checksum from the server: n/a, not 0')
  t.equal(old.rawAcceptToReceipt, null)
  const text = marketDataText([md, old]).join('\n')
  t.match(text, /accept→receipt raw: p50 1 p99 2\.5 max 2\.5 ms \(10\)/)
  t.match(text, /accept→receipt 100ms: p50 1 p99 101/)
  t.match(text, /delivered 200 msg\/s; bare ws broadcast 400 msg\/s \(50\.0%\)/)
  t.match(text, /checksum mismatches 0 \(of 820 verified\), gaps 0 \(in 800 deltas\), resyncs l2 2 trades 0, heartbeats 100/)
  t.match(text, /server side: publish→write n\/a, behind_subscribers 0 \(peak 0\)/)
  t.match(text, /checksum mismatches n\/a \(of n\/a verified\)/)
  t.match(text, /server RSS: n\/a/)
})
