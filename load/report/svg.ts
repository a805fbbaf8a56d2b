/**
 * Inline SVG line charts for the benchmark report: axes with round ticks,
 * grid, one polyline per series, legend. No scripts, no external assets.
 */

export interface Series {
  readonly name: string
  readonly color: string
  /** [x, y]; null y breaks the line. */
  readonly points: ReadonlyArray<readonly [number, number | null]>
  readonly dashed?: boolean
}

export interface ChartOptions {
  readonly title: string
  readonly series: readonly Series[]
  readonly xLabel?: string
  readonly yLabel?: string
  readonly width?: number
  readonly height?: number
  /** Logarithmic y axis (latencies with rare large maxima). */
  readonly logY?: boolean
  /** Horizontal reference line (a target), drawn dashed. */
  readonly reference?: { readonly y: number, readonly label: string }
}

export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** 1, 2, 5 × 10^n steps giving about `count` ticks over [lo, hi]. */
export function niceTicks (lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

const fmt = (v: number): string => {
  const a = Math.abs(v)
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`
  if (a > 0 && a < 0.01) return v.toExponential(0)
  return String(Number(v.toPrecision(3)))
}

export function lineChart (o: ChartOptions): string {
  const width = o.width ?? 560
  const height = o.height ?? 240
  const m = { left: 56, right: 12, top: 28, bottom: 44 }
  const w = width - m.left - m.right
  const h = height - m.top - m.bottom
  const pts = o.series.flatMap((s) => s.points.filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1])))
  const title = `<text x="${m.left}" y="16" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`
  if (pts.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" class="chart">${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#888">no data</text></svg>`
  }
  const xs = pts.map((p) => p[0])
  const ys = pts.map((p) => p[1])
  if (o.reference !== undefined) ys.push(o.reference.y)
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs, x0 + 1)
  const log = o.logY === true
  const floor = log ? Math.max(1e-3, Math.min(...ys.filter((y) => y > 0), 1)) : 0
  const ty = (y: number): number => log ? Math.log10(Math.max(y, floor)) : y
  const y0 = log ? Math.floor(ty(floor)) : Math.min(0, ...ys)
  const y1Raw = Math.max(...ys.map(ty))
  const y1 = log ? Math.ceil(y1Raw + 1e-9) : y1Raw > y0 ? y1Raw * 1.05 : y0 + 1
  const sx = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * w
  const sy = (y: number): number => m.top + h - ((ty(y) - y0) / (y1 - y0)) * h
  const parts: string[] = [title]
  const yTicks = log ? Array.from({ length: y1 - y0 + 1 }, (_, i) => 10 ** (y0 + i)) : niceTicks(y0, y1)
  for (const t of yTicks) {
    const y = sy(t)
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/>`)
    parts.push(`<text x="${m.left - 6}" y="${(y + 4).toFixed(1)}" font-size="10" text-anchor="end" fill="#555">${fmt(t)}</text>`)
  }
  for (const t of niceTicks(x0, x1, 8)) {
    const x = sx(t)
    parts.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.top + h}" y2="${m.top + h + 4}" stroke="#999"/>`)
    parts.push(`<text x="${x.toFixed(1)}" y="${m.top + h + 15}" font-size="10" text-anchor="middle" fill="#555">${fmt(t)}</text>`)
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#bbb"/>`)
  if (o.xLabel !== undefined) parts.push(`<text x="${m.left + w / 2}" y="${height - 6}" font-size="10" text-anchor="middle" fill="#555">${escapeXml(o.xLabel)}</text>`)
  if (o.yLabel !== undefined) parts.push(`<text transform="translate(12 ${m.top + h / 2}) rotate(-90)" font-size="10" text-anchor="middle" fill="#555">${escapeXml(o.yLabel)}${log ? ' (log)' : ''}</text>`)
  if (o.reference !== undefined) {
    const y = sy(o.reference.y).toFixed(1)
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="6 4"/>`)
    parts.push(`<text x="${m.left + w - 4}" y="${Number(y) - 4}" font-size="10" text-anchor="end" fill="#c00">${escapeXml(o.reference.label)}</text>`)
  }
  for (const s of o.series) {
    const segments: string[][] = [[]]
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) { segments.push([]); continue }
      segments[segments.length - 1].push(`${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
    }
    for (const seg of segments) {
      if (seg.length === 1) parts.push(`<circle cx="${seg[0].split(',')[0]}" cy="${seg[0].split(',')[1]}" r="2" fill="${s.color}"/>`)
      if (seg.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed === true ? ' stroke-dasharray="4 3"' : ''} points="${seg.join(' ')}"/>`)
    }
  }
  // Legend on the title row, after the title.
  let lx = m.left + o.title.length * 8 + 16
  for (const s of o.series) {
    parts.push(`<rect x="${lx}" y="10" width="10" height="3" fill="${s.color}"/>`)
    parts.push(`<text x="${lx + 13}" y="15" font-size="10" fill="#333">${escapeXml(s.name)}</text>`)
    lx += 20 + s.name.length * 5.5
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" class="chart" font-family="system-ui, sans-serif">${parts.join('')}</svg>`
}
