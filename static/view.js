// Rendering of the book, BBO and trade rows. Values from the server are put
// into the DOM with textContent only.
/* global document */
import { $ } from './ui.js'
import { decMid, decSub, fmtNum, fmtPrice, fmtQty, fmtTime, shortId } from './format.js'

export const BOOK_LEVELS = 25
export const MAX_TRADES = 100
const SVG_NS = 'http://www.w3.org/2000/svg'

function cell (cls, text) {
  const el = document.createElement('span')
  el.className = cls
  el.textContent = text
  return el
}

// fmt: { price, qty } decimals of the symbol (tick and lot).
function bookRow (side, level, maxTotal, fmt) {
  const row = document.createElement('div')
  row.className = `book-row ${side}`
  row.dataset.price = level.price
  row.dataset.qty = level.qty
  row.style.setProperty('--depth', String(maxTotal > 0 ? level.total / maxTotal : 0))
  row.append(
    cell('price', fmtPrice(level.price, fmt.price)),
    cell('qty', fmtQty(level.qty, fmt.qty)),
    cell('total', fmtQty(fmtNum(level.total, fmt.qty), fmt.qty))
  )
  return row
}

// Draws the top BOOK_LEVELS of each side; returns the levels drawn.
export function renderBook (book, fmt) {
  const bids = book.levels('bids', BOOK_LEVELS)
  const asks = book.levels('asks', BOOK_LEVELS)
  const maxTotal = Math.max(bids.at(-1)?.total ?? 0, asks.at(-1)?.total ?? 0)

  // Asks are in DOM order best first; CSS (column-reverse) shows the best ask
  // at the bottom, next to the spread line, and keeps it in view when scrolling.
  const askFrag = document.createDocumentFragment()
  for (const level of asks) askFrag.append(bookRow('ask', level, maxTotal, fmt))
  const bidFrag = document.createDocumentFragment()
  for (const level of bids) bidFrag.append(bookRow('bid', level, maxTotal, fmt))
  $('asks').replaceChildren(askFrag)
  $('bids').replaceChildren(bidFrag)
  $('asks').classList.toggle('empty', asks.length === 0)
  $('bids').classList.toggle('empty', bids.length === 0)
  return { bids, asks }
}

export function clearBook () {
  $('asks').replaceChildren()
  $('bids').replaceChildren()
  $('asks').classList.add('empty')
  $('bids').classList.add('empty')
}

// bbo: { bestBid, bestAsk, spread?, mid? } as decimal strings or null.
export function renderBbo (bbo, decimals) {
  const { bestBid = null, bestAsk = null } = bbo
  let { spread = null, mid = null } = bbo
  if (bestBid !== null && bestAsk !== null) {
    spread ??= decSub(bestAsk, bestBid)
    mid ??= decMid(bestAsk, bestBid)
  }
  $('best-bid').textContent = fmtPrice(bestBid, decimals)
  $('best-ask').textContent = fmtPrice(bestAsk, decimals)
  $('spread').textContent = fmtPrice(spread, decimals)
  $('mid-price').textContent = fmtPrice(mid, decimals)
  const bps = spread !== null && mid !== null && Number(mid) > 0
    ? `${fmtNum((Number(spread) / Number(mid)) * 10000, 2)} bps`
    : ''
  $('spread-line').textContent = spread !== null ? `Spread ${fmtPrice(spread, decimals)} ${bps}` : 'Spread --'
}

export function bboFromBook (book) {
  return { bestBid: book.best('bids'), bestAsk: book.best('asks') }
}

// fresh: a trade that just happened (highlighted), not one loaded from history.
export function tradeRow (trade, fmt, fresh = true) {
  const side = trade.aggressor_side === 'sell' ? 'sell' : 'buy'
  const row = document.createElement('div')
  row.className = `trade-row ${side}${fresh ? ' new-trade' : ''}`
  row.dataset.tradeId = String(trade.trade_id ?? '')
  const top = document.createElement('div')
  top.className = 'trade-top'
  top.append(
    cell('trade-price', fmtPrice(trade.price, fmt.price)),
    cell('trade-qty', fmtQty(trade.quantity, fmt.qty)),
    cell(`trade-side ${side}`, side === 'buy' ? '▲ Buy' : '▼ Sell')
  )
  const meta = document.createElement('div')
  meta.className = 'trade-meta'
  meta.append(
    cell('trade-symbol', String(trade.symbol ?? '')),
    cell('trade-id', `#${shortId(trade.trade_id, 10)}`),
    cell('trade-time', fmtTime(trade.timestamp))
  )
  row.title = `value ${trade.trade_value ?? '--'} · maker fee ${trade.maker_fee ?? '--'} · taker fee ${trade.taker_fee ?? '--'}`
  row.append(top, meta)
  return row
}

export function prependTrades (rows) {
  const feed = $('trades')
  feed.querySelector('.trade-empty')?.remove()
  for (const row of rows) feed.prepend(row)
  while (feed.children.length > MAX_TRADES) feed.lastElementChild.remove()
}

export function clearTradeFeed () {
  const empty = document.createElement('div')
  empty.className = 'trade-empty'
  const svg = document.createElementNS(SVG_NS, 'svg')
  svg.setAttribute('class', 'icon')
  const use = document.createElementNS(SVG_NS, 'use')
  use.setAttribute('href', '#i-clock')
  svg.append(use)
  const text = document.createElement('div')
  text.textContent = 'Waiting for trades…'
  empty.append(svg, text)
  $('trades').replaceChildren(empty)
}
