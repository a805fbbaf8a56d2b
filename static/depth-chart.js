// Canvas depth chart: cumulative bid curve (left of mid) and ask curve (right
// of mid) as filled step lines, centred on the mid. The price range follows
// the bulk of the levels near the mid (a far-away order does not stretch it)
// and zooms in and out (buttons, wheel). Redraw is cheap and coalesced to one
// per frame; the backing store follows the element size and devicePixelRatio.
/* global window, document, ResizeObserver, requestAnimationFrame, setTimeout, getComputedStyle */
import { fmtNum, fmtPrice } from './format.js'

const PAD = { left: 8, right: 8, top: 22, bottom: 22 }
const ZOOM_MIN = 1 / 16
const ZOOM_MAX = 16
// The range spans this share of each side's nearest levels (at most RANGE_LEVELS of them).
const RANGE_SHARE = 0.8
const RANGE_LEVELS = 25

export class DepthChart {
  constructor (canvas, { maxLevels = 100 } = {}) {
    this.canvas = canvas
    this.ctx = canvas.getContext('2d')
    this.maxLevels = maxLevels
    this.bids = []
    this.asks = []
    this.priceDecimals = 2
    this.hoverX = null
    this.zoom = 1 // > 1: closer in
    this._frame = false
    this._onResize = () => this.schedule()
    if (typeof ResizeObserver === 'function') {
      this._ro = new ResizeObserver(this._onResize)
      this._ro.observe(canvas)
    }
    // Zooming changes devicePixelRatio and fires 'resize' on the window.
    window.addEventListener('resize', this._onResize)
    canvas.addEventListener('mousemove', (e) => {
      this.hoverX = e.offsetX
      this.schedule()
    })
    canvas.addEventListener('mouseleave', () => {
      this.hoverX = null
      this.schedule()
    })
    canvas.addEventListener('wheel', (e) => {
      e.preventDefault()
      this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8)
    }, { passive: false })
    this.draw()
  }

  zoomBy (factor) {
    this.zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, this.zoom * factor))
    this.canvas.dataset.zoom = String(this.zoom)
    this.schedule()
  }

  resetZoom () {
    this.zoom = 1
    this.canvas.dataset.zoom = '1'
    this.schedule()
  }

  // bids/asks: [{ price, qty, total }] best first, totals cumulative.
  update (bids, asks, { priceDecimals = this.priceDecimals } = {}) {
    this.bids = bids.slice(0, this.maxLevels)
    this.asks = asks.slice(0, this.maxLevels)
    this.priceDecimals = priceDecimals
    this.schedule()
  }

  schedule () {
    if (this._frame) return
    this._frame = true
    const run = () => {
      this._frame = false
      this.draw()
    }
    // rAF does not fire in hidden tabs; keep the data-levels attribute honest anyway.
    if (document.visibilityState === 'visible') requestAnimationFrame(run)
    else setTimeout(run, 100)
  }

  destroy () {
    if (this._ro) this._ro.disconnect()
    window.removeEventListener('resize', this._onResize)
  }

  _resize () {
    const dpr = window.devicePixelRatio || 1
    const w = Math.max(1, this.canvas.clientWidth)
    const h = Math.max(1, this.canvas.clientHeight)
    const bw = Math.round(w * dpr)
    const bh = Math.round(h * dpr)
    if (this.canvas.width !== bw || this.canvas.height !== bh) {
      this.canvas.width = bw
      this.canvas.height = bh
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    return { w, h }
  }

  draw () {
    const { ctx } = this
    const { w, h } = this._resize()
    const colors = themeColors(this.canvas)
    ctx.clearRect(0, 0, w, h)
    ctx.font = '11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace'

    const bids = this.bids.map((l) => ({ p: Number(l.price), t: Number(l.total) }))
    const asks = this.asks.map((l) => ({ p: Number(l.price), t: Number(l.total) }))
    const drawn = bids.length + asks.length
    this.canvas.setAttribute('data-levels', String(drawn))
    if (drawn === 0) {
      ctx.fillStyle = colors.muted
      ctx.textAlign = 'center'
      ctx.textBaseline = 'middle'
      ctx.fillText('No liquidity', w / 2, h / 2)
      return
    }

    const view = viewport(bids, asks, w, h, this.zoom)
    Object.assign(this.canvas.dataset, { lo: String(view.lo), hi: String(view.hi), mid: String(view.mid) })
    ctx.strokeStyle = colors.grid
    ctx.lineWidth = 1
    ctx.beginPath()
    ctx.moveTo(PAD.left, h - PAD.bottom + 0.5)
    ctx.lineTo(w - PAD.right, h - PAD.bottom + 0.5)
    ctx.stroke()

    // Levels outside the range are cut at its edges.
    ctx.save()
    ctx.beginPath()
    ctx.rect(PAD.left, 0, w - PAD.left - PAD.right, h)
    ctx.clip()
    drawSide(ctx, view, bids, -1, colors.bid, colors.bidFill)
    drawSide(ctx, view, asks, 1, colors.ask, colors.askFill)
    ctx.restore()

    // Mid line
    const mx = Math.round(view.x(view.mid)) + 0.5
    ctx.setLineDash([3, 3])
    ctx.strokeStyle = colors.muted
    ctx.beginPath()
    ctx.moveTo(mx, PAD.top)
    ctx.lineTo(mx, h - PAD.bottom)
    ctx.stroke()
    ctx.setLineDash([])

    // Axis labels
    const d = this.priceDecimals
    ctx.fillStyle = colors.muted
    ctx.textBaseline = 'top'
    ctx.textAlign = 'left'
    ctx.fillText(fmtPrice(view.lo.toFixed(d), d), PAD.left, h - PAD.bottom + 5)
    ctx.textAlign = 'center'
    ctx.fillText(fmtPrice(view.mid.toFixed(d), d), mx, h - PAD.bottom + 5)
    ctx.textAlign = 'right'
    ctx.fillText(fmtPrice(view.hi.toFixed(d), d), w - PAD.right, h - PAD.bottom + 5)
    ctx.textAlign = 'left'
    ctx.fillText(`depth ${fmtNum(view.depth, 4)}`, PAD.left, 4)

    if (this.hoverX !== null) this._drawHover(view, bids, asks, colors, w, h)
  }

  _drawHover (view, bids, asks, colors, w, h) {
    const { ctx } = this
    const x = Math.min(Math.max(this.hoverX, PAD.left), w - PAD.right)
    const price = view.lo + (x - PAD.left) / view.sx
    const onBid = price <= view.mid
    const side = onBid ? bids : asks
    // Cumulative quantity available at or better than the hovered price.
    let total = 0
    for (const l of side) if (onBid ? l.p >= price : l.p <= price) total = l.t
    ctx.strokeStyle = colors.muted
    ctx.beginPath()
    ctx.moveTo(Math.round(x) + 0.5, PAD.top)
    ctx.lineTo(Math.round(x) + 0.5, h - PAD.bottom)
    ctx.stroke()
    const label = `${fmtPrice(price.toFixed(this.priceDecimals), this.priceDecimals)}  ${fmtNum(total, 4)}`
    ctx.fillStyle = onBid ? colors.bid : colors.ask
    ctx.textBaseline = 'top'
    ctx.textAlign = 'right'
    ctx.fillText(label, w - PAD.right, 4)
  }
}

// How far from the mid a side's bulk reaches: the distance of the level at
// RANGE_SHARE of its nearest RANGE_LEVELS, so the last (farthest) one of
// several never sets the range.
function reach (levels, mid) {
  const near = levels.slice(0, RANGE_LEVELS)
  if (!near.length) return 0
  const i = near.length === 1 ? 0 : Math.min(near.length - 2, Math.floor(RANGE_SHARE * (near.length - 1)))
  return Math.abs(near[i].p - mid)
}

function viewport (bids, asks, w, h, zoom) {
  const bestBid = bids.length ? bids[0].p : null
  const bestAsk = asks.length ? asks[0].p : null
  const mid = bestBid !== null && bestAsk !== null
    ? (bestBid + bestAsk) / 2
    : (bestBid ?? bestAsk)
  const far = Math.max(reach(bids, mid), reach(asks, mid))
  // Symmetric around the mid so both curves share a scale; never zero-width.
  const half = (far > 0 ? far : Math.max(Math.abs(mid) * 0.001, 1)) * 1.25 / zoom
  const lo = mid - half
  const hi = mid + half
  // The height follows what is in view.
  const inView = (levels) => {
    let t = 0
    for (const l of levels) if (l.p >= lo && l.p <= hi) t = l.t
    return t
  }
  const depth = Math.max(inView(bids), inView(asks))
  const maxTotal = depth * 1.15 || 1
  const sx = (w - PAD.left - PAD.right) / (hi - lo)
  const sy = (h - PAD.top - PAD.bottom) / maxTotal
  return {
    lo,
    hi,
    mid,
    depth,
    sx,
    x: (p) => PAD.left + (p - lo) * sx,
    y: (t) => h - PAD.bottom - t * sy,
    base: h - PAD.bottom,
    edge: dirEdge => (dirEdge < 0 ? PAD.left : w - PAD.right)
  }
}

// dir -1: bids step outwards to the left; +1: asks step outwards to the right.
function drawSide (ctx, view, levels, dir, stroke, fill) {
  if (!levels.length) return
  ctx.beginPath()
  ctx.moveTo(view.x(levels[0].p), view.base)
  let prevT = 0
  for (const l of levels) {
    const x = view.x(l.p)
    ctx.lineTo(x, view.y(prevT))
    ctx.lineTo(x, view.y(l.t))
    prevT = l.t
  }
  const edge = view.edge(dir)
  ctx.lineTo(edge, view.y(prevT))
  ctx.strokeStyle = stroke
  ctx.lineWidth = 1.5
  ctx.stroke()
  ctx.lineTo(edge, view.base)
  ctx.closePath()
  ctx.fillStyle = fill
  ctx.fill()
}

function themeColors (el) {
  const css = getComputedStyle(el)
  const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback
  return {
    bid: v('--bid', '#0ecb81'),
    ask: v('--ask', '#f6465d'),
    bidFill: v('--bid-fill', 'rgba(14, 203, 129, 0.18)'),
    askFill: v('--ask-fill', 'rgba(246, 70, 93, 0.18)'),
    grid: v('--border', '#2b3139'),
    muted: v('--muted', '#848e9c')
  }
}
