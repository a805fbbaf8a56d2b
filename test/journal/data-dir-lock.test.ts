/**
 * The data-directory lock: with two real server processes, a SIGKILLed
 * holder, racing processes, and hand-made lock files for the cases a test
 * cannot produce otherwise (another host, a reused pid). Needs `npm run build`.
 */
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { DataDirLock } from '../../src/journal/data-dir-lock.js'
import { DataDirLockedError, StartupRefusedError } from '../../src/journal/errors.js'
import { assertRefused, spawnServer } from '../helpers/server-process.js'

const LOCK_MODULE = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/src/journal/data-dir-lock.js')
const lockFile = (generation: number) => `lock-${String(generation).padStart(20, '0')}.json`
const locks = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('lock-')).sort()
const holder = (fields: Record<string, unknown>) => JSON.stringify({ pid: 1, hostname: hostname(), started_at: '2020-01-01T00:00:00.000Z', start_ticks: null, ...fields })

/** The pid of a process that has exited. */
function deadPid (): number {
  const pid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
  return Number(pid)
}

async function placeBid (url: string): Promise<string> {
  const res = await request(url + '/order', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '1', price: '30000' })
  })
  const body = await res.body.json() as { order_id: string }
  if (res.statusCode !== 200) throw new Error(`order refused: ${JSON.stringify(body)}`)
  return body.order_id
}

t.test('two real servers on one DATA_DIR: the second refuses, naming the holder; a SIGKILLed holder does not block', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lock-'))
  const first = spawnServer(t, { DATA_DIR: dataDir })
  const firstUrl = await first.listening()
  const orderId = await placeBid(firstUrl)

  const second = spawnServer(t, { DATA_DIR: dataDir })
  await assertRefused(t, second, new RegExp(`${dataDir} is locked by pid ${first.child.pid} on this host, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; refusing to start \\(stop that process first\\)`))
  t.equal((await request(firstUrl + '/health')).statusCode, 200, 'the holder is undisturbed')

  first.child.kill('SIGKILL')
  await first.exited
  const third = spawnServer(t, { DATA_DIR: dataDir })
  const thirdUrl = await third.listening()
  const order = await (await request(`${thirdUrl}/order/${orderId}?symbol=BTC-USDT`)).body.json() as { status: string }
  t.equal(order.status, 'pending', 'the stale lock was taken over and the data recovered')

  third.child.kill('SIGTERM')
  t.equal((await third.exited).code, 0)
  const lock = JSON.parse(readFileSync(join(dataDir, locks(dataDir).at(-1)!), 'utf8'))
  t.type(lock.released_at, 'string', 'a clean stop marks the lock released')
  const fourth = spawnServer(t, { DATA_DIR: dataDir })
  await fourth.listening()
})

t.test('processes racing for a stale lock: exactly one wins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'))
  writeFileSync(join(dir, lockFile(3)), holder({ pid: deadPid() }))
  // Each child waits for the same instant, then tries; the winner holds the lock while the others look.
  const at = Date.now() + 1500
  const script = `
    const { DataDirLock } = await import(${JSON.stringify(LOCK_MODULE)})
    while (Date.now() < ${at}) {}
    try { DataDirLock.acquire(${JSON.stringify(dir)}); console.log('won') } catch (e) { console.log(e.name) }
    setTimeout(() => {}, 2500)`
  const children = Array.from({ length: 6 }, () => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }))
  t.teardown(() => { for (const child of children) child.kill('SIGKILL') })
  const outputs = await Promise.all(children.map(async (child) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    await once(child, 'exit')
    return out.trim()
  }))
  t.equal(outputs.filter((o) => o === 'won').length, 1, `one winner: ${outputs.join(', ')}`)
  t.equal(outputs.filter((o) => o === 'DataDirLockedError').length, 5, 'the others are refused')
  t.same(locks(dir), [lockFile(4)], 'one generation above the stale one, the stale one removed')
})

t.test('a lock held by a live process of this host is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'))
  writeFileSync(join(dir, lockFile(1)), holder({ pid: process.ppid }))
  const error = t.throws(() => DataDirLock.acquire(dir)) as Error
  t.ok(error instanceof DataDirLockedError && error instanceof StartupRefusedError)
  t.match(error.message, `is locked by pid ${process.ppid} on this host, started 2020-01-01T00:00:00.000Z`)
})

t.test('a lock from another host cannot be checked: refused, saying how to clear it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'))
  writeFileSync(join(dir, lockFile(1)), holder({ pid: 4242, hostname: 'elsewhere' }))
  t.throws(() => DataDirLock.acquire(dir), new RegExp(`locked by pid 4242 on host elsewhere, .*if no server on elsewhere uses ${dir} any more, delete ${dir}/lock-\\*\\.json`))
})

t.test('an unreadable lock file is refused, saying how to clear it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'))
  writeFileSync(join(dir, lockFile(1)), '{"pid":')
  t.throws(() => DataDirLock.acquire(dir), /cannot be read; if no server uses .*, delete .*lock-\*\.json/)
})

t.test('stale locks are taken over: a dead pid, our own pid (a restarted container), a reused pid, a released lock', async (t) => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['dead pid', { pid: deadPid() }],
    ['own pid', { pid: process.pid }],
    ['pid alive but started at another time', { pid: process.ppid, start_ticks: '1' }],
    ['released', { pid: process.ppid, released_at: '2020-01-01T00:00:01.000Z' }]
  ]
  for (const [name, fields] of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'))
    writeFileSync(join(dir, lockFile(7)), holder(fields))
    writeFileSync(join(dir, 'lock-123-abc.tmp'), 'left by a crashed start')
    const lock = DataDirLock.acquire(dir)
    t.equal(lock.generation, 8, name)
    t.same(readdirSync(dir), [lockFile(8)], `${name}: lower generations and stray temporary files removed`)
    lock.release()
    lock.release()
    t.type(JSON.parse(readFileSync(join(dir, lockFile(8)), 'utf8')).released_at, 'string')
  }
})

t.test('a superseded lock is not resurrected by its release', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lock-'))
  const old = DataDirLock.acquire(dir)
  const current = DataDirLock.acquire(dir) // same pid: as after a crash in a container
  old.release()
  t.same(locks(dir), [lockFile(2)])
  t.notOk(existsSync(join(dir, lockFile(1))))
  current.release()
})

t.test('a lock file that is JSON but not a holder (no pid or no hostname) is refused as unreadable', async (t) => {
  for (const text of ['{"pid":"12"}', JSON.stringify({ pid: 12 }), 'null']) {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'))
    writeFileSync(join(dir, lockFile(1)), text)
    t.throws(() => DataDirLock.acquire(dir), /cannot be read; if no server uses/, text)
  }
})
