// Display helpers for decimal strings. The wire carries decimals as strings;
// the page shows them as strings and only does exact (BigInt) arithmetic for
// spread and mid, so nothing it displays is subject to float rounding.

const DECIMAL = /^-?\d+(\.\d+)?$/

// "030100.500" -> "30100.5", "0.30000000" -> "0.3". Used as the map key for
// price levels so "30100" and "30100.00" name the same level.
export function canon (s) {
  const str = String(s).trim()
  if (!DECIMAL.test(str)) return str
  const neg = str.startsWith('-')
  let [int, frac = ''] = (neg ? str.slice(1) : str).split('.')
  int = int.replace(/^0+(?=\d)/, '')
  frac = frac.replace(/0+$/, '')
  const out = frac ? `${int}.${frac}` : int
  return neg && out !== '0' ? `-${out}` : out
}

export function fractionDigits (s) {
  const i = String(s).indexOf('.')
  return i < 0 ? 0 : String(s).length - i - 1
}

// Pads (never rounds) a decimal string to at least `decimals` places:
// fmtPrice("30100", 2) -> "30100.00", fmtPrice("30100.125", 2) -> "30100.125".
export function fmtPrice (s, decimals = 2) {
  if (s === null || s === undefined || s === '') return '--'
  const str = canon(s)
  if (!DECIMAL.test(str)) return str
  const [int, frac = ''] = str.split('.')
  if (decimals <= 0 && !frac) return int
  return `${int}.${frac.padEnd(decimals, '0')}`
}

// Sizes pad to the lot's decimals the same way, so a column of them lines up.
export function fmtQty (s, decimals = 0) {
  return fmtPrice(s, decimals)
}

// Order statuses as a trader reads them (the wire's names stay in data attributes).
const STATUS_WORDS = {
  pending: 'Open',
  partially_filled: 'Partially filled',
  filled: 'Filled',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
  expired: 'Expired',
  untriggered: 'Untriggered stop',
  triggered: 'Triggered',
  resting: 'Resting on the book',
  amended: 'Amended',
  refreshed: 'Refreshed'
}

export function statusWords (status) {
  const s = String(status ?? '')
  return STATUS_WORDS[s] ?? s.replace(/_/g, ' ')
}

// Number formatting for display-only aggregates (running totals, chart axes).
export function fmtNum (n, maxDecimals = 8) {
  if (!Number.isFinite(n)) return '--'
  return canon(n.toFixed(maxDecimals))
}

export function fmtTime (ts) {
  const n = Number(ts)
  const d = Number.isFinite(n) ? new Date(n * 1000) : new Date()
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0')
}

export function shortId (id, n = 8) {
  const s = String(id ?? '')
  return s.length > n ? s.slice(0, n) + '…' : s
}

function toScaled (s, scale) {
  const str = canon(s)
  const neg = str.startsWith('-')
  const [int, frac = ''] = (neg ? str.slice(1) : str).split('.')
  const v = BigInt(int + frac.padEnd(scale, '0'))
  return neg ? -v : v
}

function fromScaled (v, scale) {
  const neg = v < 0n
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0')
  const int = digits.slice(0, digits.length - scale)
  const frac = digits.slice(digits.length - scale)
  return canon(`${neg ? '-' : ''}${int}${scale ? '.' + frac : ''}`)
}

function bothDecimal (a, b) {
  return DECIMAL.test(canon(a)) && DECIMAL.test(canon(b))
}

// Exact a - b on decimal strings.
export function decSub (a, b) {
  if (!bothDecimal(a, b)) return null
  const scale = Math.max(fractionDigits(canon(a)), fractionDigits(canon(b)))
  return fromScaled(toScaled(a, scale) - toScaled(b, scale), scale)
}

// Exact (a + b) / 2 on decimal strings (one extra digit is always enough).
export function decMid (a, b) {
  if (!bothDecimal(a, b)) return null
  const scale = Math.max(fractionDigits(canon(a)), fractionDigits(canon(b)))
  return fromScaled((toScaled(a, scale) + toScaled(b, scale)) * 5n, scale + 1)
}
