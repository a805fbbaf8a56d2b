/**
 * Journal record format: one line per record,
 *   <crc32 of the JSON, 8 hex digits> <space> <JSON array> \n
 * Compact, appendable, human-greppable, and a torn or flipped record fails
 * its checksum. Arrays instead of objects keep records short:
 *   header: ["h", formatVersion, [[symbol, tickSize, lotSize], ...]]   (first line of every segment)
 *   new:    ["n", seq, orderId, timestamp, symbol, side, orderType, priceTicks|null, quantityLots, clientOrderId|null, maxFills, accountId, stp]
 *           (maxFills, the engine's cap on trades for that order, is absent from records written before it existed;
 *           accountId and stp from records written before accounts: those are the anonymous account's, without STP)
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
import { ANONYMOUS, StpMode, type Command } from '../engine/index.js'

export function encodeCommand (command: Command): string {
  const json = JSON.stringify(fieldsOf(command))
  return checksum(json) + ' ' + json + '\n'
}

function fieldsOf (command: Command): unknown[] {
  switch (command.kind) {
    case 'new':
      return ['n', command.seq, command.orderId, command.timestamp, command.symbol, command.side, command.orderType,
        command.priceTicks, command.quantityLots, command.clientOrderId, command.maxFills, command.accountId, command.stp]
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
    default:
      throw new Error(`encodeCommand: ${command.kind} not implemented`)
  }
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
      if (fields.length !== 10 && fields.length !== 11 && fields.length !== 13) return null
      const [, seq, orderId, timestamp, symbol, side, orderType, priceTicks, quantityLots, clientOrderId, maxFills = null, accountId = ANONYMOUS, stp = StpMode.NONE] = fields
      return { kind: 'new', seq, orderId, timestamp, symbol, side, orderType, priceTicks, quantityLots, clientOrderId, maxFills, accountId, stp }
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
