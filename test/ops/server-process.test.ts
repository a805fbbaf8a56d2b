/**
 * src/server.ts as a real process: a bad configuration stops the start with
 * one line on stderr and exit 1; SIGUSR2 without a journal says there is
 * nothing to snapshot and keeps serving.
 */
import t from 'tap'
import { exitOf, spawnServer } from '../helpers/server-process.js'
import { startChildServer } from '../helpers/child-server.js'

t.test('a bad configuration: exit 1, one line on stderr naming the variable, no stack', async (t) => {
  const server = spawnServer(t, { PORT: 'eighty' })
  const exit = await exitOf(server)
  t.equal(exit.code, 1, 'exits 1')
  t.equal(server.stderr(), 'configuration error: PORT must be an integer from 0 to 65535, got "eighty"\n')
  t.notMatch(server.stderr() + server.stdout(), /\n\s+at /, 'no stack trace')
  t.equal(server.stdout(), '', 'nothing on stdout: the logger never started')
})

t.test('SIGUSR2 without a journal: logged as nothing to snapshot, and the server keeps serving', async (t) => {
  const server = await startChildServer(t, { JOURNAL_ENABLED: 'false' })
  server.child.kill('SIGUSR2')
  const deadline = Date.now() + 30_000
  while (!server.output().includes('no journal, no snapshot') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  const line = server.output().split('\n').find((l) => l.includes('no journal, no snapshot'))
  t.ok(line !== undefined, 'logged')
  t.match(JSON.parse(line as string), { level: 30, snapshotSeq: null })
  const health = await fetch(`${server.url}/health`)
  t.equal(health.status, 200, 'still serving')
  await health.text()
})
