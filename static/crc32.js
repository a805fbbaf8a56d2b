// CRC-32 (IEEE 802.3, the polynomial of zlib and PNG) and the book checksum
// the server puts on every l2 message: the CRC-32 of the UTF-8 bytes of
// "B1,...,B10|A1,...,A10", each item "price:quantity" exactly as the server
// sent it (canonical decimals), best first, only the levels that exist.
/* global TextEncoder */

const TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

const encoder = new TextEncoder()

// An unsigned 32-bit integer, as zlib.crc32 gives it.
export function crc32 (text) {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text
  let c = 0xffffffff
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

export const CHECKSUM_LEVELS = 10

// bids/asks: [[price, quantity], ...] best first (strings as received).
export function checksumString (bids, asks) {
  const side = (levels) => levels.slice(0, CHECKSUM_LEVELS).map(([p, q]) => `${p}:${q}`).join(',')
  return `${side(bids)}|${side(asks)}`
}

export function bookChecksum (bids, asks) {
  return crc32(checksumString(bids, asks))
}
