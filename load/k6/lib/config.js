/* global __ENV */
// Environment helpers shared by every script. Every knob is an env var so the
// same files run unchanged from a laptop (`k6 run -e RATE=500 ...`) and from
// the compose k6 service (container env: BASE_URL, SUMMARY_DIR, ...).
// Pure JS, no k6 imports, so node can load it for quick sanity checks.

export function env (name, fallback) {
  const v = __ENV[name]
  return v === undefined || v === '' ? fallback : v
}

export function envInt (name, fallback) {
  const v = Number.parseInt(env(name, ''), 10)
  return Number.isFinite(v) ? v : fallback
}

export function envFloat (name, fallback) {
  const v = Number.parseFloat(env(name, ''))
  return Number.isFinite(v) ? v : fallback
}

// No trailing slash, so `${BASE_URL}/order` never becomes `//order`.
export const BASE_URL = env('BASE_URL', 'http://localhost:3000').replace(/\/+$/, '')

// ws://host:port/ws derived from BASE_URL (http -> ws, https -> wss) unless
// WS_URL is given explicitly (e.g. a separate market-data gateway).
export const WS_URL = env('WS_URL', `${BASE_URL.replace(/^http/, 'ws')}/ws`)

const UNIT_MS = { ms: 1, s: 1000, m: 60000, h: 3600000 }

// Parses k6-style durations ('30s', '1m30s', '500ms', '2h') into milliseconds.
// Needed where the script itself must time things (setTimeout in marketdata.js,
// phase boundaries in spike.js); executors get the original strings.
export function parseDuration (text) {
  const s = String(text).trim()
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000 // bare number = seconds
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g
  let total = 0
  let consumed = 0
  let m
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]]
    consumed += m[0].length
  }
  if (consumed === 0 || consumed !== s.length) throw new Error(`bad duration: ${text}`)
  return total
}

// Seconds -> k6 duration string; whole seconds, at least 1s, because
// executors reject a zero duration.
export function secs (n) {
  return `${Math.max(1, Math.round(n))}s`
}
