import t, { type Test } from 'tap'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SecretsUnavailableError, loadSecrets } from '../../src/auth/secrets.js'
import { StartupRefusedError } from '../../src/journal/errors.js'

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('first start creates master.key and admin-token (0600 in a 0700 dir); the next start reads them', async (t) => {
  const dir = join(tempDir(t), 'secrets')
  const first = loadSecrets({ secretsDir: dir, adminToken: null, masterSecret: null })
  t.same(first.created, [join(dir, 'master.key'), join(dir, 'admin-token')])
  t.match(first.masterSecret, /^[0-9a-f]{64}$/)
  t.match(first.adminToken, /^[0-9a-f]{64}$/)
  t.not(first.masterSecret, first.adminToken)
  t.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600)
  t.equal(statSync(join(dir, 'admin-token')).mode & 0o777, 0o600)
  t.equal(statSync(dir).mode & 0o777, 0o700)
  t.equal(first.adminTokenPath, join(dir, 'admin-token'))
  t.equal(readFileSync(join(dir, 'master.key'), 'utf8'), first.masterSecret + '\n')
  const second = loadSecrets({ secretsDir: dir, adminToken: null, masterSecret: null })
  t.same(second.created, [])
  t.same(second.exposed, [])
  t.equal(second.masterSecret, first.masterSecret)
  t.equal(second.adminToken, first.adminToken)
})

t.test('configured secrets are used as given and nothing is created', async (t) => {
  const dir = join(tempDir(t), 'never')
  const loaded = loadSecrets({ secretsDir: dir, adminToken: 'admin-token-from-env', masterSecret: 'master-from-env-'.repeat(3) })
  t.equal(loaded.adminToken, 'admin-token-from-env')
  t.equal(loaded.adminTokenPath, null)
  t.same(loaded.created, [])
  t.throws(() => statSync(dir), { code: 'ENOENT' })
})

t.test('a secret file others can read is reported; a damaged one or an unusable dir refuses the start', async (t) => {
  const dir = tempDir(t)
  const master = join(dir, 'master.key')
  writeFileSync(master, 'ab'.repeat(32), { mode: 0o644 })
  chmodSync(master, 0o644)
  const loaded = loadSecrets({ secretsDir: dir, adminToken: 'x'.repeat(20), masterSecret: null })
  t.same(loaded.exposed, [master])
  writeFileSync(master, 'not hex')
  t.throws(() => loadSecrets({ secretsDir: dir, adminToken: 'x'.repeat(20), masterSecret: null }), /master\.key must hold 64 hex digits/)
  mkdirSync(join(dir, 'admin-token'))
  let caught: unknown
  try {
    loadSecrets({ secretsDir: dir, adminToken: null, masterSecret: 'y'.repeat(40) })
  } catch (error) {
    caught = error
  }
  t.ok(caught instanceof SecretsUnavailableError && caught instanceof StartupRefusedError, 'one line at start, no stack')
  t.match((caught as Error).message, /cannot read .*admin-token/)
  const file = join(dir, 'a-file')
  writeFileSync(file, '')
  t.throws(() => loadSecrets({ secretsDir: join(file, 'sub'), adminToken: null, masterSecret: 'y'.repeat(40) }), /cannot create .*SECRETS_DIR/)
})
