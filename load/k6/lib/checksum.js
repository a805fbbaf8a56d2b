// The l2 book checksum of issue 13 (README, "Checksums"), for k6, which has no zlib: CRC-32 (IEEE 802.3,
// reflected polynomial 0xEDB88320, the one of zlib and PNG) over the UTF-8 bytes of
// `B1,...,B10|A1,...,A10`, each item `price:quantity` as the server sent the strings, bids highest first,
// asks lowest first, only the levels that exist (an empty book is `|`). Plain ES2017, no k6 module, so
// test/load/book-checksum.test.ts runs it under Node against zlib.crc32.

const TABLE = (function () {
  const table = new Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) ? (0xEDB88320 ^ (c >>> 1)) : (c >>> 1)
    table[n] = c >>> 0
  }
  return table
})()

export const CHECKSUM_LEVELS = 10

// CRC-32 of a string's UTF-8 bytes (encoded here: k6 0.48 has no TextEncoder), as an unsigned integer.
export function crc32 (text) {
  let crc = 0xFFFFFFFF
  const add = function (byte) { crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >>> 8) }
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i)
    if (code >= 0xD800 && code <= 0xDBFF && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1)
      if (low >= 0xDC00 && low <= 0xDFFF) {
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        i++
      }
    }
    if (code < 0x80) add(code)
    else if (code < 0x800) { add(0xC0 | (code >> 6)); add(0x80 | (code & 0x3F)) } else if (code < 0x10000) {
      add(0xE0 | (code >> 12)); add(0x80 | ((code >> 6) & 0x3F)); add(0x80 | (code & 0x3F))
    } else {
      add(0xF0 | (code >> 18)); add(0x80 | ((code >> 12) & 0x3F)); add(0x80 | ((code >> 6) & 0x3F)); add(0x80 | (code & 0x3F))
    }
  }
  return (crc ^ 0xFFFFFFFF) >>> 0
}

function side (levels) {
  const items = []
  for (let i = 0; i < levels.length && i < CHECKSUM_LEVELS; i++) items.push(levels[i][0] + ':' + levels[i][1])
  return items.join(',')
}

// The exact string hashed: levels are [price, quantity] string pairs, each side sorted best first.
export function checksumString (bids, asks) {
  return side(bids) + '|' + side(asks)
}

export function bookChecksum (bids, asks) {
  return crc32(checksumString(bids, asks))
}

// A consumer's book from the wire: {bids, asks} maps price string -> quantity string, sorted on demand.
// Prices are matched by their numeric value (the server sends canonical decimals, so one string per value).
export function newBook () {
  return { bids: {}, asks: {} }
}

function setLevels (sideMap, levels) {
  for (let i = 0; i < (levels ? levels.length : 0); i++) {
    const price = String(levels[i][0])
    const qty = String(levels[i][1])
    const key = String(Number(price))
    if (Number(qty) === 0) delete sideMap[key]
    else sideMap[key] = [price, qty]
  }
}

// Replaces the book (a snapshot or an l2 resync).
export function loadBook (book, bids, asks) {
  book.bids = {}
  book.asks = {}
  setLevels(book.bids, bids)
  setLevels(book.asks, asks)
}

// Applies a delta: each [price, quantity] sets the level, quantity "0" removes it.
export function applyDelta (book, bids, asks) {
  setLevels(book.bids, bids)
  setLevels(book.asks, asks)
}

// The side best first, cut to `depth` levels (levels leaving a depth-limited window are dropped).
export function sortedSide (sideMap, descending, depth) {
  const levels = []
  for (const key in sideMap) levels.push(sideMap[key])
  levels.sort(function (a, b) { return descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0]) })
  return depth > 0 && levels.length > depth ? levels.slice(0, depth) : levels
}

// Trims the book to `depth` levels per side and returns its checksum.
export function trimAndChecksum (book, depth) {
  const bids = sortedSide(book.bids, true, depth)
  const asks = sortedSide(book.asks, false, depth)
  if (depth > 0) {
    book.bids = {}
    book.asks = {}
    setLevels(book.bids, bids)
    setLevels(book.asks, asks)
  }
  return bookChecksum(bids, asks)
}
