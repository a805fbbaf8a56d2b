/* global __ENV */
// handleSummary helper: full summary JSON to SUMMARY_DIR plus a compact text
// summary on stdout. Written here instead of importing textSummary from
// jslib.k6.io because runs must work offline (CI, air-gapped load boxes).
//
// k6 hands handleSummary one of two shapes, and this copes with both:
//   legacy (k6 < 2 default):  data.metrics = { name: { type, values, thresholds } }
//   machine-readable v1 (k6 >= 1.5 with --new-machine-readable-summary, default
//   in k6 2): data.results.metrics = [{ name, type, values }], data.results.passed
// k6 does not create directories, and a file it cannot write costs only an
// error line: its exit code follows the thresholds alone. load/k6/run.sh
// makes the directory first and fails the run when the file did not appear.

const NOISE = /^(http_req_(blocked|connecting|tls_handshaking|sending|waiting|receiving)|data_(sent|received)|iteration_duration|vus|vus_max)$/

function metricMap (data) {
  if (data && data.metrics && !Array.isArray(data.metrics)) return data.metrics
  const out = {}
  const results = (data && data.results) || {}
  const checkMetrics = (results.checks && results.checks.metrics) || []
  // Schema says array; the published example has an object keyed by role.
  const extra = Array.isArray(checkMetrics) ? checkMetrics : Object.values(checkMetrics)
  for (const m of (results.metrics || []).concat(extra)) out[m.name] = m
  return out
}

function num (v, digits = 2) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-'
}

function describe (m) {
  const v = m.values || {}
  switch (m.type) {
    case 'trend': {
      const unit = m.contains === 'time' ? 'ms' : ''
      const keys = ['avg', 'med', 'p(95)', 'p(99)', 'max'].filter((k) => k in v)
      return keys.map((k) => `${k}=${num(v[k])}${unit}`).join(' ') + (v.count !== undefined ? ` n=${v.count}` : '')
    }
    case 'counter':
      return `${v.count} (${num(v.rate)}/s)`
    case 'rate': {
      const passes = v.passes || 0
      const fails = v.fails || 0
      return `${num((v.rate || 0) * 100)}% (${passes} of ${passes + fails})`
    }
    case 'gauge':
      return `${v.value} min=${v.min} max=${v.max}`
    default:
      return JSON.stringify(v)
  }
}

export function textSummary (data, title) {
  const metrics = metricMap(data)
  const names = Object.keys(metrics).filter((n) => !NOISE.test(n)).sort()
  const width = Math.min(60, Math.max(10, ...names.map((n) => n.length)))
  const lines = ['', `=== ${title} ===`]
  const failed = []
  for (const name of names) {
    const m = metrics[name]
    const thresholds = m.thresholds || {}
    const exprs = Object.keys(thresholds)
    const bad = exprs.filter((e) => thresholds[e] && thresholds[e].ok === false)
    for (const e of bad) failed.push(`${name}: ${e}`)
    const mark = exprs.length === 0 ? ' ' : (bad.length ? '✗' : '✓')
    lines.push(`${mark} ${name.padEnd(width + 3, '.')} ${describe(m)}`)
  }
  const passed = data && data.results && typeof data.results.passed === 'boolean'
    ? data.results.passed
    : failed.length === 0
  lines.push('')
  lines.push(passed ? 'THRESHOLDS: all passed' : 'THRESHOLDS: FAILED')
  for (const f of failed) lines.push(`  ✗ ${f}`)
  return lines.join('\n') + '\n'
}

/**
 * Use as:  export function handleSummary (data) { return summaryOutputs(data, 'orders') }
 * Writes `${SUMMARY_DIR || 'load/results'}/<name>-summary.json` (relative to
 * the directory k6 is started from) and prints the text summary.
 */
export function summaryOutputs (data, name) {
  const dir = (__ENV.SUMMARY_DIR || 'load/results').replace(/\/+$/, '')
  const file = `${dir}/${name}-summary.json`
  // setup()'s return value, run id included, is in the summary data as setup_data.
  const runId = data && data.setup_data && data.setup_data.runId ? data.setup_data.runId : 'unknown'
  const out = { stdout: textSummary(data, `${name}, run ${runId} (full JSON: ${file})`) }
  out[file] = JSON.stringify(data, null, 2)
  return out
}
