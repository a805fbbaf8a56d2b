/**
 * Journal record format: one line per record,
 *   <crc32 of the JSON, 8 hex digits> <space> <JSON array> \n
 * Compact, appendable, human-greppable, and a torn or flipped record fails
 * its checksum. Arrays instead of objects keep records short:
 *   header: ["h", formatVersion, [[symbol, tickSize, lotSize], ...]]   (first line of every segment)
 *   new:    ["n", seq, orderId, timestamp, symbol, side, orderType, priceTicks|null, quantityLots, clientOrderId|null, maxFills]
 *           (maxFills, the engine's cap on trades for that order, is absent from records written before it existed)
 *   cancel: ["c", seq, orderId, timestamp, symbol]
 * Prices and quantities are integer ticks and lots, so they mean something
 * only under the tick and lot sizes they were counted in: the header names
 * them, and recovery refuses a segment counted in other ones.
 */
import { crc32 } from 'node:zlib'
import type { Command } from '../engine/index.js'

export function encodeCommand (command: Command): string {
  const json = JSON.stringify(command.kind === 'new'
    ? ['n', command.seq, command.orderId, command.timestamp, command.symbol, command.side, command.orderType,
        command.priceTicks, command.quantityLots, command.clientOrderId, command.maxFills]
    : ['c', command.seq, command.orderId, command.timestamp, command.symbol])
  return checksum(json) + ' ' + json + '\n'
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
  if (fields[0] === 'n' && (fields.length === 10 || fields.length === 11)) {
    const [, seq, orderId, timestamp, symbol, side, orderType, priceTicks, quantityLots, clientOrderId, maxFills = null] = fields
    return { kind: 'new', seq, orderId, timestamp, symbol, side, orderType, priceTicks, quantityLots, clientOrderId, maxFills }
  }
  if (fields[0] === 'c' && fields.length === 5) {
    const [, seq, orderId, timestamp, symbol] = fields
    return { kind: 'cancel', seq, orderId, timestamp, symbol }
  }
  return null
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
