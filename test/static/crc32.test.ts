// The page's CRC-32 (static/crc32.js, a plain browser module) against Node's
// zlib.crc32 on the same strings, and the checksum string rule of the
// protocol (README, "Book checksum") on its worked example.
import t from 'tap'
import { crc32 as zlibCrc32 } from 'node:zlib'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

interface Crc32Module {
  crc32 (text: string | Uint8Array): number
  checksumString (bids: string[][], asks: string[][]): string
  bookChecksum (bids: string[][], asks: string[][]): number
}
const MODULE = pathToFileURL(join(import.meta.dirname, '..', '..', 'static', 'crc32.js')).href
const m = await import(MODULE) as Crc32Module

t.test('crc32 equals zlib.crc32', async (t) => {
  const strings = [
    '', '|', 'a', '123456789', '100.5:2,100:1.25|101:3',
    '30000:0.5,29999.99:1.25,29999.5:3|30000.01:0.1,30001:2',
    'ünïcödé €', 'x'.repeat(1000)
  ]
  for (const s of strings) t.equal(m.crc32(s), zlibCrc32(s), JSON.stringify(s.slice(0, 40)))
  t.equal(m.crc32('123456789'), 0xcbf43926, 'the CRC-32 check value')
  const bytes = new Uint8Array(256).map((_, i) => i)
  t.equal(m.crc32(bytes), zlibCrc32(bytes), 'bytes 0..255')
})

t.test('the checksum string: top 10 per side, price:quantity as received', async (t) => {
  t.equal(m.checksumString([['100.5', '2'], ['100', '1.25']], [['101', '3']]), '100.5:2,100:1.25|101:3', "the protocol's example")
  t.equal(m.checksumString([], []), '|', 'empty book')
  t.equal(m.checksumString([['1', '1']], []), '1:1|', 'empty ask side')
  const many = Array.from({ length: 15 }, (_, i) => [String(100 - i), '1'])
  t.equal(m.checksumString(many, []).split(',').length, 10, 'only the best 10 levels')
  t.equal(m.bookChecksum([['100.5', '2'], ['100', '1.25']], [['101', '3']]), zlibCrc32('100.5:2,100:1.25|101:3'))
})
