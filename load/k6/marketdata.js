/* global console */
// Market-data fan-out under trading load. Two scenarios in parallel:
//   consumers: CONSUMERS VUs, each holding one WebSocket on /ws subscribed to
//              l2_updates (DEPTH, and an interval from INTERVALS, round-robin
//              by VU: raw, 100ms, 1000ms) and trades for SYMBOL for the whole run;
//   orders:    ORDER_RATE orders/s on SYMBOL, priced in a narrow band around
//              the base price so buys and sells cross and trades happen.
// What it measures, per consumer connection:
//   - seq_gaps: l2 delta whose prev_seq is past the seq the consumer holds (one
//     not past it is dropped; a server before issue 13 sends no prev_seq:
//     seq != previous + 1). Must be 0:
//     a gap means a client's book silently diverged;
//   - checksum_mismatches / checksums_verified: after applying each snapshot,
//     delta or resync to its own book, the consumer's CRC-32 of the top 10
//     levels (lib/checksum.js) against the message's checksum. Must be 0 / > 0;
//   - l2_accept_to_receipt_ms{interval}: now - the l2 message's timestamp (the
//     engine time of the newest command it reflects), per interval;
//   - resyncs_received{channel}: server-pushed resyncs (a fresh snapshot, or a
//     dropped trade tail) after the server had to drop messages;
//   - accept_to_receipt_ms: now - trade.timestamp (engine accept time) for every
//     trade received, i.e. matching + publish + fan-out latency. Assumes the
//     k6 and engine clocks agree (same host or NTP);
//   - ws_ping_rtt_ms: application-level {type:"ping"} -> {type:"pong"} time,
//     which shows gateway/event-loop backlog even when no trades flow;
//   - ws_consumers_full: consumers that held their connection for the whole
//     run (closed by the script, not cut off by the server or an error).
// Uses k6/ws, the WebSocket module every k6 from 0.48 on has (and k6 2.x
// still has): its socket.setTimeout/setInterval need neither the global timers
// (k6 >= 0.50) nor k6/experimental/websockets (deprecated from 1.6) or
// k6/websockets (1.6 and later).
//
//   k6 run load/k6/marketdata.js
//   k6 run -e CONSUMERS=500 -e ORDER_RATE=1000 -e DURATION=2m load/k6/marketdata.js
import http from 'k6/http'
import exec from 'k6/execution'
import ws from 'k6/ws'
import { Counter, Rate, Trend } from 'k6/metrics'
import { BASE_URL, WS_URL, env, envFloat, envInt, parseDuration, secs } from './lib/config.js'
import {
  clientOrderId, deliveryThreshold, latencyThresholds, setupRun, submitOrder,
  MAX_DROPPED, MAX_FAILED_RATE, SUMMARY_TREND_STATS
} from './lib/api.js'
import { crossingOrder } from './lib/orders.js'
import { applyDelta, loadBook, newBook, trimAndChecksum } from './lib/checksum.js'
import { summaryOutputs } from './lib/summary.js'

const SYMBOL = env('SYMBOL', 'BTC-USDT')
const CONSUMERS = envInt('CONSUMERS', 100)
const ORDER_RATE = envInt('ORDER_RATE', 200)
const DURATION = env('DURATION', '60s')
// Orders start only after every consumer has had time to connect and get its
// snapshot, so early trades are not missed and seq tracking starts clean.
const CONNECT_GRACE = env('CONNECT_GRACE', '5s')
const DRAIN_MS = 3000 // keep listening after the last order for in-flight messages
const HOLD_MS = parseDuration(CONNECT_GRACE) + parseDuration(DURATION) + DRAIN_MS
const PING_INTERVAL_MS = parseDuration(env('PING_INTERVAL', '5s'))
const CROSS_BAND = envFloat('CROSS_BAND', 0.002) // ±0.2% around the base price
const ACCEPT_P95_MS = envFloat('ACCEPT_P95_MS', 100)
const ACCEPT_P99_MS = envFloat('ACCEPT_P99_MS', 250)
const SCHEDULED = Math.round(ORDER_RATE * parseDuration(DURATION) / 1000)
// Issue 13: each VU subscribes l2_updates with one of INTERVALS (round-robin by VU id) at DEPTH; 'none'
// leaves the field out (a server before issue 13 refuses `interval`).
const INTERVAL_NAMES = ['raw', '100ms', '1000ms']
const INTERVAL_MS = { raw: 0, '100ms': 100, '1000ms': 1000 }
const INTERVALS = env('INTERVALS', 'raw,100ms,1000ms') === 'none' ? [] : env('INTERVALS', 'raw,100ms,1000ms').split(',').map(function (s) { return s.trim() })
for (const name of INTERVALS) {
  if (INTERVAL_NAMES.indexOf(name) < 0) throw new Error(`INTERVALS: unknown interval '${name}' (raw, 100ms, 1000ms or none)`)
}
const DEPTH_TEXT = env('DEPTH', '10')
const DEPTH = DEPTH_TEXT === 'none' ? null : DEPTH_TEXT === 'full' ? 'full' : envInt('DEPTH', 10)
// A run that verified no checksum (a server that sends none) fails unless this is false.
const REQUIRE_CHECKSUM = env('REQUIRE_CHECKSUM', 'true') !== 'false'

const wsMessages = new Counter('ws_messages_received') // tagged type=<message type>
const seqGaps = new Counter('seq_gaps')
const checksumMismatches = new Counter('checksum_mismatches')
const checksumsVerified = new Counter('checksums_verified')
const resyncs = new Counter('resyncs_received') // tagged channel=l2_updates|trades
const l2AcceptToReceipt = new Trend('l2_accept_to_receipt_ms', true) // tagged interval
const acceptToReceipt = new Trend('accept_to_receipt_ms', true)
const pingRtt = new Trend('ws_ping_rtt_ms', true)
const subscribed = new Rate('ws_subscribe_ok') // connected + both subscriptions acked
const wsErrors = new Counter('ws_errors') // error events and failed upgrades
const consumersFull = new Counter('ws_consumers_full') // held the connection for the whole run
const consumersCut = new Counter('ws_consumers_cut') // ended early: server close, error, failed connect

export const options = {
  scenarios: {
    consumers: {
      executor: 'per-vu-iterations', // one long-lived connection per VU
      exec: 'consume',
      vus: CONSUMERS,
      iterations: 1,
      maxDuration: secs(HOLD_MS / 1000 + 30), // connect time + slack, then k6 cuts it
      gracefulStop: '5s'
    },
    orders: {
      executor: 'constant-arrival-rate',
      exec: 'trade',
      startTime: CONNECT_GRACE,
      rate: ORDER_RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: envInt('PRE_ALLOCATED_VUS', Math.max(10, Math.ceil(ORDER_RATE / 10))),
      maxVUs: envInt('MAX_VUS', Math.max(50, ORDER_RATE)),
      gracefulStop: '5s'
    }
  },
  // Every rule must also fail a run that measured nothing: counters with no
  // samples have count 0, while an empty trend passes its percentile limits.
  thresholds: Object.assign({
    seq_gaps: ['count==0'],
    checksum_mismatches: ['count==0'],
    ws_errors: ['count==0'],
    ws_subscribe_ok: ['rate>0.99'],
    // Every consumer lasted to the end: a feed that cut consumers off after
    // 3 s of 15 fails here even if the first seconds looked fine.
    ws_consumers_full: [`count>=${CONSUMERS}`],
    ws_consumers_cut: ['count==0'],
    // Proves the crossing flow really traded and the trades and book deltas
    // reached consumers; without them a silent feed would pass the rest.
    'ws_messages_received{type:trade}': ['count>0'],
    'ws_messages_received{type:l2_update}': ['count>0'],
    accept_to_receipt_ms: [`p(95)<${ACCEPT_P95_MS}`, `p(99)<${ACCEPT_P99_MS}`],
    'http_req_failed{scenario:orders}': [`rate<${MAX_FAILED_RATE}`],
    'http_req_duration{scenario:orders}': latencyThresholds(),
    dropped_iterations: [`count<=${MAX_DROPPED}`]
  }, deliveryThreshold(SCHEDULED, '{scenario:orders}'),
  PING_INTERVAL_MS < HOLD_MS ? { 'ws_messages_received{type:pong}': ['count>0'] } : {},
  REQUIRE_CHECKSUM ? { checksums_verified: ['count>0'] } : {},
  intervalThresholds()),
  summaryTrendStats: SUMMARY_TREND_STATS
}

export function setup () {
  const data = setupRun(SCHEDULED, ORDER_RATE)
  // Unknown symbol or missing market-data routes: fail before opening sockets.
  const res = http.get(`${BASE_URL}/bbo/${SYMBOL}`, { tags: { name: 'GET /bbo/:symbol' } })
  if (res.status !== 200) exec.test.abort(`GET /bbo/${SYMBOL} answered ${res.status}`)
  return data
}

// Per interval: the l2 latency trend, allowed ACCEPT_P99_MS plus the interval's window (a 1000ms delta
// waits up to a second by design); a threshold is also what makes k6 print a tagged submetric.
function intervalThresholds () {
  const out = {}
  for (const name of INTERVALS) out[`l2_accept_to_receipt_ms{interval:${name}}`] = [`p(99)<${ACCEPT_P99_MS + INTERVAL_MS[name]}`]
  return out
}

// This VU's l2 subscribe message.
function l2Subscribe (interval) {
  const msg = { type: 'subscribe', channel: 'l2_updates', symbol: SYMBOL }
  if (DEPTH !== null) msg.depth = DEPTH
  if (interval !== null) msg.interval = interval
  return msg
}

// One l2 message (snapshot, delta or resync), verified as the contract asks a client to: a delta's prev_seq
// must be the seq the consumer holds (after a snapshot); every message's checksum must equal the CRC-32 of
// the consumer's own book once the message is applied. After a mismatch the book is known wrong: it is not
// judged again until a snapshot or resync replaces it, so one divergence counts once.
function onL2 (state, msg, now) {
  const seq = Number(msg.seq)
  if (msg.kind === 'snapshot' || msg.type === 'resync') {
    if (msg.type === 'resync') resyncs.add(1, { channel: 'l2_updates' })
    loadBook(state.book, msg.bids, msg.asks)
    state.depth = typeof msg.depth === 'number' ? msg.depth : (typeof DEPTH === 'number' ? DEPTH : 0)
    state.synced = true
    state.broken = false
    seqGaps.add(0) // makes the metrics (and their thresholds) visible even when clean
    checksumMismatches.add(0)
  } else if (state.synced) {
    // Not past the held seq: already in the book (a merged interval delta right after a snapshot).
    if (typeof msg.prev_seq === 'number' && seq <= state.seq) return
    // prev_seq may be earlier than the held seq only for the first merged delta after a snapshot.
    const chained = typeof msg.prev_seq === 'number' ? msg.prev_seq <= state.seq : seq === state.seq + 1
    if (!chained) {
      seqGaps.add(1)
      if (state.gapsLogged++ < 3) console.warn(`VU ${exec.vu.idInTest}: ${msg.symbol} seq gap: held ${state.seq}, delta ${msg.prev_seq} -> ${seq}`)
    }
    applyDelta(state.book, msg.bids, msg.asks)
  } else {
    return // a delta before any snapshot: nothing to apply it to
  }
  state.seq = seq
  if (typeof msg.checksum === 'number' && !state.broken) {
    const mine = trimAndChecksum(state.book, state.depth)
    checksumsVerified.add(1)
    if (mine !== msg.checksum) {
      checksumMismatches.add(1)
      state.broken = true
      if (state.mismatchesLogged++ < 3) console.warn(`VU ${exec.vu.idInTest}: ${msg.symbol} checksum ${msg.checksum} at seq ${seq}, own book ${mine}`)
    }
  }
  const ts = Number(msg.timestamp)
  if (msg.kind !== 'snapshot' && Number.isFinite(ts)) l2AcceptToReceipt.add(now - ts * 1000, { interval: state.interval })
}

function handleMessage (state, raw) {
  const now = Date.now()
  let msg
  try {
    msg = JSON.parse(raw)
  } catch (error) { // a binding: k6 before 0.53 cannot parse `catch {`
    wsMessages.add(1, { type: 'invalid_json' })
    return
  }
  wsMessages.add(1, { type: String(msg.type) })
  switch (msg.type) {
    case 'connected': state.connected = true; break
    case 'subscribed': state.acks++; break
    case 'l2_update': onL2(state, msg, now); break
    case 'resync':
      if (msg.channel === 'l2_updates') onL2(state, msg, now)
      else resyncs.add(1, { channel: String(msg.channel) })
      break
    case 'trade':
      for (const t of Array.isArray(msg.data) ? msg.data : []) {
        const ts = Number(t.timestamp) // epoch seconds, float
        if (Number.isFinite(ts)) acceptToReceipt.add(now - ts * 1000)
      }
      break
    case 'pong':
      if (state.pings[msg.id] !== undefined) {
        pingRtt.add(now - state.pings[msg.id])
        delete state.pings[msg.id]
      }
      break
  }
}

// One consumer: connect, subscribe, hold the socket for HOLD_MS, then close it.
// ws.connect() returns when the socket has closed, whoever closed it.
export function consume () {
  const interval = INTERVALS.length === 0 ? null : INTERVALS[(exec.vu.idInTest - 1) % INTERVALS.length]
  const state = {
    interval: interval === null ? 'default' : interval,
    book: newBook(),
    depth: 0,
    seq: 0,
    synced: false,
    broken: false,
    gapsLogged: 0,
    mismatchesLogged: 0,
    pings: {},
    nextPingId: 1,
    connected: false,
    acks: 0,
    heldFull: false,
    why: 'closed by the server'
  }
  let res = null
  try {
    res = ws.connect(WS_URL, { tags: { name: 'WS /ws' } }, function (socket) {
      socket.on('open', function () {
        socket.send(JSON.stringify(l2Subscribe(interval)))
        socket.send(JSON.stringify({ type: 'subscribe', channel: 'trades', symbol: SYMBOL }))
        socket.setInterval(function () {
          const id = state.nextPingId++
          state.pings[id] = Date.now()
          socket.send(JSON.stringify({ type: 'ping', id }))
        }, PING_INTERVAL_MS)
        socket.setTimeout(function () {
          state.heldFull = true
          socket.close()
        }, HOLD_MS)
      })
      socket.on('message', function (raw) { handleMessage(state, raw) })
      socket.on('error', function (e) {
        wsErrors.add(1)
        state.why = `error: ${e && typeof e.error === 'function' ? e.error() : JSON.stringify(e)}`
      })
    })
  } catch (error) {
    state.why = `connect failed: ${error}`
  }
  const upgraded = res !== null && res !== undefined && res.status === 101
  if (!upgraded) {
    wsErrors.add(1)
    if (state.why === 'closed by the server') state.why = `upgrade answered ${res ? res.status : 'nothing'}`
  }
  subscribed.add(upgraded && state.connected && state.acks >= 2)
  consumersFull.add(state.heldFull ? 1 : 0) // 0 too, so the metric and its threshold always exist
  consumersCut.add(state.heldFull ? 0 : 1)
  if (!state.heldFull) console.warn(`VU ${exec.vu.idInTest}: consumer ended before ${HOLD_MS} ms: ${state.why}`)
}

export function trade (data) {
  submitOrder(crossingOrder(SYMBOL, { band: CROSS_BAND, clientOrderId: clientOrderId(data.runId) }))
}

export function handleSummary (data) {
  return summaryOutputs(data, 'marketdata')
}
