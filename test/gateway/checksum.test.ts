/**
 * The README's checksum test vectors, checked against the server's own
 * function and present in the README exactly as written, so the README and
 * the code cannot drift apart.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { bookChecksum, checksumText, type TextLevel } from '../../src/gateway/checksum.js'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

const twelveBids: TextLevel[] = Array.from({ length: 12 }, (_, i) => [String(30000 - i), '0.01'])
const vectors: Array<{ bids: TextLevel[], asks: TextLevel[], text: string, checksum: number }> = [
  { bids: [], asks: [], text: '|', checksum: 2343686810 },
  { bids: [['100.5', '2'], ['100', '1.25']], asks: [['101', '3']], text: '100.5:2,100:1.25|101:3', checksum: 2640851079 },
  { bids: [], asks: [['0.0001', '1000']], text: '|0.0001:1000', checksum: 2434813116 },
  {
    bids: twelveBids,
    asks: [['30001.5', '0.2']],
    text: '30000:0.01,29999:0.01,29998:0.01,29997:0.01,29996:0.01,29995:0.01,29994:0.01,29993:0.01,29992:0.01,29991:0.01|30001.5:0.2',
    checksum: 1006967233
  }
]

t.test('the README\'s vectors: the text hashed and its CRC-32', async (t) => {
  for (const { bids, asks, text, checksum } of vectors) {
    t.equal(checksumText(bids, asks), text, `text of ${text.slice(0, 30)}`)
    t.equal(bookChecksum(bids, asks), checksum, `checksum of ${text.slice(0, 30)}`)
    t.ok(README.includes(`| ${checksum} |`), `the README lists ${checksum}`)
  }
  t.ok(README.includes('`100.5:2,100:1.25\\|101:3`'), 'the README shows the text hashed')
})

t.test('only the best 10 levels per side count; the checksum is unsigned', async (t) => {
  const deeper: TextLevel[] = [...twelveBids, ['1', '1']]
  t.equal(bookChecksum(deeper, [['30001.5', '0.2']]), 1006967233, 'levels past the 10th change nothing')
  t.not(bookChecksum(twelveBids.slice(1), [['30001.5', '0.2']]), 1006967233, 'a change in the top 10 changes it')
  for (const { bids, asks } of vectors) t.ok(bookChecksum(bids, asks) >= 0)
})
