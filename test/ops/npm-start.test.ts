/**
 * `npm start` must hand signals to the server: npm runs the script under
 * `sh -c`, and without `exec` a SIGTERM to npm ends npm and the shell but
 * orphans a server that keeps serving. Runs the real `npm start` in its own
 * process group (teardown kills the whole group whatever happens).
 */
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { startChildServer } from '../helpers/child-server.js'

/** Running (a zombie waiting for its parent to reap it counts as gone). */
function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

t.test('SIGTERM to the npm process stops the server it started', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'npm-start-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startChildServer(t, { DATA_DIR: dir, SHUTDOWN_GRACE_MS: '3000' }, { command: 'npm-start' })
  t.not(server.pid, server.child.pid, 'the server is a process of its own under npm')
  const health = await request(server.url + '/health')
  t.equal(health.statusCode, 200)
  await health.body.dump()

  // Only npm, as a supervisor or a terminal would signal it.
  process.kill(server.child.pid as number, 'SIGTERM')
  const deadline = Date.now() + 20_000
  while (alive(server.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.notOk(alive(server.pid), `server process ${server.pid} is gone`)
  const refused = await request(server.url + '/health').then(async (res) => { await res.body.dump(); return false }, () => true)
  t.ok(refused, 'its port is closed')
})
