// Hostile bodies for POST /order: each is answered 4xx with an error_code and
// leaves the book, the order counter and the symbol list exactly as they were.
// Every body is built around an order that WOULD trade against the seeded ask
// if it were accepted, so "book unchanged" is a real check.
import t from 'tap'
import type { Test } from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import type { App } from '../../src/app.js'
import { limit, placeOk, postRaw, stateOf } from './support.js'

const FIELDS: Record<string, string> = {
  symbol: '"BTC-USDT"', side: '"buy"', order_type: '"limit"', quantity: '"0.1"', price: '"30100"'
}

/** Raw JSON text of the crossing order, with fields replaced by raw JSON text (null drops a field). */
function body (over: Record<string, string | null> = {}, prefix = ''): string {
  const fields: Record<string, string | null> = { ...FIELDS, ...over }
  const parts = Object.entries(fields).filter(([, v]) => v !== null).map(([k, v]) => `${JSON.stringify(k)}:${v as string}`)
  return '{' + prefix + parts.join(',') + '}'
}
const str = (text: string): string => JSON.stringify(text)
const LONG = 10 * 1024

const CASES: Array<[string, string]> = [
  // Not JSON, or not an object
  ['malformed: truncated', '{"symbol":"BTC-USDT","side":"buy"'],
  ['malformed: bare word', '{bad'],
  ['malformed: trailing garbage', body() + '}'],
  ['malformed: single quotes', "{'symbol':'BTC-USDT'}"],
  ['malformed: trailing comma', body().slice(0, -1) + ',}'],
  ['empty body', ''],
  ['whitespace body', '   '],
  ['array body', '[]'],
  ['array holding the order', '[' + body() + ']'],
  ['null body', 'null'],
  ['string body', '"order"'],
  ['number body', '42'],
  ['boolean body', 'true'],
  // Wrong types
  ['quantity true', body({ quantity: 'true' })],
  ['quantity [1]', body({ quantity: '[1]' })],
  ['quantity ["0.1"]', body({ quantity: '["0.1"]' })],
  ['quantity {}', body({ quantity: '{}' })],
  ['quantity null', body({ quantity: 'null' })],
  ['quantity missing', body({ quantity: null })],
  ['price true', body({ price: 'true' })],
  ['price [30100]', body({ price: '[30100]' })],
  ['price {}', body({ price: '{}' })],
  ['symbol 5', body({ symbol: '5' })],
  ['symbol null', body({ symbol: 'null' })],
  ['symbol ["BTC-USDT"]', body({ symbol: '["BTC-USDT"]' })],
  ['side true', body({ side: 'true' })],
  ['side 1', body({ side: '1' })],
  ['order_type []', body({ order_type: '[]' })],
  ['client_order_id 5', body({ client_order_id: '5' })],
  ['client_order_id {}', body({ client_order_id: '{}' })],
  ['client_order_id with a space', body({ client_order_id: str('a b') })],
  ['client_order_id of 65 chars', body({ client_order_id: str('x'.repeat(65)) })],
  ['deeply nested symbol', body({ symbol: '['.repeat(2000) + ']'.repeat(2000) })],
  ['duplicate key, the last one bad', body().slice(0, -1) + ',"quantity":true}'],
  // Prototype keys
  ['__proto__ key', body({}, '"__proto__":{"polluted":"yes"},')],
  ['__proto__ key with a string', body({}, '"__proto__":"x",')],
  ['constructor.prototype key', body({}, '"constructor":{"prototype":{"polluted":"yes"}},')],
  ['constructor key', body({}, '"constructor":1,')],
  ['nested __proto__ in a field', body({ quantity: '{"__proto__":{"polluted":"yes"}}' })],
  // Huge and odd numbers
  ['quantity 1e400 (raw)', body({ quantity: '1e400' })],
  ['price 1e400 (raw)', body({ price: '1e400' })],
  ['quantity -1e400 (raw)', body({ quantity: '-1e400' })],
  ['quantity 1e-400 (raw, underflows to 0)', body({ quantity: '1e-400' })],
  ['quantity 1e21', body({ quantity: '1e21' })],
  ['price 1e21', body({ price: '1e21' })],
  ['quantity 30 digits', body({ quantity: '123456789012345678901234567890' })],
  ['quantity "1e400"', body({ quantity: str('1e400') })],
  ['price "1e400"', body({ price: str('1e400') })],
  ['quantity "1e21"', body({ quantity: str('1e21') })],
  ['quantity "1e-400"', body({ quantity: str('1e-400') })],
  ['quantity with 19 significant digits', body({ quantity: str('0.1000000000000000001') })],
  ['price past the safe tick range', body({ price: str('99999999999999.99') })],
  // Negative zero and other non-positive values
  ['quantity -0', body({ quantity: '-0' })],
  ['quantity "-0"', body({ quantity: str('-0') })],
  ['quantity "-0.0"', body({ quantity: str('-0.0') })],
  ['price -0', body({ price: '-0' })],
  ['quantity -0.1', body({ quantity: '-0.1' })],
  ['quantity "0"', body({ quantity: str('0') })],
  // Malformed decimals
  ['quantity "0.1.2"', body({ quantity: str('0.1.2') })],
  ['quantity ".1"', body({ quantity: str('.1') })],
  ['quantity "1."', body({ quantity: str('1.') })],
  ['quantity "+0.1"', body({ quantity: str('+0.1') })],
  ['quantity " 0.1"', body({ quantity: str(' 0.1') })],
  ['quantity "0.1 "', body({ quantity: str('0.1 ') })],
  ['quantity "0,1"', body({ quantity: str('0,1') })],
  ['quantity "1_000"', body({ quantity: str('1_000') })],
  ['quantity "0x10"', body({ quantity: str('0x10') })],
  ['quantity "NaN"', body({ quantity: str('NaN') })],
  ['quantity "Infinity"', body({ quantity: str('Infinity') })],
  ['quantity ""', body({ quantity: str('') })],
  ['price "30,000"', body({ price: str('30,000') })],
  ['price "30 100"', body({ price: str('30 100') })],
  ['price "$30100"', body({ price: str('$30100') })],
  ['price "30100USDT"', body({ price: str('30100USDT') })],
  // Unicode digits
  ['quantity in Arabic-Indic digits', body({ quantity: str('٠.١') })],
  ['quantity in fullwidth digits', body({ quantity: str('０.１') })],
  ['quantity in mathematical digits', body({ quantity: str('𝟎.𝟏') })],
  ['price in Devanagari digits', body({ price: str('३०१००') })],
  // Strings that are not quite the enum values
  ['side "BUY " with a space', body({ side: str('BUY ') })],
  ['side " buy"', body({ side: str(' buy') })],
  ['side "buy\\u0000"', body({ side: str('buy\u0000') })],
  ['side "bid"', body({ side: str('bid') })],
  ['order_type "limit\\n"', body({ order_type: str('limit\n') })],
  ['symbol "BTC-USDT " with a space', body({ symbol: str('BTC-USDT ') })],
  ['symbol "BTCUSDT"', body({ symbol: str('BTCUSDT') })],
  ['symbol with a Unicode hyphen', body({ symbol: str('BTC\u2010USDT') })],
  ['symbol in fullwidth letters', body({ symbol: str('ＢＴＣ-USDT') })],
  // Very long strings
  ['10 KB symbol', body({ symbol: str('B'.repeat(LONG)) })],
  ['10 KB side', body({ side: str('b'.repeat(LONG)) })],
  ['10 KB quantity of digits', body({ quantity: str('1'.repeat(LONG)) })],
  ['10 KB client_order_id', body({ client_order_id: str('c'.repeat(LONG)) })],
  // Unknown fields: rejected, never stripped
  ['unknown field', body({ extra: '1' })],
  ['unknown field stop_price', body({ stop_price: str('30000') })],
  ['field name in another case', body({ Quantity: str('0.1') })],
  ['unknown field with a 10 KB value', body({ note: str('n'.repeat(LONG)) })]
]

async function seeded (t: Test): Promise<App> {
  const app = await buildTestApp(t)
  await placeOk(app, limit('buy', '29900', '0.5'))
  await placeOk(app, limit('buy', '29800', '0.25'))
  await placeOk(app, limit('sell', '30050', '0.5'))
  await placeOk(app, limit('sell', '30200', '1'))
  return app
}

t.test('the control body is accepted and trades (so the table below means something)', async (t) => {
  const app = await seeded(t)
  const reply = await postRaw(app, '/order', body())
  t.equal(reply.status, 200)
  t.equal(reply.body.trades.length, 1)
})

t.test('every hostile body gets a 4xx with an error_code and changes nothing', async (t) => {
  const app = await seeded(t)
  const start = await stateOf(app)
  t.equal(start.ordersProcessed, 4)
  for (const [label, payload] of CASES) {
    const before = await stateOf(app)
    const reply = await postRaw(app, '/order', payload)
    t.ok(reply.status >= 400 && reply.status < 500, `${label}: 4xx (got ${reply.status})`)
    t.type(reply.body.error_code, 'string', `${label}: error_code`)
    t.type(reply.body.error, 'string', `${label}: error`)
    t.strictSame(await stateOf(app), before, `${label}: book and counters unchanged`)
  }
  t.strictSame(await stateOf(app), start, 'nothing changed over the whole table')
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype not polluted')
})

t.test('the same hostile bodies on /cancel change nothing either', async (t) => {
  const app = await seeded(t)
  const before = await stateOf(app)
  const cancelCases: Array<[string, string]> = [
    ['malformed', '{"symbol":'],
    ['order_id as a number', '{"symbol":"BTC-USDT","order_id":1}'],
    ['order_id as an array', '{"symbol":"BTC-USDT","order_id":["1"]}'],
    ['__proto__ key', '{"__proto__":{"x":1},"symbol":"BTC-USDT","order_id":"1"}'],
    ['unknown field', '{"symbol":"BTC-USDT","order_id":"1","force":true}'],
    ['order_id of 10 KB', `{"symbol":"BTC-USDT","order_id":${str('1'.repeat(LONG))}}`],
    ['array body', '[{"symbol":"BTC-USDT","order_id":"1"}]']
  ]
  for (const [label, payload] of cancelCases) {
    const reply = await postRaw(app, '/cancel', payload)
    t.ok(reply.status >= 400 && reply.status < 500, `${label}: 4xx (got ${reply.status})`)
    t.type(reply.body.error_code, 'string', `${label}: error_code`)
    t.strictSame(await stateOf(app), before, `${label}: unchanged`)
  }
})

// Case-insensitivity means ASCII case. String.prototype.toUpperCase/toLowerCase
// also fold a few non-ASCII letters onto ASCII ones (U+017F LONG S → "S",
// U+212A KELVIN SIGN → "k"), so a name that is not the symbol must not alias it.
t.test('Unicode look-alikes are not folded into a real symbol, side or type', async (t) => {
  const app = await seeded(t)
  const cases: Array<[string, string]> = [
    ['symbol "BTC-U\\u017fDT" (long s)', body({ symbol: str('BTC-U\u017fDT') })],
    ['symbol "\\u017fOL-USDT" (long s)', body({ symbol: str('\u017fOL-USDT'), quantity: str('1'), price: str('30') })],
    ['order_type "MAR\\u212aET" (Kelvin sign)', body({ order_type: str('MAR\u212aET'), price: null })]
  ]
  for (const [label, payload] of cases) {
    const before = await stateOf(app)
    const reply = await postRaw(app, '/order', payload)
    t.ok(reply.status >= 400 && reply.status < 500, `${label}: 4xx (got ${reply.status})`)
    t.strictSame(await stateOf(app), before, `${label}: unchanged`)
  }
})
