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
  orderType: 'limit' | 'market' | 'ioc' | 'fok'
  quantity: string
  price?: string
  clientOrderId?: string
}

export interface OrderAnswer {
  order_id: string
  status: string
  filled_quantity: string
  remaining_quantity: string
  error_code?: string
}

/** Fills the form, clicks submit and returns the POST /order reply status and body. */
export async function placeOrder (page: Page, order: OrderInput) {
  await page.selectOption('#symbol', 'BTC-USDT')
  await page.selectOption('#side', order.side)
  await page.selectOption('#order_type', order.orderType)
  await page.fill('#quantity', order.quantity)
  if (order.price !== undefined) await page.fill('#price', order.price)
  await page.fill('#client_order_id', order.clientOrderId ?? '')
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/order' && r.request().method() === 'POST',
      { timeout: TIMEOUT }
    ),
    page.click('#submitBtn')
  ])
  const body = await response.json() as OrderAnswer
  return { status: response.status(), body }
}
