// `npm run admin -- trading-status <symbol> <status>` against a live server.
import t from 'tap'
import { request } from 'undici'
import { runAdmin } from '../../src/cli/admin-commands.js'
import { startServer } from '../helpers/server.js'
import { TEST_ADMIN_TOKEN, authEnv } from '../helpers/signing.js'

async function run (argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runAdmin(argv, { ADMIN_TOKEN: TEST_ADMIN_TOKEN }, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('trading-status sets a symbol\'s status and prints it; refusals name their code', async (t) => {
  const server = await startServer(authEnv(t))
  t.teardown(() => server.close())
  const url = ['--url', server.url]

  const halted = await run(['trading-status', 'btc-usdt', 'cancel_only', ...url])
  t.equal(halted.code, 0, halted.err)
  t.match(halted.out, /symbol +BTC-USDT\ntrading status +cancel_only/)
  const symbols = await (await request(`${server.url}/symbols`)).body.json() as { symbol_info: Record<string, { trading_status: string }> }
  t.equal(symbols.symbol_info['BTC-USDT'].trading_status, 'cancel_only')
  const json = await run(['trading-status', 'BTC-USDT', 'trading', '--json', ...url])
  t.same(JSON.parse(json.out), { symbol: 'BTC-USDT', trading_status: 'trading' })

  const bad = await run(['trading-status', 'BTC-USDT', 'paused', ...url])
  t.equal(bad.code, 1)
  t.match(bad.err, /^error: VALIDATION_ERROR/)
  const unknown = await run(['trading-status', 'XYZ-USDT', 'halted', ...url])
  t.match(unknown.err, /^error: SYMBOL_NOT_FOUND/)
  const missing = await run(['trading-status', 'BTC-USDT', ...url])
  t.match(missing.err, /needs a status/)
})
