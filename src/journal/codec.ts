/**
 * Journal record format: one line per record,
 *   <crc32 of the JSON, 8 hex digits> <space> <JSON array> \n
 * Compact, appendable, human-greppable, and a torn or flipped record fails
 * its checksum. Arrays instead of objects keep records short:
 *   header: ["h", formatVersion, [[symbol, tickSize, lotSize], ...]]   (first line of every segment)
 *   new:    ["n", seq, orderId, timestamp, symbol, side, orderType, priceTicks|null, quantityLots, clientOrderId|null, maxFills, accountId, stp, options?]
 *           (maxFills, the engine's cap on trades for that order, is absent from records written before it existed;
 *           accountId and stp from records written before accounts: those are the anonymous account's, without STP).
 *           options, only when the order has one of issue 12's fields, holds just those it has:
 *           {tif: timeInForce, po: true (postOnly), sp: stopPriceTicks, dl: displayLots, ex: expireAt, qu: quoteUnits};
 *           an order of the seed's four types without them is the same 13 elements as before
 *   oco:    ["o", seq, orderId, timestamp, symbol, side, quantityLots, priceTicks, stopPriceTicks, stopLimitPriceTicks|null,
 *            limitClientOrderId|null, stopClientOrderId|null, timeInForce, expireAt|null, maxFills, accountId, stp]
 *   amend:  ["m", seq, orderId, timestamp, symbol, quantityLots|null, priceTicks|null, stopPriceTicks|null, maxFills]
 *   expire: ["e", seq, timestamp]
 *   set trading status: ["t", seq, timestamp, symbol, status]
 *   set price band:     ["b", seq, timestamp, symbol, band|null]   (band a decimal fraction)
 *   cancel: ["c", seq, orderId, timestamp, symbol]
 *   cancel all:         ["x", seq, timestamp, accountId, symbol|null, side|null]
 *   create account:     ["a", seq, timestamp, accountId]
 *   set account status: ["s", seq, timestamp, accountId, status]
 *   create API key:     ["k", seq, timestamp, accountId, keyId, permissions, fingerprint]   (never a secret)
 *   revoke API key:     ["r", seq, timestamp, keyId]
 * Prices and quantities are integer ticks and lots, so they mean something
 * only under the tick and lot sizes they were counted in: the header names
 * them, and recovery refuses a segment counted in other ones.
 */
import { crc32 } from 'node:zlib'
import { ANONYMOUS, StpMode, type Command, type NewOrderCommand } from '../engine/index.js'

export function encodeCommand (command: Command): string {
  const json = JSON.stringify(fieldsOf(command))
  return checksum(json) + ' ' + json + '\n'
}

function fieldsOf (command: Command): unknown[] {
  switch (command.kind) {
    case 'new': {
      const fields: unknown[] = ['n', command.seq, command.orderId, command.timestamp, command.symbol, command.side, command.orderType,
        command.priceTicks, command.quantityLots, command.clientOrderId, command.maxFills, command.accountId, command.stp]
      const options = optionsOf(command)
      if (options !== null) fields.push(options)
      return fields
    }
    case 'oco':
      return ['o', command.seq, command.orderId, command.timestamp, command.symbol, command.side, command.quantityLots, command.priceTicks,
        command.stopPriceTicks, command.stopLimitPriceTicks, command.limitClientOrderId, command.stopClientOrderId, command.timeInForce,
        command.expireAt, command.maxFills, command.accountId, command.stp]
    case 'amend':
      return ['m', command.seq, command.orderId, command.timestamp, command.symbol, command.quantityLots, command.priceTicks,
        command.stopPriceTicks, command.maxFills]
    case 'expire':
      return ['e', command.seq, command.timestamp]
    case 'set_trading_status':
      return ['t', command.seq, command.timestamp, command.symbol, command.status]
    case 'set_price_band':
      return ['b', command.seq, command.timestamp, command.symbol, command.band]
    case 'cancel':
      return ['c', command.seq, command.orderId, command.timestamp, command.symbol]
    case 'cancel_all':
      return ['x', command.seq, command.timestamp, command.accountId, command.symbol, command.side]
    case 'create_account':
      return ['a', command.seq, command.timestamp, command.accountId]
    case 'set_account_status':
      return ['s', command.seq, command.timestamp, command.accountId, command.status]
    case 'create_key':
      return ['k', command.seq, command.timestamp, command.accountId, command.keyId, command.permissions, command.fingerprint]
    case 'revoke_key':
      return ['r', command.seq, command.timestamp, command.keyId]
  }
}

/**
 * The short keys of a new order's issue-12 fields. A field at its default
 * (absent, null, postOnly false) is left out, so a plain order's record is
 * exactly what it was before these fields existed.
 */
const OPTION_KEYS = [
  ['tif', 'timeInForce'],
  ['po', 'postOnly'],
  ['sp', 'stopPriceTicks'],
  ['dl', 'displayLots'],
  ['ex', 'expireAt'],
  ['qu', 'quoteUnits']
] as const
type OptionField = typeof OPTION_KEYS[number][1]

function optionsOf (command: NewOrderCommand): Record<string, unknown> | null {
  let options: Record<string, unknown> | null = null
  for (const [key, field] of OPTION_KEYS) {
    const value = command[field]
    if (value === undefined || value === null || value === false) continue
    options ??= {}
    options[key] = value
  }
  return options
}

/**
 * The fields of a record's options object; null when it is not one
 * encodeCommand writes (not an object, empty, or an unknown key). Its values
 * are trusted like the record's other elements (see decodeFrame).
 */
function fieldsOfOptions (options: unknown): Partial<Pick<NewOrderCommand, OptionField>> | null {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return null
  const entries = Object.entries(options)
  if (entries.length === 0) return null
  const fields: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    const known = OPTION_KEYS.find(([short]) => short === key)
    if (known === undefined) return null
    fields[known[1]] = value
  }
  return fields as Partial<Pick<NewOrderCommand, OptionField>>
}

/** The segment format this code writes and reads. */
export const JOURNAL_FORMAT = 1

/** [symbol, tickSize, lotSize] for each configured symbol, as decimal strings. */
export type SymbolFilters = ReadonlyArray<readonly [string, string, string]>

export interface SegmentHeader { readonly version: number, readonly filters: SymbolFilters }

export function encodeHeader (filters: SymbolFilters): string {
  const json = JSON.stringify(['h', JOURNAL_FORMAT, filters])
  return checksum(json) + ' ' + json + '\n'
}

/** Decodes a header line (without its newline); null when it is not one. */
export function decodeHeader (line: string): SegmentHeader | null {
  const fields = decodeFrame(line)
  if (fields === null || fields[0] !== 'h' || fields.length !== 3 || typeof fields[1] !== 'number' || !Array.isArray(fields[2])) return null
  const filters = fields[2] as unknown[]
  const valid = filters.every((f) => Array.isArray(f) && f.length === 3 && f.every((part) => typeof part === 'string'))
  return valid ? { version: fields[1], filters: filters as SymbolFilters } : null
}

export function checksum (text: string): string {
  return crc32(text).toString(16).padStart(8, '0')
}

/** Decodes one line (without its newline); null when the checksum or shape is wrong. */
export function decodeCommand (line: string): Command | null {
  const fields = decodeFrame(line)
  if (fields === null) return null
  switch (fields[0]) {
    case 'n': {
      if (fields.length !== 10 && fields.length !== 11 && fields.length !== 13 && fields.length !== 14) return null
      const [, seq, orderId, timestamp, symbol, side, orderType, priceTicks, quantityLots, clientOrderId, maxFills = null, accountId = ANONYMOUS, stp = StpMode.NONE] = fields
      const command = { kind: 'new', seq, orderId, timestamp, symbol, side, orderType, priceTicks, quantityLots, clientOrderId, maxFills, accountId, stp } as const
      if (fields.length !== 14) return command
      const options = fieldsOfOptions(fields[13])
      return options === null ? null : { ...command, ...options }
    }
    case 'o': {
      if (fields.length !== 17) return null
      const [, seq, orderId, timestamp, symbol, side, quantityLots, priceTicks, stopPriceTicks, stopLimitPriceTicks,
        limitClientOrderId, stopClientOrderId, timeInForce, expireAt, maxFills, accountId, stp] = fields
      return { kind: 'oco', seq, orderId, timestamp, symbol, side, quantityLots, priceTicks, stopPriceTicks, stopLimitPriceTicks, limitClientOrderId, stopClientOrderId, timeInForce, expireAt, maxFills, accountId, stp }
    }
    case 'm': {
      if (fields.length !== 9) return null
      const [, seq, orderId, timestamp, symbol, quantityLots, priceTicks, stopPriceTicks, maxFills] = fields
      return { kind: 'amend', seq, orderId, timestamp, symbol, quantityLots, priceTicks, stopPriceTicks, maxFills }
    }
    case 'e': {
      if (fields.length !== 3) return null
      const [, seq, timestamp] = fields
      return { kind: 'expire', seq, timestamp }
    }
    case 't': {
      if (fields.length !== 5) return null
      const [, seq, timestamp, symbol, status] = fields
      return { kind: 'set_trading_status', seq, timestamp, symbol, status }
    }
    case 'b': {
      if (fields.length !== 5) return null
      const [, seq, timestamp, symbol, band] = fields
      return { kind: 'set_price_band', seq, timestamp, symbol, band }
    }
    case 'c': {
      if (fields.length !== 5) return null
      const [, seq, orderId, timestamp, symbol] = fields
      return { kind: 'cancel', seq, orderId, timestamp, symbol }
    }
    case 'x': {
      if (fields.length !== 6) return null
      const [, seq, timestamp, accountId, symbol, side] = fields
      return { kind: 'cancel_all', seq, timestamp, accountId, symbol, side }
    }
    case 'a': {
      if (fields.length !== 4) return null
      const [, seq, timestamp, accountId] = fields
      return { kind: 'create_account', seq, timestamp, accountId }
    }
    case 's': {
      if (fields.length !== 5) return null
      const [, seq, timestamp, accountId, status] = fields
      return { kind: 'set_account_status', seq, timestamp, accountId, status }
    }
    case 'k': {
      if (fields.length !== 7) return null
      const [, seq, timestamp, accountId, keyId, permissions, fingerprint] = fields
      return { kind: 'create_key', seq, timestamp, accountId, keyId, permissions, fingerprint }
    }
    case 'r': {
      if (fields.length !== 4) return null
      const [, seq, timestamp, keyId] = fields
      return { kind: 'revoke_key', seq, timestamp, keyId }
    }
    default:
      return null
  }
}

/**
 * The JSON array of a `<crc32> <json>` line whose checksum holds; null
 * otherwise. Its elements are typed loosely on purpose: a line that passes
 * its checksum was written by encodeCommand/encodeHeader, and the callers
 * check the shape they expect.
 */
function decodeFrame (line: string): any[] | null {
  if (line.length < 10 || line[8] !== ' ') return null
  const json = line.slice(9)
  if (checksum(json) !== line.slice(0, 8)) return null
  try {
    const fields: unknown = JSON.parse(json)
    return Array.isArray(fields) ? fields : null
  } catch {
    return null
  }
}
