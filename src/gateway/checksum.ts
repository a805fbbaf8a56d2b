/**
 * The book checksum every l2 message carries, so a client can prove after
 * each message that the book it holds is the server's. It is CRC-32 (the
 * IEEE polynomial of zlib and PNG) of the top 10 levels of each side as text:
 * `B1,B2,...|A1,A2,...` with each level `price:quantity` in the exact strings
 * the messages carry, bids best (highest) first, then asks best (lowest)
 * first, fewer items when a side holds fewer levels. An empty book is `|`.
 */
import { crc32 } from 'node:zlib'

/** Levels per side the checksum covers. */
export const CHECKSUM_LEVELS = 10

/** A level as the wire shows it: [price, quantity] canonical decimal strings. */
export type TextLevel = readonly [string, string]

/** The exact string that is hashed. */
export function checksumText (bids: Iterable<TextLevel>, asks: Iterable<TextLevel>): string {
  return `${sideText(bids)}|${sideText(asks)}`
}

/** The l2 checksum as an unsigned 32-bit integer. */
export function bookChecksum (bids: Iterable<TextLevel>, asks: Iterable<TextLevel>): number {
  return checksumOf(checksumText(bids, asks))
}

/** CRC-32 of a checksum text (l2's above, l3's in l3-view.ts): one function, so both hash alike. */
export function checksumOf (text: string): number {
  // zlib.crc32 already answers an unsigned integer; >>> 0 keeps it so whatever the runtime.
  return crc32(text) >>> 0
}

function sideText (levels: Iterable<TextLevel>): string {
  let text = ''
  let n = 0
  for (const [price, quantity] of levels) {
    if (n === CHECKSUM_LEVELS) break
    text += n === 0 ? `${price}:${quantity}` : `,${price}:${quantity}`
    n++
  }
  return text
}
