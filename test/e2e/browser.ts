/**
 * What the browser tests share: Debian's Chromium through playwright-core
 * (never a downloaded browser), closed in teardown, and the order form.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import type { Test } from 'tap'

export const CHROMIUM = '/usr/bin/chromium'
export const TIMEOUT = 10_000

/** The Chromium at CHROMIUM, closed in teardown; null (and a failed test) when it is missing. */
export async function launchBrowser (t: Test): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    t.fail(`Chromium not found at ${CHROMIUM}. The browser test needs it: apt-get install -y chromium`)
    return null
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
  t.teardown(() => browser.close())
  return browser
}

export interface OrderInput {
  side: 'buy' | 'sell'
  orderType: 'limit' | 'market' | 'ioc' | 'fok' | 'stop_limit' | 'stop_market'
  quantity: string
  price?: string
  clientOrderId?: string
  /** Issue 12's inputs; each left blank (or unchecked) when not given. */
  timeInForce?: 'gtc' | 'ioc' | 'fok' | 'gtd'
  /** For the datetime-local input: YYYY-MM-DDTHH:MM:SS in the browser's time zone. */
  expireTime?: string
  postOnly?: boolean
  stopPrice?: string
  displayQuantity?: string
  quoteQuantity?: string
}

export interface OrderAnswer {
  order_id: string
  status: string
  filled_quantity: string
  remaining_quantity: string
  error_code?: string
  quantity?: string
  price?: string | null
  cancel_reason?: string | null
  time_in_force?: string
  post_only?: boolean
  stop_price?: string | null
  display_quantity?: string | null
  expire_time?: number | null
}

/** Sets an input of the form whether or not the chosen order type shows it (a hidden one is not sent). */
async function setValue (page: Page, selector: string, value: string) {
  await page.locator(selector).evaluate((el, v) => { (el as unknown as { value: string }).value = v }, value)
}

/** Fills the form, clicks submit and returns the POST /order reply status, body and the request body sent. */
export async function placeOrder (page: Page, order: OrderInput) {
  await page.selectOption('#symbol', 'BTC-USDT')
  await page.click(`#side-${order.side}`)
  await page.selectOption('#order_type', order.orderType)
  if (order.timeInForce !== undefined) await page.selectOption('#time_in_force', order.timeInForce)
  await page.fill('#quantity', order.quantity)
  if (order.price !== undefined) await page.fill('#price', order.price)
  await setValue(page, '#stop_price', order.stopPrice ?? '')
  await setValue(page, '#display_quantity', order.displayQuantity ?? '')
  await setValue(page, '#quote_quantity', order.quoteQuantity ?? '')
  await setValue(page, '#expire_time', order.expireTime ?? '')
  await page.locator('#post_only').evaluate((el, v) => { (el as unknown as { checked: boolean }).checked = v }, order.postOnly === true)
  await page.fill('#client_order_id', order.clientOrderId ?? '')
  const answered = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/order' && r.request().method() === 'POST',
    { timeout: TIMEOUT }
  )
  await page.click('#submitBtn')
  // A market order asks for a confirmation first.
  if (order.orderType === 'market') await page.click('#confirm-yes', { timeout: TIMEOUT })
  const response = await answered
  const body = await response.json() as OrderAnswer
  const sent = JSON.parse(response.request().postData() ?? '{}') as Record<string, unknown>
  return { status: response.status(), body, sent }
}

/** Console errors and uncaught page errors. */
export function collectPageErrors (page: Page, ignore: RegExp | null = null): string[] {
  const errors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    if (ignore !== null && ignore.test(msg.text())) return
    errors.push(`console.error: ${msg.text()}`)
  })
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  return errors
}
