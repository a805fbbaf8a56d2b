import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { runAdmin, adminToken } from '../../src/cli/admin-commands.js'
import { startServer } from '../helpers/server.js'
import { startChildServer } from '../helpers/child-server.js'
import { TEST_ADMIN_TOKEN, authEnv, signedHeaders } from '../helpers/signing.js'

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..')
const CLI = resolve(ROOT, 'dist/src/cli/admin.js')

async function run (argv: string[], env: Record<string, string | undefined> = { ADMIN_TOKEN: TEST_ADMIN_TOKEN }) {
  const out: string[] = []
  const err: string[] = []
  const code = await runAdmin(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('every command against a live server', async (t) => {
  const server = await startServer(authEnv(t))
  t.teardown(() => server.close())
  const url = ['--url', server.url + '/']

  const quick = await run(['quickstart', 'alice', ...url])
  t.equal(quick.code, 0, quick.err)
  t.match(quick.out, /account +alice \(created\)/)
  const keyId = /key id +([0-9a-f]{32})/.exec(quick.out)?.[1] as string
  const secret = /secret +([0-9a-f]{64})/.exec(quick.out)?.[1] as string
  t.ok(keyId !== undefined && secret !== undefined, 'prints the key id and the secret')
  t.match(quick.out, /shown once/)
  const again = await run(['quickstart', 'alice', ...url])
  t.equal(again.code, 0, 'an existing account is fine')
  t.notMatch(again.out, /\(created\)/)
  t.match((await run(['quickstart', ...url])).out, /account +demo \(created\)/, 'the default account')

  const created = await run(['create-account', 'bob', ...url])
  t.equal(created.code, 0)
  t.match(created.out, /account +bob\nstatus +active/)
  const exists = await run(['create-account', 'bob', ...url])
  t.equal(exists.code, 1)
  t.match(exists.err, /^error: ACCOUNT_EXISTS: /)

  const readKey = await run(['create-key', 'bob', '--read', '--json', ...url])
  t.equal(readKey.code, 0)
  const readJson = JSON.parse(readKey.out)
  t.same(readJson.permissions, ['read'])
  t.match(readJson.secret, /^[0-9a-f]{64}$/)
  t.match((await run(['create-key', 'bob', '--trade', ...url])).out, /permissions +trade/)
  t.match((await run(['create-key', 'bob', ...url])).out, /permissions +read, trade/)

  const shown = await run(['show', 'bob', ...url])
  t.match(shown.out, new RegExp(`key +${readJson.key_id} +read +active`))
  t.notOk(shown.out.includes(readJson.secret), 'show never prints a secret')
  const list = await run(['list', ...url])
  t.match(list.out, /alice +active +0 open orders +2 active keys/)
  t.match(list.out, /bob +active/)
  t.equal(JSON.parse((await run(['list', '--json', ...url])).out).accounts.length, 3)
  const first = await run(['list', '--limit', '2', ...url])
  t.equal(first.code, 0)
  const cursor = /more: npm run admin -- list --cursor (\S+)/.exec(first.out)?.[1] as string
  t.ok(cursor !== undefined, 'says how to get the next page')
  const rest = await run(['list', '--limit', '2', '--cursor', cursor, ...url])
  t.equal(rest.out.split('\n').length, 1, 'the last account')
  t.notMatch(rest.out, /more:/)
  t.match((await run(['list', '--limit', '0', ...url])).err, /^error: INVALID_PARAMETER/)

  const revoked = await run(['revoke', readJson.key_id, ...url])
  t.match(revoked.out, /status +revoked/)
  t.match((await run(['revoke', '0'.repeat(32), ...url])).err, /API_KEY_NOT_FOUND/)
  const disabled = await run(['disable', 'bob', ...url])
  t.match(disabled.out, /status +disabled\n[\s\S]*cancelled +0 open orders/)
  t.match((await run(['enable', 'bob', ...url])).out, /status +active/)
  t.match((await run(['show', 'nobody', ...url])).err, /^error: ACCOUNT_NOT_FOUND/)
  t.match((await run(['show', 'bob', '--url', server.url], { ADMIN_TOKEN: 'wrong-token-0123456789' })).err, /^error: UNAUTHORIZED/)
  t.match((await run(['list'], { ADMIN_TOKEN: TEST_ADMIN_TOKEN, EXCHANGE_URL: server.url })).out, /alice/, 'EXCHANGE_URL')
})

t.test('usage errors and unreachable servers: exit 1 with one clear line', async (t) => {
  t.match(await run([]), { code: 1, err: /^error: no command\nusage: npm run admin/ })
  t.match(await run(['frobnicate']), { code: 1, err: /^error: unknown command "frobnicate"/ })
  t.match(await run(['list', '--bogus']), { code: 1, err: /^error: unknown option --bogus/ })
  t.match(await run(['--help']), { code: 1, err: /quickstart \[account\]/ })
  t.match(await run(['list', '--url']), { code: 1, err: /--url needs a value/ })
  t.match(await run(['list', '--limit']), { code: 1, err: /--limit needs a value/ })
  t.match(await run(['show']), { code: 1, err: /needs an account id/ })
  t.match(await run(['revoke']), { code: 1, err: /needs a key id/ })
  const nowhere = mkdtempSync(join(tmpdir(), 'cli-'))
  t.teardown(() => rmSync(nowhere, { recursive: true, force: true }))
  t.match(await run(['list'], { SECRETS_DIR: nowhere }), { code: 1, err: /no admin token: set ADMIN_TOKEN or ADMIN_TOKEN_FILE.*ENOENT/ })
  t.match(await run(['list'], { ADMIN_TOKEN_FILE: join(nowhere, 'x') }), { code: 1, err: /no admin token/ })

  // A port nobody listens on: bind one, then close it.
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as { port: number }).port
  probe.close()
  await once(probe, 'close')
  t.match(await run(['list', '--url', `http://127.0.0.1:${port}`]), { code: 1, err: /cannot reach http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED .*\): is the server running/ })
  t.match(await run(['list', '--url', 'not a url']), { code: 1, err: /the server URL must be http:\/\/host:port, got "not a url"/ })
  t.match(await run(['list'], { ADMIN_TOKEN: TEST_ADMIN_TOKEN, EXCHANGE_URL: 'ftp://127.0.0.1' }), { code: 1, err: /must be http:\/\/host:port/ })
  // The token never crosses a network in clear text; no connection is even tried.
  for (const url of ['http://exchange.example.com:3000', 'http://10.0.0.5:3000', 'http://[fe80::1]:3000', 'http://127.0.0.1.example.com', 'http://:80']) {
    t.match(await run(['list', '--url', url], { ADMIN_TOKEN: TEST_ADMIN_TOKEN }), { code: 1, err: /refusing to send the admin token in clear text|must be http:\/\/host:port/ }, url)
  }
  t.match(await run(['list', '--url', `http://localhost:${port}`], { ADMIN_TOKEN: TEST_ADMIN_TOKEN }), { code: 1, err: /cannot reach/ }, 'localhost is fine (then unreachable)')
  t.match(await run(['list', '--url', `http://[::1]:${port}`], { ADMIN_TOKEN: TEST_ADMIN_TOKEN }), { code: 1, err: /cannot reach/ }, '::1 is fine')
  t.match(await run(['list', '--url', 'https://127.0.0.1:1'], { ADMIN_TOKEN: TEST_ADMIN_TOKEN }), { code: 1, err: /cannot reach/ }, 'https anywhere is fine')

  // Something that is not this service: no JSON error body.
  const other = createServer((_req, res) => { res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway') })
  other.listen(0, '127.0.0.1')
  await once(other, 'listening')
  t.teardown(() => other.close())
  t.match(await run(['list', '--url', `http://127.0.0.1:${(other.address() as { port: number }).port}`]), { code: 1, err: /^error: HTTP_502: bad gateway$/ })
})

t.test('the admin token: ADMIN_TOKEN, else ADMIN_TOKEN_FILE, else <SECRETS_DIR>/admin-token', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-token-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'secrets'))
  writeFileSync(join(dir, 'secrets', 'admin-token'), 'from-secrets-dir\n')
  writeFileSync(join(dir, 'file'), 'from-file\n')
  t.equal(adminToken({ ADMIN_TOKEN: 'inline', ADMIN_TOKEN_FILE: join(dir, 'file') }), 'inline')
  t.equal(adminToken({ ADMIN_TOKEN_FILE: join(dir, 'file') }), 'from-file')
  t.equal(adminToken({ SECRETS_DIR: join(dir, 'secrets') }), 'from-secrets-dir')
})

t.test('quickstart against the real server process, as the README says: npm start, then one command', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'cli-real-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const secretsDir = join(work, 'secrets')
  // No ADMIN_TOKEN and no master secret: the server creates both in SECRETS_DIR on its first start.
  const server = await startChildServer(t, { AUTH: 'required', DATA_DIR: join(work, 'data'), SECRETS_DIR: secretsDir, ADMIN_TOKEN: '', AUTH_MASTER_SECRET: '' })
  t.equal(statSync(join(secretsDir, 'admin-token')).mode & 0o777, 0o600)
  t.equal(statSync(join(secretsDir, 'master.key')).mode & 0o777, 0o600)
  const token = readFileSync(join(secretsDir, 'admin-token'), 'utf8').trim()
  t.match(server.output(), /admin token file/)
  t.ok(server.output().includes(join(secretsDir, 'admin-token')), 'the start-up log names the token\'s path')
  t.notOk(server.output().includes(token), 'never its content')

  // The CLI runs where the server started (./secrets), as after `npm start` in the package root.
  const env = { ...process.env, ADMIN_TOKEN: '', ADMIN_TOKEN_FILE: '', SECRETS_DIR: '', EXCHANGE_URL: server.url }
  const cli = spawn(process.execPath, [CLI, 'quickstart', 'alice'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (cli.exitCode === null) cli.kill('SIGKILL') })
  let out = ''
  cli.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  cli.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const [code] = await once(cli, 'exit')
  t.equal(code, 0, out)
  const keyId = /key id +([0-9a-f]{32})/.exec(out)?.[1] as string
  const secret = /secret +([0-9a-f]{64})/.exec(out)?.[1] as string

  const body = JSON.stringify({ symbol: 'BTC-USDT', side: 'buy', order_type: 'limit', quantity: '0.1', price: '100' })
  const placed = await request(`${server.url}/order`, { method: 'POST', headers: { ...signedHeaders({ keyId, secret }, 'POST', '/order', body), 'content-type': 'application/json' }, body })
  t.equal(placed.statusCode, 200, 'the printed key signs orders')
  t.equal((await placed.body.json() as { account_id: string }).account_id, 'alice')

  const bad = spawn(process.execPath, [CLI, 'show', 'nobody'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (bad.exitCode === null) bad.kill('SIGKILL') })
  let err = ''
  bad.stderr.on('data', (chunk: Buffer) => { err += chunk.toString() })
  const [badCode] = await once(bad, 'exit')
  t.equal(badCode, 1)
  t.match(err, /^error: ACCOUNT_NOT_FOUND: .*\n$/, 'one line')
  t.notOk(server.output().includes(secret), 'the secret is not in the server log')
})
