// The candle chart: TradingView's lightweight-charts (npm, served by this
// app at /vendor/lightweight-charts.mjs; nothing from a CDN). Candles come
// from GET /candles/:symbol?interval= and then the 'candles' channel. A
// server without them answers 404: the chart says so and nothing is
// subscribed.
/* global console, document, getComputedStyle */
import { createChart, CandlestickSeries, HistogramSeries, ColorType } from '/vendor/lightweight-charts.mjs'
import { $ } from './ui.js'
import { getJson } from './api.js'

export const INTERVALS = ['1m', '5m', '15m', '1h', '4h', '1d']
const LIMIT = 500

const bar = (c) => ({ time: Number(c.open_time), open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close) })

// symbol(): the shown symbol; tick(): its tick size (string); send(msg): WebSocket.
export function createCandles ({ symbol, tick, send }) {
  const box = $('candle-chart')
  const css = getComputedStyle(document.documentElement)
  const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback
  const up = color('--bid', '#0ecb81')
  const down = color('--ask', '#f6465d')
  const chart = createChart(box, {
    autoSize: true,
    // The attribution the license asks for is the link under the chart (index.html):
    // the built-in logo injects a <style> element, which this page's CSP refuses.
    layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: color('--muted', '#848e9c'), attributionLogo: false },
    grid: { vertLines: { color: color('--border', '#2b3139') }, horzLines: { color: color('--border', '#2b3139') } },
    timeScale: { timeVisible: true, secondsVisible: false },
    rightPriceScale: { borderColor: color('--border', '#2b3139') }
  })
  const candles = chart.addSeries(CandlestickSeries, { upColor: up, downColor: down, borderVisible: false, wickUpColor: up, wickDownColor: down })
  const volume = chart.addSeries(HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' } })
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } })

  let interval = INTERVALS[0]
  let available = null
  let lastTime = null
  let count = 0
  let last = null // the newest bar drawn
  let generation = 0

  function setCount (n, note = '') {
    count = n
    box.dataset.candles = String(n)
    $('candle-note').textContent = note
  }

  function volumeBar (c) {
    return { time: Number(c.open_time), value: Number(c.volume), color: Number(c.close) >= Number(c.open) ? `${up}66` : `${down}66` }
  }

  async function load () {
    const gen = ++generation
    const s = symbol()
    const decimals = (tick().split('.')[1] ?? '').length
    candles.applyOptions({ priceFormat: { type: 'price', precision: decimals, minMove: Number(tick()) } })
    candles.setData([])
    volume.setData([])
    lastTime = null
    last = null
    setCount(0, 'Loading candles…')
    try {
      const { ok, status, body } = await getJson(`/candles/${encodeURIComponent(s)}?interval=${interval}&limit=${LIMIT}`)
      if (gen !== generation) return
      const first = available === null
      available = ok || status !== 404
      box.dataset.available = String(available)
      if (!ok || !Array.isArray(body.candles)) return setCount(0, available ? 'Candles unavailable' : 'This server has no candles')
      candles.setData(body.candles.map(bar))
      volume.setData(body.candles.map(volumeBar))
      lastTime = body.candles.length ? Number(body.candles.at(-1).open_time) : null
      last = body.candles.length ? bar(body.candles.at(-1)) : null
      setCount(body.candles.length, body.candles.length ? '' : 'No trades yet')
      if (first && available) subscribe()
    } catch (err) {
      console.warn('GET /candles failed', err)
    }
  }

  function subscribe (s = symbol(), i = interval) {
    if (available) send({ type: 'subscribe', channel: 'candles', symbol: s, interval: i })
  }

  function unsubscribe (s = symbol(), i = interval) {
    if (available) send({ type: 'unsubscribe', channel: 'candles', symbol: s, interval: i })
  }

  function onMessage (msg) {
    if (msg.symbol !== symbol() || msg.interval !== interval) return
    const time = Number(msg.open_time)
    if (lastTime !== null && time < lastTime) return // older than the chart's last candle
    last = bar(msg)
    candles.update(last)
    volume.update(volumeBar(msg))
    if (lastTime === null || time > lastTime) setCount(count + 1)
    lastTime = time
  }

  function chooseInterval (next) {
    if (next === interval || !INTERVALS.includes(next)) return
    unsubscribe()
    interval = next
    for (const b of document.querySelectorAll('#candle-intervals button')) b.setAttribute('aria-pressed', String(b.dataset.interval === next))
    subscribe()
    load()
  }

  $('candle-intervals').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-interval]')
    if (b) chooseInterval(b.dataset.interval)
  })

  return { load, subscribe, unsubscribe, onMessage, get interval () { return interval }, get count () { return count }, get last () { return last } }
}
