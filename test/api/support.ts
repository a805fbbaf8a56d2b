/**
 * Small helpers shared by the REST API tests: typed inject wrappers, order
 * bodies, and a snapshot of the book and counters to prove "nothing changed".
 */
import type { App } from '../../src/app.js'

/** A parsed JSON response body; tests read the fields they assert on. */
export type Body = Record<string, any>

export interface Reply {
  readonly status: number
  readonly body: Body
  readonly headers: Record<string, string | string[] | number | undefined>
}

export const SYMBOL = 'BTC-USDT'

/** Parses the body when it is JSON; keeps the raw text under `raw` otherwise. */
function parse (text: string): Body {
  try {
    return JSON.parse(text) as Body
  } catch {
    return { raw: text }
  }
}

export async function get (app: App, url: string): Promise<Reply> {
  const res = await app.inject({ method: 'GET', url })
  return { status: res.statusCode, body: parse(res.body), headers: res.headers }
}

/** POSTs a value as JSON (light-my-request serialises it and sets the content type). */
export async function post (app: App, url: string, body: unknown): Promise<Reply> {
  const res = await app.inject({ method: 'POST', url, payload: body as object })
  return { status: res.statusCode, body: parse(res.body), headers: res.headers }
}

/** POSTs raw text exactly as given, with the given content type (none when null). */
export async function postRaw (app: App, url: string, payload: string, contentType: string | null = 'application/json'): Promise<Reply> {
  const headers: Record<string, string> = contentType === null ? {} : { 'content-type': contentType }
  const res = await app.inject({ method: 'POST', url, payload, headers })
  return { status: res.statusCode, body: parse(res.body), headers: res.headers }
}

export interface OrderBody {
  symbol?: string
  side?: string
  order_type?: string
  quantity?: string | number
  price?: string | number | null
  client_order_id?: string | null
  /** Any value, so that tests can send invalid ones too. */
  response_type?: unknown
  include_bbo?: unknown
}

/** A limit order body on BTC-USDT unless overridden. */
export function limit (side: 'buy' | 'sell', price: string | number, quantity: string | number, extra: OrderBody = {}): OrderBody {
  return { symbol: SYMBOL, side, order_type: 'limit', quantity, price, ...extra }
}

export function market (side: 'buy' | 'sell', quantity: string | number, extra: OrderBody = {}): OrderBody {
  return { symbol: SYMBOL, side, order_type: 'market', quantity, ...extra }
}

/** Places an order and fails loudly if the service did not accept it. */
export async function placeOk (app: App, order: OrderBody): Promise<Body> {
  const reply = await post(app, '/order', order)
  if (reply.status !== 200) throw new Error(`order refused: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

/** Book depth without its timestamp, so two snapshots compare with t.same. */
export async function depth (app: App, symbol = SYMBOL, levels = 100): Promise<{ bids: string[][], asks: string[][] }> {
  const reply = await get(app, `/book/${symbol}?levels=${levels}`)
  if (reply.status !== 200) throw new Error(`book refused: ${reply.status} ${JSON.stringify(reply.body)}`)
  return { bids: reply.body.bids, asks: reply.body.asks }
}

export async function statistics (app: App, symbol?: string): Promise<Body> {
  const reply = await get(app, symbol === undefined ? '/statistics' : `/statistics?symbol=${symbol}`)
  if (reply.status !== 200) throw new Error(`statistics refused: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

/** What must not move when the service refuses an input. */
export async function stateOf (app: App): Promise<{ book: Awaited<ReturnType<typeof depth>>, ordersProcessed: number, symbols: Body }> {
  const stats = await statistics(app)
  const symbols = await get(app, '/symbols')
  return { book: await depth(app), ordersProcessed: stats.orders_processed, symbols: symbols.body.symbols }
}

/** Every error body has exactly these keys at most, error and error_code always. */
export const ERROR_KEYS = ['error', 'error_code', 'details', 'retry_after']
