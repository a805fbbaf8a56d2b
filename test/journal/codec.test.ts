/** Record and header framing: what decodes, and what is refused as not a record. */
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checksum, decodeCommand, decodeHeader, encodeCommand, encodeHeader, JOURNAL_FORMAT } from '../../src/journal/codec.js'
import { readSnapshot } from '../../src/journal/snapshot-store.js'

const framed = (json: string) => checksum(json) + ' ' + json

t.test('a header round-trips with the format version and each symbol filter', async (t) => {
  const line = encodeHeader([['BTC-USDT', '0.01', '0.00000001']])
  t.same(decodeHeader(line.slice(0, -1)), { version: JOURNAL_FORMAT, filters: [['BTC-USDT', '0.01', '0.00000001']] })
})

t.test('lines that are not a header or a record decode to null', async (t) => {
  t.equal(decodeHeader(framed('["h",1,[["BTC-USDT","0.01"]]]')), null, 'a filter without its lot size')
  t.equal(decodeHeader(framed('["h","1",[]]')), null, 'a version that is not a number')
  t.equal(decodeHeader(encodeCommand({ kind: 'cancel', seq: 1, orderId: '1', timestamp: 1, symbol: 'BTC-USDT' }).slice(0, -1)), null, 'a record')
  t.equal(decodeCommand(framed('["z",1]')), null, 'an unknown record kind ("x" is a cancel-all since accounts)')
  t.equal(decodeCommand(framed('{"n":1}')), null, 'JSON that is not an array')
  t.equal(decodeCommand(framed('["n",1')), null, 'a checksum over JSON that does not parse')
  t.equal(decodeCommand('short'), null)
})

t.test('a snapshot whose checksum holds over JSON that does not parse is unusable, not a crash', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'codec-')), 'snapshot-00000000000000000001.json')
  writeFileSync(path, checksum('{"sequence":') + '\n{"sequence":\n')
  const read = readSnapshot({ path, name: 'snapshot-00000000000000000001.json', seq: 1 })
  t.equal(read.ok, false)
})
