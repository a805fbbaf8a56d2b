// Browser test of the trading page (static/) against a real server: the page
// must connect over /ws, place orders through its form, and show the book,
// BBO, trades and depth chart without console errors or off-origin requests.
import t from 'tap'
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { startServer } from '../helpers/server.js'
import { TIMEOUT, launchBrowser, placeOrder } from './browser.js'

const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts')

// The predicates passed to waitForFunction run in the page. The test tsconfig
// has no DOM lib, so describe the little of the DOM they use.
interface PageElement {
  readonly textContent: string | null
  getAttribute (name: string): string | null
  querySelector (selector: string): PageElement | null
  querySelectorAll (selector: string): ArrayLike<PageElement>
}
declare const document: PageElement

// Resolves once an #asks row shows `price` with a size of `qty` (parsed, so the
// page may print sizes as received or with fixed decimals).
async function waitForAsk (page: Page, price: number, qty: number) {
  await page.waitForFunction(([p, q]) => {
    const rows = Array.from(document.querySelectorAll('#asks .book-row'))
    return rows.some((row) =>
      parseFloat(row.querySelector('.price')?.textContent ?? '') === p &&
      parseFloat(row.querySelector('.qty')?.textContent ?? '') === q)
  }, [price, qty] as const, { timeout: TIMEOUT })
}

t.test('trading page: connect, rest an ask, cross it, see the trade', async (t) => {
  const browser = await launchBrowser(t)
  if (browser === null) return
  const server = await startServer()
  t.teardown(() => server.close())
  const host = new URL(server.url).host

  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  const errors: string[] = []
  const offOrigin: string[] = []
  const cspViolations: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`)
    // Chromium reports each Content-Security-Policy violation as a console message.
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text())
  })
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  const signed: string[] = []
  page.on('request', (req) => {
    if (req.headers()['x-signature'] !== undefined) signed.push(req.url())
    const url = new URL(req.url())
    if (url.protocol !== 'data:' && url.host !== host) offOrigin.push(url.href)
  })

  const loaded = await page.goto(`${server.url}/`, { timeout: TIMEOUT })
  t.match(loaded?.headers()['content-security-policy'], /script-src 'self';.*style-src 'self';.*frame-ancestors 'none'/, 'the page is served with a strict CSP')
  await page.locator('#conn-status', { hasText: /^\s*Connected\s*$/ }).waitFor({ timeout: TIMEOUT })
  t.pass('page connected over /ws')

  // 1. A resting ask through the form.
  const ask = await placeOrder(page, { side: 'sell', orderType: 'limit', quantity: '0.5', price: '30100.00' })
  t.equal(ask.status, 200, 'POST /order (resting sell) accepted')
  t.equal(parseFloat(ask.body.filled_quantity), 0, 'nothing to match: the sell rests on the book')
  await waitForAsk(page, 30100, 0.5)
  await page.locator('#asks', { hasText: '30100.00' }).waitFor({ timeout: TIMEOUT })
  await page.locator('#best-ask', { hasText: '30100.00' }).waitFor({ timeout: TIMEOUT })
  t.pass('book and best ask show 30100.00')
  t.equal(await page.inputValue('#cancel_order_id'), ask.body.order_id, 'last order id is put in the cancel box')

  // 2. A crossing buy through the form: one trade, 0.3 left on the ask.
  const buy = await placeOrder(page, { side: 'buy', orderType: 'limit', quantity: '0.2', price: '30100.00' })
  t.equal(buy.status, 200, 'POST /order (crossing buy) accepted')
  t.equal(parseFloat(buy.body.remaining_quantity), 0, 'the buy fills completely')
  await page.locator('#trades .trade-row', { hasText: '30100.00' }).first().waitFor({ timeout: TIMEOUT })
  t.pass('trade feed shows a trade at 30100.00')
  await waitForAsk(page, 30100, 0.3)
  t.pass('ask level shows the remaining 0.3')
  t.equal((await page.textContent('#best-ask'))?.trim(), '30100.00', 'best ask unchanged')

  // AUTH=off: no sign-in, and the Open orders panel lists the (anonymous) resting ask, loaded unsigned.
  await page.locator('#signin-status[data-state="off"]').waitFor({ timeout: TIMEOUT })
  await page.locator(`#open-orders-body tr[data-order-id="${ask.body.order_id}"]`, { hasText: '0.2' }).waitFor({ timeout: TIMEOUT })
  t.pass('auth off: the page says so and lists the open order without signing')
  t.same(signed, [], 'no request carries a signature when the server has auth off')

  const tradeCount = Number(await page.textContent('#trade-count'))
  t.ok(tradeCount >= 1, `trade counter counts the trade (${tradeCount})`)
  t.equal(Number(await page.textContent('#order-count')), 2, 'order counter counts both orders')

  // The depth chart redraws on each book change and reports what it drew.
  await page.waitForFunction(
    () => Number(document.querySelector('#depth-chart')?.getAttribute('data-levels') ?? '0') > 0,
    undefined,
    { timeout: TIMEOUT }
  )
  const levels = Number(await page.getAttribute('#depth-chart', 'data-levels'))
  t.ok(levels > 0, `depth chart drew ${levels} level(s)`)

  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'trading-page.png'), fullPage: true })

  t.same(errors, [], 'no console errors or uncaught page errors')
  t.same(offOrigin, [], 'the page loads nothing from outside its origin')
  t.same(cspViolations, [], 'no Content-Security-Policy violation')

  // /docs (Swagger UI) under its own policy: it renders the operations with no violation either.
  const docs = await browser.newPage()
  const docsViolations: string[] = []
  docs.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) docsViolations.push(msg.text()) })
  const docsLoaded = await docs.goto(`${server.url}/docs/`, { timeout: TIMEOUT })
  t.match(docsLoaded?.headers()['content-security-policy'], /frame-ancestors 'none'/)
  await docs.locator('.opblock-summary-path', { hasText: '/order' }).first().waitFor({ timeout: TIMEOUT })
  t.pass('/docs renders the operations')
  t.same(docsViolations, [], '/docs: no Content-Security-Policy violation')
})
