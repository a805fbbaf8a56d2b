/**
 * Journal record format: one line per command,
 *   <crc32 of the JSON, 8 hex digits> <space> <JSON array> \n
 * Compact, appendable, human-greppable, and a torn or flipped record fails
 * its checksum. Arrays instead of objects keep records short:
 *   new:    ["n", seq, orderId, timestamp, symbol, side, orderType, priceTicks|null, quantityLots, clientOrderId|null, maxFills]
 *           (maxFills, the engine's cap on trades for that order, is absent from records written before it existed)
 *   cancel: ["c", seq, orderId, timestamp, symbol]
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

export function checksum (text: string): string {
  return crc32(text).toString(16).padStart(8, '0')
}

/** Decodes one line (without its newline); null when the checksum or shape is wrong. */
export function decodeCommand (line: string): Command | null {
  if (line.length < 10 || line[8] !== ' ') return null
  const json = line.slice(9)
  if (checksum(json) !== line.slice(0, 8)) return null
  let fields: unknown
  try {
    fields = JSON.parse(json)
  } catch {
    return null
  }
  if (!Array.isArray(fields)) return null
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
