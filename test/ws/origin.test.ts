/** WS_ALLOWED_ORIGINS: a browser page from another origin cannot open /ws; the app's own page and non-browser clients can. */
import t from 'tap'
import WebSocket from 'ws'
import { loadConfig } from '../../src/config.js'
import { originAllowed } from '../../plugins/websocket.js'
import { startServer } from '../helpers/server.js'
import { connect, gatewayStats, within } from './ws-client.js'

/** Opens /ws and reports the HTTP status of a refused upgrade (or 101). */
function upgradeStatus (wsUrl: string, headers: Record<string, string>): Promise<{ status: number, body: string }> {
  return within(new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { headers })
    ws.on('unexpected-response', (_request, response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => { body += String(chunk) })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    ws.on('open', () => {
      ws.terminate()
      resolve({ status: 101, body: '' })
    })
    ws.on('error', reject)
  }), 3000, 'the upgrade answer')
}

t.test('with an allow-list, another origin is refused at upgrade with 403; listed, same-origin and Origin-less clients connect', async (t) => {
  const s = await startServer({ WS_ALLOWED_ORIGINS: 'https://trader.example.com, http://localhost:8080' })
  t.teardown(() => s.close())
  const host = new URL(s.url).host

  const evil = await upgradeStatus(s.wsUrl, { Origin: 'https://evil.example.net' })
  t.equal(evil.status, 403, 'another origin: 403')
  t.same(JSON.parse(evil.body), { error: 'this origin may not open /ws', error_code: 'ORIGIN_NOT_ALLOWED' }, 'in the documented error shape')
  t.equal((await upgradeStatus(s.wsUrl, { Origin: 'null' })).status, 403, 'an opaque origin (sandboxed page, file:) is refused')
  t.equal((await upgradeStatus(s.wsUrl, { Origin: 'http://trader.example.com' })).status, 403, 'the scheme is part of the origin')

  t.equal((await upgradeStatus(s.wsUrl, { Origin: 'https://trader.example.com' })).status, 101, 'a listed origin connects')
  t.equal((await upgradeStatus(s.wsUrl, { Origin: 'http://localhost:8080' })).status, 101, 'another listed origin connects')
  // What a browser sends from the trading page this server serves: Origin = the page's own origin.
  const { client: page } = await connect(s.wsUrl, { origin: `http://${host}` })
  t.teardown(() => page.close())
  t.ok(await page.roundTrip(), 'the app\'s own page connects and is served')
  const { client: tool } = await connect(s.wsUrl)
  t.teardown(() => tool.close())
  t.ok(await tool.roundTrip(), 'a client without Origin (not a browser) connects')
  t.equal((await gatewayStats(s.url)).refused_origins, 3)
})

t.test('without an allow-list (the default) any origin connects', async (t) => {
  const s = await startServer({})
  t.teardown(() => s.close())
  const { client } = await connect(s.wsUrl, { origin: 'https://anywhere.example.org' })
  t.teardown(() => client.close())
  t.ok(await client.roundTrip())
})

t.test('originAllowed and the WS_ALLOWED_ORIGINS setting', async (t) => {
  const list = ['https://a.example']
  t.ok(originAllowed(undefined, 'x', list), 'no Origin: not a browser')
  t.ok(originAllowed('https://a.example:443', 'x', list), 'default port normalised')
  t.notOk(originAllowed('not a url', 'x', list))
  t.ok(originAllowed('http://h.example', 'h.example:80', list), 'same origin, default port spelled out in Host')
  t.notOk(originAllowed('http://h.example', undefined, list), 'no Host: cannot be same-origin')
  t.notOk(originAllowed('http://h.example', 'bad host/with path', list))
  t.same(loadConfig({ WS_ALLOWED_ORIGINS: 'HTTPS://A.example:443/, http://b.example:8080' }).ws.allowedOrigins, ['https://a.example', 'http://b.example:8080'])
  t.same(loadConfig({}).ws.allowedOrigins, [], 'empty by default: any origin')
  for (const bad of ['a.example', 'https://a.example/path', 'ftp://a.example', 'https://u:p@a.example', 'https://a.example?x=1']) {
    t.throws(() => loadConfig({ WS_ALLOWED_ORIGINS: bad }), { message: /WS_ALLOWED_ORIGINS must be/ }, `refused: ${bad}`)
  }
})
