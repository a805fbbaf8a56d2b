/* global console, setTimeout, clearTimeout, setInterval, clearInterval */
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
//     which shows gateway/event-loop backlog even when no trades flow.
// Needs k6 >= 1.6 for the stable `k6/websockets` module; on older k6 change
// the import to 'k6/experimental/websockets' (same API).
//
//   k6 run load/k6/marketdata.js
//   k6 run -e CONSUMERS=500 -e ORDER_RATE=1000 -e DURATION=2m load/k6/marketdata.js
import http from 'k6/http'
import exec from 'k6/execution'
import { WebSocket } from 'k6/websockets'
import { Counter, Rate, Trend } from 'k6/metrics'
import { BASE_URL, WS_URL, env, envFloat, envInt, parseDuration, secs } from './lib/config.js'
import {
  checkHealth, clientOrderId, latencyThresholds, submitOrder,
  MAX_FAILED_RATE, SUMMARY_TREND_STATS
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

const wsMessages = new Counter('ws_messages_received') // tagged type=<message type>
const seqGaps = new Counter('seq_gaps')
const acceptToReceipt = new Trend('accept_to_receipt_ms', true)
const pingRtt = new Trend('ws_ping_rtt_ms', true)
const subscribed = new Rate('ws_subscribe_ok') // connected + both subscriptions acked
const wsErrors = new Counter('ws_errors')

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
  thresholds: {
    seq_gaps: ['count==0'],
    ws_subscribe_ok: ['rate>0.99'],
    // Proves the crossing flow really traded and the trades reached consumers;
    // without it a silent feed would pass every other market-data threshold.
    'ws_messages_received{type:trade}': ['count>0'],
    accept_to_receipt_ms: [`p(95)<${ACCEPT_P95_MS}`, `p(99)<${ACCEPT_P99_MS}`],
    'http_req_failed{scenario:orders}': [`rate<${MAX_FAILED_RATE}`],
    'http_req_duration{scenario:orders}': latencyThresholds()
  },
  summaryTrendStats: SUMMARY_TREND_STATS
}

export function setup () {
  const info = checkHealth()
  // Unknown symbol or missing market-data routes: fail before opening sockets.
  const res = http.get(`${BASE_URL}/bbo/${SYMBOL}`, { tags: { name: 'GET /bbo/:symbol' } })
  if (res.status !== 200) exec.test.abort(`GET /bbo/${SYMBOL} answered ${res.status}`)
  return info
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

export function consume () {
  const ws = new WebSocket(WS_URL, null, { tags: { name: 'WS /ws' } })
  const state = { last: {}, gapsLogged: 0 }
  const pings = {} // ping id -> sent at (ms)
  let connected = false
  let acks = 0
  let nextPingId = 1
  let pingTimer = null
  let closeTimer = null
  let finished = false

  // Runs once per connection whichever way it ends (our close, server close,
  // error); clearing the timers lets the iteration, and so the VU, finish.
  const finish = () => {
    if (finished) return
    finished = true
    clearInterval(pingTimer)
    clearTimeout(closeTimer)
    subscribed.add(connected && acks >= 2)
  }

  ws.addEventListener('open', () => {
    for (const channel of ['l2_updates', 'trades']) {
      ws.send(JSON.stringify({ type: 'subscribe', channel, symbol: SYMBOL }))
    }
    pingTimer = setInterval(() => {
      if (ws.readyState !== 1) return // 1 = OPEN
      const id = nextPingId++
      pings[id] = Date.now()
      ws.send(JSON.stringify({ type: 'ping', id }))
    }, PING_INTERVAL_MS)
    closeTimer = setTimeout(() => { finish(); ws.close() }, HOLD_MS)
  })

  ws.addEventListener('message', (e) => {
    const now = Date.now()
    let msg
    try {
      msg = JSON.parse(e.data)
    } catch {
      wsMessages.add(1, { type: 'invalid_json' })
      return
    }
    wsMessages.add(1, { type: String(msg.type) })
    switch (msg.type) {
      case 'connected': connected = true; break
      case 'subscribed': acks++; break
      case 'l2_update': trackSeq(state, msg); break
      case 'trade':
        for (const t of Array.isArray(msg.data) ? msg.data : []) {
          const ts = Number(t.timestamp) // epoch seconds, float
          if (Number.isFinite(ts)) acceptToReceipt.add(now - ts * 1000)
        }
        break
      case 'pong':
        if (pings[msg.id] !== undefined) {
          pingRtt.add(now - pings[msg.id])
          delete pings[msg.id]
        }
        break
    }
  })

  ws.addEventListener('error', (e) => {
    wsErrors.add(1)
    console.error(`VU ${exec.vu.idInTest}: websocket error: ${e && e.error ? e.error : JSON.stringify(e)}`)
    finish()
  })
  ws.addEventListener('close', finish)
}

export function trade () {
  submitOrder(crossingOrder(SYMBOL, { band: CROSS_BAND, clientOrderId: clientOrderId() }))
}

export function handleSummary (data) {
  return summaryOutputs(data, 'marketdata')
}
