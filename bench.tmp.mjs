import { buildApp } from './dist/src/app.js'
import { loadConfig } from './dist/src/config.js'
import WebSocket from 'ws'
import { mkdtempSync, rmSync } from 'node:fs'
const dir = mkdtempSync('/tmp/wsb-')
const cfg = loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: dir, AUTH: 'off', PORT: '0', RATE_LIMIT_ENABLED: 'false', WS_MAX_ORDERS_PER_SECOND: '10000000', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' })
const app = await buildApp(cfg, { logger: false })
await app.listen({ host: '127.0.0.1', port: 0 })
const url = `ws://127.0.0.1:${app.server.address().port}/ws`
const N = 60000, W = 200, C = 4
async function conn (c) {
  const ws = new WebSocket(url)
  await new Promise((r) => ws.once('message', r))
  let sent = 0, got = 0
  return new Promise((resolve) => {
    const send = () => { const i = sent++; ws.send(`{"type":"order.place","id":${i},"params":{"symbol":"BTC-USDT","side":"${i % 2 ? 'buy' : 'sell'}","order_type":"limit","quantity":"1","price":"${100 + (i % 3)}","response_type":"ack"}}`) }
    ws.on('message', (d) => { got++; if (sent < N / C) send(); if (got === N / C) { ws.close(); resolve() } })
    for (let i = 0; i < W; i++) send()
  })
}
const t0 = performance.now()
await Promise.all(Array.from({ length: C }, (_, c) => conn(c)))
const dt = performance.now() - t0
console.log(`${Math.round(N / dt * 1000)} orders/s`)
await app.close(); rmSync(dir, { recursive: true, force: true })
