// Browser test of the trading page's flows (issue 13, "The trading page") against a real server:
// the symbol's filters and a notional preview next to the form, buy and sell buttons, a market
// order that asks for a confirmation, prices and sizes at tick and lot precision, the depth chart
// centred on the mid and not stretched by a far-away order (and its zoom), the open-orders panel
// (cancel per order, cancel all) with statuses in words, fills and order history, one notification
// per action in a line of its own, the offline state, the phone layout (390×844, tabs), the candle
// chart's library served by the app under the page's CSP, and axe-core with no serious or critical
// violation. Screenshots go to test/artifacts/.
import t from 'tap'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { TIMEOUT, collectPageErrors, launchBrowser, placeOrder } from './browser.js'
import { seriousViolations } from './axe.js'

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts')

// What page.evaluate and waitForFunction touch in the page (the test tsconfig has no DOM lib).
interface PageElement {
  readonly textContent: string | null
  readonly dataset: Record<string, string | undefined>
  readonly disabled: boolean
  querySelectorAll (selector: string): ArrayLike<PageElement>
  getBoundingClientRect (): { top: number, bottom: number, left: number, right: number }
}
interface PageWindow {
  readonly __page: { conn: { url: string, ws: { close (): void } | null, restart (): void } }
  getComputedStyle (el: PageElement): { position: string, fontVariantNumeric: string, textAlign: string }
}
declare const document: { querySelector (s: string): PageElement | null, readonly documentElement: { readonly scrollWidth: number }, readonly body: { readonly classList: { contains (c: string): boolean } } }
declare const window: PageWindow

async function depthRange (page: Page) {
  return page.evaluate(() => {
    const d = document.querySelector('#depth-chart')?.dataset ?? {}
    return { lo: Number(d.lo), hi: Number(d.hi), mid: Number(d.mid) }
  })
}

async function connected (page: Page) {
  await page.locator('#conn-status', { hasText: /^\s*Connected\s*$/ }).waitFor({ timeout: TIMEOUT })
}

t.test('trading page: order entry, book, depth, account panels, notifications, offline state, axe', async (t) => {
  const browser = await launchBrowser(t)
  if (browser === null) return
  const server = await startServer()
  t.teardown(() => server.close())
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  // The offline step's failed connections (to a path with no WebSocket) are expected.
  const errors = collectPageErrors(page, /\/ws-gone/)
  const csp: string[] = []
  page.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) csp.push(msg.text()) })
  await page.goto(`${server.url}/`, { timeout: TIMEOUT })
  await connected(page)

  // The candle chart's library comes from the app, and draws under the page's CSP.
  const lib = await page.request.get(`${server.url}/vendor/lightweight-charts.mjs`)
  t.equal(lib.status(), 200, 'GET /vendor/lightweight-charts.mjs')
  t.match(lib.headers()['content-type'], /javascript/)
  await page.locator('#candle-chart canvas').first().waitFor({ timeout: TIMEOUT })
  t.pass('the candle chart draws its canvas')

  // Filters and precision from GET /symbols.
  await page.locator('#symbol-filters', { hasText: 'Min notional' }).waitFor({ timeout: TIMEOUT })
  const filters = await page.textContent('#symbol-filters') ?? ''
  t.match(filters, /Tick\s*0\.01/, 'the tick size is shown next to the form')
  t.match(filters, /Lot\s*0\.00000001/, 'and the lot size')

  // Buy and sell are coloured buttons; the submit button follows.
  await page.click('#side-sell')
  t.equal(await page.getAttribute('#side-sell', 'aria-pressed'), 'true')
  t.match(await page.getAttribute('#submitBtn', 'class'), /btn-sell/)
  t.equal((await page.textContent('#submit-label'))?.trim(), 'Sell BTC-USDT')
  const colours = await page.evaluate(() => {
    const bg = (s: string) => (window as unknown as { getComputedStyle (e: unknown): { backgroundColor: string } }).getComputedStyle(document.querySelector(s)).backgroundColor
    return { buy: bg('#side-buy'), sell: bg('#side-sell') }
  })
  t.not(colours.buy, colours.sell, `buy and sell look different (${colours.buy} / ${colours.sell})`)

  // The notional preview.
  await page.selectOption('#order_type', 'limit')
  await page.fill('#quantity', '0.5')
  await page.fill('#price', '30100.00')
  await page.locator('#order-preview', { hasText: 'Notional 15050.00' }).waitFor({ timeout: TIMEOUT })
  await page.fill('#quantity', '0.0001')
  await page.locator('#order-preview', { hasText: 'below the minimum' }).waitFor({ timeout: TIMEOUT })
  t.pass('notional preview, with the min notional warning')

  // A book: two bids, two asks, and one ask far away.
  const ask = await placeOrder(page, { side: 'sell', orderType: 'limit', quantity: '0.5', price: '30100.00' })
  t.equal(ask.status, 200)
  await page.locator('#order-alert', { hasText: 'Open: sell order' }).waitFor({ timeout: TIMEOUT })
  t.equal(await page.locator('#toast-container > *').count(), 0, 'one notification for the order: the alert by the form, nothing in the line')
  for (const o of [
    { side: 'sell' as const, price: '30150.00', quantity: '0.25' },
    { side: 'sell' as const, price: '90000.00', quantity: '0.1' },
    { side: 'buy' as const, price: '30000.00', quantity: '0.4' },
    { side: 'buy' as const, price: '29950.00', quantity: '0.3' }
  ]) t.equal((await placeOrder(page, { orderType: 'limit', ...o })).status, 200)
  await page.locator('#asks .book-row[data-price="90000"]').waitFor({ timeout: TIMEOUT })
  await page.waitForFunction(() => document.querySelector('#depth-chart')?.dataset.levels === '5', undefined, { timeout: TIMEOUT })

  // Prices at the tick (2 decimals), sizes at the lot (8), in aligned columns.
  const best = page.locator('#asks .book-row[data-price="30100"]')
  t.equal((await best.locator('.price').textContent())?.trim(), '30100.00')
  t.equal((await best.locator('.qty').textContent())?.trim(), '0.50000000')
  const align = await page.evaluate(() => {
    const cell = document.querySelector('#bids .book-row .qty')
    const style = (window as PageWindow).getComputedStyle(cell as PageElement)
    return { numeric: style.fontVariantNumeric, align: style.textAlign }
  })
  t.match(align.numeric, /tabular-nums/, 'fixed-width digits')
  t.equal(align.align, 'right', 'sizes right-aligned')

  // The depth chart: centred on the mid, not stretched by the ask at 90000; zoom in and out.
  const range = await depthRange(page)
  t.ok(Math.abs((range.lo + range.hi) / 2 - 30050) < 0.01, `centred on the mid 30050 (${range.lo}..${range.hi})`)
  t.ok(range.hi < 30600, `the far ask does not stretch the range (hi ${range.hi})`)
  t.ok(range.hi > 30150, 'the near levels are in view')
  await page.click('#depth-zoom-in')
  await page.waitForFunction((w) => {
    const d = document.querySelector('#depth-chart')?.dataset ?? {}
    return Number(d.hi) - Number(d.lo) < w
  }, range.hi - range.lo, { timeout: TIMEOUT })
  const zoomed = await depthRange(page)
  t.ok(Math.abs((zoomed.lo + zoomed.hi) / 2 - 30050) < 0.01, 'still centred after zooming in')
  await page.click('#depth-zoom-reset')

  // A market order asks first; "Cancel" sends nothing.
  let posted = 0
  page.on('request', (req) => { if (new URL(req.url()).pathname === '/order') posted++ })
  await page.click('#side-buy')
  await page.selectOption('#order_type', 'market')
  await page.fill('#quantity', '0.1')
  await page.click('#submitBtn')
  await page.locator('#confirm-dialog[open]').waitFor({ timeout: TIMEOUT })
  t.match(await page.textContent('#confirm-text'), /Buy 0\.10000000 BTC-USDT at the market\. Notional ≈ 3010\.00/)
  await page.screenshot({ path: join(ARTIFACTS, 'trading-page-market-confirm.png') })
  await page.click('#confirm-no')
  await page.locator('#order-alert', { hasText: 'Market order not sent' }).waitFor({ timeout: TIMEOUT })
  t.equal(posted, 0, 'a market order the trader did not confirm is not sent')
  const market = await placeOrder(page, { side: 'buy', orderType: 'market', quantity: '0.1' })
  t.equal(market.status, 200)
  t.equal(market.body.status, 'filled', 'confirmed: it is sent and fills')
  await page.locator('#order-alert', { hasText: 'Filled: buy order' }).waitFor({ timeout: TIMEOUT })

  // Open orders: statuses in words; fills; a cancel per row, then cancel all; order history.
  const row = (id: string) => page.locator(`#open-orders-body tr.order-row[data-order-id="${id}"]`)
  await row(ask.body.order_id).locator('td.status', { hasText: 'Partially filled' }).waitFor({ timeout: TIMEOUT })
  t.pass('the partly filled ask says "Partially filled"')
  await page.locator('#fills-body tr.fill-row').first().waitFor({ timeout: TIMEOUT })
  t.ok(await page.locator('#fills-body tr.fill-row').count() >= 1, 'the fill is listed')
  await row(ask.body.order_id).locator('button.row-cancel').click()
  await row(ask.body.order_id).waitFor({ state: 'detached', timeout: TIMEOUT })
  await page.locator('#toast-container', { hasText: `Cancelled ${ask.body.order_id}` }).waitFor({ timeout: TIMEOUT })
  await page.locator(`#history-body tr[data-order-id="${ask.body.order_id}"] td.status`, { hasText: 'Cancelled' }).waitFor({ timeout: TIMEOUT })
  await page.waitForTimeout(300) // the 'orders' event of the cancel comes too: it must not notify again
  t.equal(await page.locator('#toast-container > *').count(), 1, 'the notification line holds one message')
  t.match(await page.textContent('#toast-container'), `Cancelled ${ask.body.order_id}`, 'the cancel is notified once (its order event adds nothing)')
  await page.evaluate(() => (window as unknown as { scrollTo (x: number, y: number): void }).scrollTo(0, 0))
  const notice = await page.evaluate(() => {
    const line = document.querySelector('#toast-container') as PageElement
    const first = document.querySelector('#ticker-bar') as PageElement
    return { position: (window as PageWindow).getComputedStyle(line).position, bottom: line.getBoundingClientRect().bottom, next: first.getBoundingClientRect().top }
  })
  t.not(notice.position, 'fixed', 'the notification line is part of the layout')
  t.ok(notice.bottom <= notice.next, 'and sits above the content, not over it')
  await page.click('#cancel-all-btn')
  await page.locator('#open-orders-body', { hasText: 'No open orders' }).waitFor({ timeout: TIMEOUT })
  await page.locator('#toast-container', { hasText: /Cancelled 4 open orders/ }).waitFor({ timeout: TIMEOUT })
  t.pass('cancel all empties the panel')
  await page.locator('#history-body tr', { hasText: 'Filled' }).first().waitFor({ timeout: TIMEOUT })
  t.pass('order history lists the filled market order')

  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'trading-page-flows.png'), fullPage: true })

  const desktop = await seriousViolations(page)
  t.same(desktop, [], 'axe-core: no serious or critical violation (desktop)')

  // Offline: the last values stay, greyed; the forms are disabled; a banner says it is reconnecting.
  t.equal((await placeOrder(page, { side: 'sell', orderType: 'limit', quantity: '0.2', price: '30500.00' })).status, 200)
  await page.locator('#asks .book-row[data-price="30500"]').waitFor({ timeout: TIMEOUT })
  const rowsBefore = await page.locator('#asks .book-row').count()
  await page.evaluate((url) => {
    const conn = window.__page.conn
    conn.url = url // no WebSocket there (a 404): every retry fails
    conn.ws?.close()
  }, `${server.wsUrl}-gone`)
  await page.locator('#offline-banner', { hasText: 'reconnecting' }).waitFor({ timeout: TIMEOUT })
  t.equal(await page.evaluate(() => document.querySelector('#order-fieldset')?.disabled), true, 'the order form is disabled')
  t.equal(await page.isDisabled('#submitBtn'), true)
  t.ok(await page.evaluate(() => document.body.classList.contains('offline')), 'stale values are greyed')
  t.equal(await page.locator('#asks .book-row').count(), rowsBefore, 'the last known book stays on screen')
  t.equal(rowsBefore, 1)
  t.match(await page.textContent('#book-status'), /Offline/)
  await page.screenshot({ path: join(ARTIFACTS, 'trading-page-offline.png'), fullPage: true })
  // The server is back: connect now rather than after the backoff's next delay (up to 10 s).
  await page.evaluate((url) => {
    window.__page.conn.url = url
    window.__page.conn.restart()
  }, server.wsUrl)
  await connected(page)
  await page.locator('#offline-banner').waitFor({ state: 'hidden', timeout: TIMEOUT })
  t.equal(await page.evaluate(() => document.querySelector('#order-fieldset')?.disabled), false, 'back online: the form works again')
  await page.locator('#book-status', { hasText: 'Live' }).waitFor({ timeout: TIMEOUT })

  t.same(errors, [], 'no console errors or uncaught page errors')
  t.same(csp, [], 'no Content-Security-Policy violation (the chart library included)')
})

t.test('trading page on a phone (390×844): tabs for the book, trades and orders', async (t) => {
  const browser = await launchBrowser(t)
  if (browser === null) return
  const server = await startServer()
  t.teardown(() => server.close())
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  const errors = collectPageErrors(page)
  await page.goto(`${server.url}/`, { timeout: TIMEOUT })
  await connected(page)
  await mkdir(ARTIFACTS, { recursive: true })

  t.equal(await page.locator('#tabs').isVisible(), true, 'the tab bar shows at phone width')
  const shown = async () => {
    const out: string[] = []
    for (const id of ['panel-trade', 'panel-market', 'panel-trades', 'panel-account']) if (await page.locator(`#${id}`).isVisible()) out.push(id)
    return out
  }
  t.same(await shown(), ['panel-market'], 'the book first, alone')
  const tabs: Array<[string, string]> = [['#tab-trades', 'panel-trades'], ['#tab-orders', 'panel-account'], ['#tab-trade', 'panel-trade'], ['#tab-book', 'panel-market']]
  for (const [tab, panel] of tabs) {
    await page.click(tab)
    t.same(await shown(), [panel], `${tab} shows ${panel} only`)
    t.equal(await page.getAttribute(tab, 'aria-selected'), 'true')
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    t.ok(width <= 390, `${panel}: nothing wider than the screen (${width}px)`)
    await page.screenshot({ path: join(ARTIFACTS, `trading-page-phone-${panel.replace('panel-', '')}.png`), fullPage: true })
  }
  // Trading from the phone: the Trade tab's form works.
  await page.click('#tab-trade')
  const order = await placeOrder(page, { side: 'buy', orderType: 'limit', quantity: '0.1', price: '29000.00' })
  t.equal(order.status, 200, 'an order placed from the phone layout')
  await page.click('#tab-orders')
  await page.locator(`#open-orders-body tr[data-order-id="${order.body.order_id}"]`).waitFor({ timeout: TIMEOUT })
  const cancel = page.locator(`#open-orders-body tr[data-order-id="${order.body.order_id}"] button.row-cancel`)
  t.equal(await cancel.isVisible(), true, 'its cancel button is in sight on the Orders tab')
  await page.click('#tab-book')
  t.same(await seriousViolations(page), [], 'axe-core: no serious or critical violation (phone)')
  t.same(errors, [], 'no console errors or uncaught page errors')
})
