/**
 * The journal records of issue 12: a new order's optional fields (a 14th
 * element holding only those present), OCO lists, amends, expiries and
 * trading-status changes round-trip; records of the seed's four types
 * without the new fields are byte for byte what they were, and records
 * written before these fields existed still decode.
 */
import t from 'tap'
import type { Command, NewOrderCommand } from '../../src/engine/index.js'
import { checksum, decodeCommand, encodeCommand } from '../../src/journal/codec.js'
import { unitEngine } from '../helpers/engine.js'

const framed = (fields: unknown[]) => {
  const json = JSON.stringify(fields)
  return checksum(json) + ' ' + json
}
const fieldsOf = (line: string): unknown[] => JSON.parse(line.slice(9)) as unknown[]

const plain: NewOrderCommand = {
  kind: 'new', seq: 1, orderId: '1', timestamp: 10, symbol: 'UNIT-USD', side: 'buy', orderType: 'limit', priceTicks: 5, quantityLots: 2, clientOrderId: 'c', maxFills: 7, accountId: 'alice', stp: 'cancel_both'
}

const commands: Command[] = [
  { ...plain, timeInForce: 'gtd', expireAt: 1_700_000_060_000 },
  { ...plain, seq: 2, orderId: '2', postOnly: true, displayLots: 1 },
  { ...plain, seq: 3, orderId: '3', orderType: 'limit', timeInForce: 'ioc' },
  { ...plain, seq: 4, orderId: '4', orderType: 'stop_limit', stopPriceTicks: 6, timeInForce: 'fok' },
  { ...plain, seq: 5, orderId: '5', orderType: 'stop_market', priceTicks: null, stopPriceTicks: 4 },
  { ...plain, seq: 6, orderId: '6', orderType: 'market', priceTicks: null, quantityLots: 1_000_000, quoteUnits: 2500, clientOrderId: null, maxFills: null },
  {
    ...plain, seq: 7, orderId: '7', orderType: 'stop_limit', stopPriceTicks: 6, timeInForce: 'gtd', postOnly: true, displayLots: 1, expireAt: 1_700_000_000_500, quoteUnits: 9
  },
  { kind: 'oco', seq: 8, orderId: '8', timestamp: 20, symbol: 'UNIT-USD', side: 'sell', quantityLots: 3, priceTicks: 110, stopPriceTicks: 90, stopLimitPriceTicks: 89, limitClientOrderId: 'tp', stopClientOrderId: 'sl', timeInForce: 'gtd', expireAt: 1_700_000_100_000, maxFills: 1000, accountId: 'bob', stp: 'cancel_maker' },
  { kind: 'oco', seq: 9, orderId: '10', timestamp: 21, symbol: 'UNIT-USD', side: 'buy', quantityLots: 1, priceTicks: 90, stopPriceTicks: 110, stopLimitPriceTicks: null, limitClientOrderId: null, stopClientOrderId: null, timeInForce: 'gtc', expireAt: null, maxFills: 5, accountId: 'anonymous', stp: 'none' },
  { kind: 'amend', seq: 10, orderId: '1', timestamp: 22, symbol: 'UNIT-USD', quantityLots: 4, priceTicks: null, stopPriceTicks: null, maxFills: 1000 },
  { kind: 'amend', seq: 11, orderId: '4', timestamp: 23, symbol: 'UNIT-USD', quantityLots: null, priceTicks: 7, stopPriceTicks: 5, maxFills: 3 },
  { kind: 'expire', seq: 12, timestamp: 1_700_000_060_000 },
  { kind: 'set_trading_status', seq: 13, timestamp: 24, symbol: 'UNIT-USD', status: 'halted' },
  { kind: 'set_trading_status', seq: 14, timestamp: 25, symbol: 'UNIT-USD', status: 'cancel_only' },
  { kind: 'set_trading_status', seq: 15, timestamp: 26, symbol: 'UNIT-USD', status: 'trading' }
]

t.test('every new record kind and every new order field round-trips through the codec', async (t) => {
  for (const command of commands) {
    const line = encodeCommand(command)
    t.ok(line.endsWith('\n'))
    t.same(decodeCommand(line.slice(0, -1)), command, `${command.kind} ${command.seq}`)
  }
})

t.test('the formats: compact arrays, short keys, only the fields a new order has', async (t) => {
  const json = (command: Command) => encodeCommand(command).slice(9, -1)
  t.equal(json(commands[0]), '["n",1,"1",10,"UNIT-USD","buy","limit",5,2,"c",7,"alice","cancel_both",{"tif":"gtd","ex":1700000060000}]')
  t.equal(json(commands[6]), '["n",7,"7",10,"UNIT-USD","buy","stop_limit",5,2,"c",7,"alice","cancel_both",{"tif":"gtd","po":true,"sp":6,"dl":1,"ex":1700000000500,"qu":9}]')
  t.equal(json(commands[7]), '["o",8,"8",20,"UNIT-USD","sell",3,110,90,89,"tp","sl","gtd",1700000100000,1000,"bob","cancel_maker"]')
  t.equal(json(commands[10]), '["m",11,"4",23,"UNIT-USD",null,7,5,3]')
  t.equal(json(commands[11]), '["e",12,1700000060000]')
  t.equal(json(commands[12]), '["t",13,24,"UNIT-USD","halted"]')
})

t.test('a new order of the seed\'s types without the new fields is the same 13-element record as before', async (t) => {
  // The exact line main's codec wrote before issue 12 (taken from it), checksum included.
  t.equal(encodeCommand(plain), '394201be ["n",1,"1",10,"UNIT-USD","buy","limit",5,2,"c",7,"alice","cancel_both"]\n')
  // Fields at their default (null, false) count as absent too.
  const defaults: NewOrderCommand = { ...plain, postOnly: false, stopPriceTicks: null, displayLots: null, expireAt: null, quoteUnits: null }
  t.equal(encodeCommand(defaults), encodeCommand(plain))
  t.same(decodeCommand(encodeCommand(defaults).slice(0, -1)), plain)
})

t.test('the engine journals plain orders of each seed type as 13-element records', async (t) => {
  const journaled: Command[] = []
  const e = unitEngine({ onCommand: (c) => journaled.push(c) })
  for (const orderType of ['limit', 'ioc', 'fok'] as const) t.ok(e.submit({ symbol: 'UNIT-USD', side: 'sell', orderType, quantity: 1, price: 100 }).ok)
  t.ok(e.submit({ symbol: 'UNIT-USD', side: 'buy', orderType: 'market', quantity: 1 }).ok)
  t.equal(journaled.length, 4)
  for (const command of journaled) {
    const line = encodeCommand(command)
    t.equal(fieldsOf(line).length, 13, command.kind === 'new' ? command.orderType : command.kind)
    t.same(decodeCommand(line.slice(0, -1)), command)
  }
})

t.test('records written before issue 12 still decode', async (t) => {
  const base = { kind: 'new', seq: 1, orderId: '1', timestamp: 5, symbol: 'UNIT-USD', side: 'buy', orderType: 'limit', priceTicks: 100, quantityLots: 3, clientOrderId: 'c1' }
  t.same(decodeCommand(framed(['n', 1, '1', 5, 'UNIT-USD', 'buy', 'limit', 100, 3, 'c1'])), { ...base, maxFills: null, accountId: 'anonymous', stp: 'none' }, '10 fields')
  t.same(decodeCommand(framed(['n', 1, '1', 5, 'UNIT-USD', 'buy', 'limit', 100, 3, 'c1', 9])), { ...base, maxFills: 9, accountId: 'anonymous', stp: 'none' }, '11 fields')
  t.same(decodeCommand(framed(['n', 1, '1', 5, 'UNIT-USD', 'buy', 'limit', 100, 3, 'c1', 9, 'alice', 'cancel_taker'])), { ...base, maxFills: 9, accountId: 'alice', stp: 'cancel_taker' }, '13 fields')
})

t.test('malformed records of the new kinds are not records', async (t) => {
  const n13 = ['n', 1, '1', 1, 'UNIT-USD', 'buy', 'limit', 1, 1, null, 5, 'alice', 'none']
  const cases: Array<[string, unknown[]]> = [
    ['n with 15 fields', [...n13, { tif: 'gtd' }, 1]],
    ['n whose 14th element is not an object', [...n13, 'gtd']],
    ['n whose 14th element is null', [...n13, null]],
    ['n whose 14th element is an array', [...n13, ['gtd']]],
    ['n whose options are empty (never written)', [...n13, {}]],
    ['n whose options hold an unknown key', [...n13, { tif: 'gtd', iceberg: 3 }]],
    ['n whose options spell a field out in full', [...n13, { timeInForce: 'gtd' }]],
    ['o with 16 fields', ['o', 1, '1', 1, 'UNIT-USD', 'buy', 1, 90, 110, null, null, null, 'gtc', null, 5, 'alice']],
    ['o with 18 fields', ['o', 1, '1', 1, 'UNIT-USD', 'buy', 1, 90, 110, null, null, null, 'gtc', null, 5, 'alice', 'none', 1]],
    ['m with 8', ['m', 1, '1', 1, 'UNIT-USD', 2, null, null]],
    ['m with 10', ['m', 1, '1', 1, 'UNIT-USD', 2, null, null, 5, 1]],
    ['e with 2', ['e', 1]],
    ['e with 4', ['e', 1, 2, 3]],
    ['t with 4', ['t', 1, 1, 'UNIT-USD']],
    ['t with 6', ['t', 1, 1, 'UNIT-USD', 'halted', 1]]
  ]
  for (const [what, fields] of cases) t.equal(decodeCommand(framed(fields)), null, what)
})
