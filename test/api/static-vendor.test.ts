// The trading page's one third-party module, TradingView's lightweight-charts, is served by the
// app from node_modules (no CDN) as an ES module, under the same strict headers as the page.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { buildTestApp } from '../helpers/build-app.js'

t.test('GET /vendor/lightweight-charts.mjs serves the standalone ES module build', async (t) => {
  const app = await buildTestApp(t)
  const res = await app.inject('/vendor/lightweight-charts.mjs')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^(text|application)\/javascript/)
  t.match(res.headers['content-security-policy'], /script-src 'self'/)
  const pkg = join(dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.mjs')
  t.equal(res.body, readFileSync(pkg, 'utf8'), 'the file from node_modules, as it is')
  t.match(res.body, /export\{[^}]*createChart/, 'an ES module exporting createChart')
  const docs = await app.inject('/docs/json')
  t.notOk(JSON.stringify(JSON.parse(docs.body).paths).includes('/vendor/'), 'not an API operation: left out of /docs')
})
