/**
 * A start the data directory cannot support (corrupt journal, other filters,
 * unusable directory) is refused by the real process with one plain line on
 * stderr (`start refused: ...`), exit code 1 and no stack trace; the lock
 * case is in data-dir-lock.test.ts. Needs `npm run build`.
 */
import t, { type Test } from 'tap'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { assertRefused, spawnServer } from '../helpers/server-process.js'

/** A data dir with one acknowledged bid (1.5 @ 30000 BTC-USDT), left by a SIGKILLed server: journal only, no snapshot. */
async function journalOnlyDir (t: Test): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'refused-'))
  const server = spawnServer(t, { DATA_DIR: dataDir, SNAPSHOT_EVERY: '0' })
  const url = await server.listening()
  const res = await request(url + '/order', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1.5', price: '30000' })
  })
  t.equal(res.statusCode, 200)
  await res.body.dump()
  server.child.kill('SIGKILL')
  await server.exited
  t.same(readdirSync(dataDir).filter((f) => f.startsWith('snapshot-')), [], 'no snapshot: the journal alone holds the bid')
  return dataDir
}

t.test('a journal-only restart with another tick size is refused with one line', async (t) => {
  const dataDir = await journalOnlyDir(t)
  const symbols = JSON.stringify([{ symbol: 'BTC-USDT', tickSize: '0.1', minQuantity: '0.00001' }])
  await assertRefused(t, spawnServer(t, { DATA_DIR: dataDir, SYMBOLS: symbols }),
    /counts BTC-USDT in tick 0\.01 \/ lot 0\.00000001, but it is now configured with tick 0\.1 \/ lot 0\.00000001/)

  // Nothing was changed by the refusal: the old configuration gets the bid back at its price.
  const again = spawnServer(t, { DATA_DIR: dataDir })
  const url = await again.listening()
  const book = await (await request(url + '/book/BTC-USDT')).body.json() as { bids: string[][] }
  t.same(book.bids[0], ['30000', '1.5'])
})

t.test('a flipped byte in the last record is refused with one line', async (t) => {
  const dataDir = await journalOnlyDir(t)
  const segment = join(dataDir, readdirSync(dataDir).find((f) => f.startsWith('journal-'))!)
  const bytes = readFileSync(segment)
  const last = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1
  bytes[last + 12] ^= 0x01
  writeFileSync(segment, bytes)
  await assertRefused(t, spawnServer(t, { DATA_DIR: dataDir }), /corrupt record at offset \d+/)
})

t.test('an empty journal segment is refused with one line', async (t) => {
  const dataDir = await journalOnlyDir(t)
  writeFileSync(join(dataDir, readdirSync(dataDir).find((f) => f.startsWith('journal-'))!), '')
  await assertRefused(t, spawnServer(t, { DATA_DIR: dataDir }), /is empty, but every segment is created with a header/)
})

t.test('a data directory that is a file is refused with one line', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'refused-')), 'not-a-dir')
  writeFileSync(file, 'x')
  await assertRefused(t, spawnServer(t, { DATA_DIR: file }), /data directory .*not-a-dir is unusable: E/)
})
