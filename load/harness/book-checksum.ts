/**
 * The l2 book checksum of issue 13's contract (section 2), computed by the consumers on their own book:
 * CRC-32 (IEEE 802.3, zlib's) of the UTF-8 bytes of `B1,...,B10|A1,...,A10`, each item `price:quantity`
 * as the server sent the strings, bids highest first, asks lowest first, only the levels that exist
 * (an empty book is `|`). The k6 twin is load/k6/lib/checksum.js (a table CRC-32: k6 has no zlib);
 * test/load/book-checksum.test.ts holds both to zlib.crc32.
 */
import { crc32 } from 'node:zlib'

/** [price, quantity] as the wire carries them (canonical decimal strings). */
export type Level = readonly [string, string]

/** Levels per side the checksum covers, whatever the subscription's depth. */
export const CHECKSUM_LEVELS = 10

/** The exact string that is hashed: the top CHECKSUM_LEVELS of each side, best first. */
export function checksumString (bids: readonly Level[], asks: readonly Level[]): string {
  return `${side(bids)}|${side(asks)}`
}

function side (levels: readonly Level[]): string {
  let out = ''
  const n = Math.min(CHECKSUM_LEVELS, levels.length)
  for (let i = 0; i < n; i++) out += (i === 0 ? '' : ',') + levels[i][0] + ':' + levels[i][1]
  return out
}

/** The unsigned 32-bit checksum a message carries for a book whose sides are sorted best first. */
export function bookChecksum (bids: readonly Level[], asks: readonly Level[]): number {
  return crc32(checksumString(bids, asks)) >>> 0
}
