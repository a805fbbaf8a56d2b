/**
 * The l2 checksum of issue 13's contract as the harness computes it (load/harness/book-checksum.ts, on
 * zlib.crc32) and as k6 does (load/k6/lib/checksum.js, a table CRC-32 in plain JS), both held to
 * zlib.crc32; and the consumer's own book (load/harness/l2-book.ts): deltas applied, depth kept, the
 * memo shared by consumers in one state never hiding a consumer whose book differs.
 */
import t from 'tap'
import { crc32 } from 'node:zlib'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bookChecksum, checksumString, type Level } from '../../load/harness/book-checksum.js'
import { bookFromSnapshot, L2Book } from '../../load/harness/l2-book.js'

interface K6Checksum {
  crc32: (text: string) => number
  checksumString: (bids: Level[], asks: Level[]) => string
  bookChecksum: (bids: Level[], asks: Level[]) => number
  newBook: () => { bids: Record<string, Level>, asks: Record<string, Level> }
  loadBook: (book: unknown, bids: Level[], asks: Level[]) => void
  applyDelta: (book: unknown, bids: Level[], asks: Level[]) => void
  trimAndChecksum: (book: unknown, depth: number) => number
}
const root = fileURLToPath(new URL('../../', import.meta.url))
const k6 = await import(pathToFileURL(join(root, 'load/k6/lib/checksum.js')).href) as K6Checksum

const zlib = (text: string): number => crc32(text) >>> 0

t.test('the contract\'s examples: the string hashed and its CRC-32', async (t) => {
  const bids: Level[] = [['100.5', '2'], ['100', '1.25']]
  const asks: Level[] = [['101', '3']]
  t.equal(checksumString(bids, asks), '100.5:2,100:1.25|101:3')
  t.equal(k6.checksumString(bids, asks), '100.5:2,100:1.25|101:3')
  t.equal(checksumString([], []), '|', 'empty book')
  t.equal(checksumString([], asks), '|101:3', 'empty bid side')
  t.equal(bookChecksum(bids, asks), zlib('100.5:2,100:1.25|101:3'))
  t.equal(k6.bookChecksum(bids, asks), zlib('100.5:2,100:1.25|101:3'))
  t.equal(bookChecksum([], []), zlib('|'))
  t.equal(k6.crc32('|'), zlib('|'))
  t.equal(k6.crc32(''), 0)
  t.equal(k6.crc32('123456789'), 0xCBF43926, 'the CRC-32 check value')
  t.ok(bookChecksum(bids, asks) >= 0, 'unsigned')
})

t.test('only the top 10 levels of each side are hashed', async (t) => {
  const bids: Level[] = Array.from({ length: 14 }, (_, i) => [String(100 - i), '1'])
  const asks: Level[] = Array.from({ length: 12 }, (_, i) => [String(101 + i) + '.5', '0.25'])
  const text = checksumString(bids, asks)
  t.equal(text.split('|')[0].split(',').length, 10)
  t.equal(text.split('|')[1].split(',').length, 10)
  t.equal(text, k6.checksumString(bids, asks))
  t.equal(bookChecksum(bids, asks), bookChecksum(bids.slice(0, 10), asks.slice(0, 10)))
})

t.test('the k6 CRC-32 equals zlib.crc32 on random strings, non-ASCII included', async (t) => {
  let seed = 42
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  const alphabet = '0123456789.:,|-abc€ü😀'
  for (let i = 0; i < 300; i++) {
    let s = ''
    const len = rnd(200)
    for (let j = 0; j < len; j++) s += [...alphabet][rnd([...alphabet].length)]
    if (k6.crc32(s) !== zlib(s)) {
      t.fail(`differs on ${JSON.stringify(s)}`)
      return
    }
  }
  t.pass('300 strings agree')
})

t.test('a consumer book: snapshot, deltas, removal by "0", best first, cut to its depth', async (t) => {
  let book = bookFromSnapshot([['99', '1'], ['100', '2']], [['102', '1'], ['101', '3']], 10)
  t.same(book.bids, [['100', '2'], ['99', '1']], 'bids highest first')
  t.same(book.asks, [['101', '3'], ['102', '1']], 'asks lowest first')
  book = book.applyDelta([['100.5', '4'], ['99', '0']], [['101', '2.5']])
  t.same(book.bids, [['100.5', '4'], ['100', '2']])
  t.same(book.asks, [['101', '2.5'], ['102', '1']])
  t.equal(book.checksum, zlib('100.5:4,100:2|101:2.5,102:1'))
  const k = k6.newBook()
  k6.loadBook(k, [['99', '1'], ['100', '2']], [['102', '1'], ['101', '3']])
  k6.applyDelta(k, [['100.5', '4'], ['99', '0']], [['101', '2.5']])
  t.equal(k6.trimAndChecksum(k, 10), book.checksum, 'the k6 book agrees')
  const shallow = L2Book.from(Array.from({ length: 12 }, (_, i) => [String(50 + i), '1'] as Level), [], 10)
  t.equal(shallow.bids.length, 10, 'a depth-10 book keeps 10 levels')
  t.equal(shallow.bids[0][0], '61')
  const k2 = k6.newBook()
  k6.loadBook(k2, Array.from({ length: 12 }, (_, i) => [String(50 + i), '1'] as Level), [])
  t.equal(k6.trimAndChecksum(k2, 10), shallow.checksum)
  t.equal(Object.keys(k2.bids).length, 10, 'the k6 book is cut to its depth too')
})

t.test('consumers in one state share the result; a consumer whose book differs computes its own and fails the checksum', async (t) => {
  const snapshot = '{"snapshot":1}'
  const a = bookFromSnapshot([['100', '1']], [['101', '1']], 10, snapshot)
  const b = bookFromSnapshot([['100', '1']], [['101', '1']], 10, snapshot)
  t.equal(a, b, 'the same snapshot text: one book')
  const d1 = '{"delta":1}'
  const d2 = '{"delta":2}'
  const a1 = a.applyDelta([['100', '2']], [], d1)
  t.equal(b.applyDelta([['100', '2']], [], d1), a1, 'the same state and message: the same result object')
  const a2 = a1.applyDelta([['99', '5']], [], d2)
  // b missed d1 (a gap): applying d2 to its own state gives another book, whose checksum differs.
  const b2 = b.applyDelta([['99', '5']], [], d2)
  t.not(b2, a2, 'another state: computed, not taken from the memo')
  t.not(b2.checksum, a2.checksum, 'and its checksum shows the book is wrong')
  t.equal(a2.checksum, zlib('100:2,99:5|101:1'))
})
