/**
 * The book checksums clients verify: CRC-32 (IEEE 802.3, zlib's and PNG's)
 * of the UTF-8 bytes of a text that lists the top of the book, as an
 * unsigned 32-bit integer. One function, so that l2 and l3 hash alike.
 */
import { crc32 } from 'node:zlib'

/** The number of levels per side a checksum covers. */
export const CHECKSUM_LEVELS = 10

export function checksumOf (text: string): number {
  // zlib.crc32 already answers an unsigned integer; >>> 0 keeps it so whatever the runtime.
  return crc32(text) >>> 0
}
