/* global console */
// Market-data fan-out under trading load. Two scenarios in parallel:
//   consumers: CONSUMERS VUs, each holding one WebSocket on /ws subscribed to
//              l2_updates and trades for SYMBOL for the whole run;
//   orders:    ORDER_RATE orders/s on SYMBOL, priced in a narrow band around
//              the base price so buys and sells cross and trades happen.
// What it measures, per consumer connection:
//   - seq_gaps: l2 delta whose seq != previous + 1 after a snapshot (must be 0:
//     a gap means a client's book silently diverged);
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

const wsMessages = new Counter('ws_messages_received') // tagged type=<message type>
const seqGaps = new Counter('seq_gaps')
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
  PING_INTERVAL_MS < HOLD_MS ? { 'ws_messages_received{type:pong}': ['count>0'] } : {}),
  summaryTrendStats: SUMMARY_TREND_STATS
}

export function setup () {
  const data = setupRun(SCHEDULED, ORDER_RATE)
  // Unknown symbol or missing market-data routes: fail before opening sockets.
  const res = http.get(`${BASE_URL}/bbo/${SYMBOL}`, { tags: { name: 'GET /bbo/:symbol' } })
  if (res.status !== 200) exec.test.abort(`GET /bbo/${SYMBOL} answered ${res.status}`)
  return data
}

// Per-connection sequence tracking. Only deltas after a snapshot are judged:
// the snapshot fixes the baseline, each delta must be exactly previous + 1.
// After a gap we resync to the new seq so one hole counts once.
function trackSeq (state, msg) {
  const seq = Number(msg.seq)
  if (msg.kind === 'snapshot') {
    state.last[msg.symbol] = seq
    seqGaps.add(0) // makes the metric (and its threshold) visible even when clean
    return
  }
  const last = state.last[msg.symbol]
  if (last === undefined) return
  if (seq !== last + 1) {
    seqGaps.add(1)
    if (state.gapsLogged++ < 3) console.warn(`VU ${exec.vu.idInTest}: ${msg.symbol} seq gap: ${last} -> ${seq}`)
  }
  state.last[msg.symbol] = seq
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
    case 'l2_update': trackSeq(state, msg); break
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
  const state = { last: {}, gapsLogged: 0, pings: {}, nextPingId: 1, connected: false, acks: 0, heldFull: false, why: 'closed by the server' }
  let res = null
  try {
    res = ws.connect(WS_URL, { tags: { name: 'WS /ws' } }, function (socket) {
      socket.on('open', function () {
        for (const channel of ['l2_updates', 'trades']) {
          socket.send(JSON.stringify({ type: 'subscribe', channel, symbol: SYMBOL }))
        }
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
