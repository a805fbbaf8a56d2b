// Item 20 of issue 9 (headers): every answer, the page, its assets, the API,
// errors and 404s, carries a strict Content-Security-Policy, nosniff and
// framing denied; the Swagger UI at /docs gets inline styles and nothing else.
// (test/e2e/page.test.ts checks in Chromium that the page and /docs pass it.)
import t from 'tap'
import { buildTestApp } from '../helpers/build-app.js'
import { CSP_DIRECTIVES } from '../../plugins/security.js'

const STRICT = "default-src 'self';script-src 'self';script-src-attr 'none';style-src 'self';img-src 'self' data:;font-src 'self';" +
  "connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'"

t.test('strict headers on the page, the API, errors and unknown routes', async (t) => {
  const app = await buildTestApp(t)
  t.ok(CSP_DIRECTIVES['script-src'].every((source) => !source.includes('unsafe')), 'no unsafe script source')
  const requests = [
    { url: '/' }, { url: '/app.js' }, { url: '/style.css' }, { url: '/health' }, { url: '/book/BTC-USDT' },
    { url: '/nope' }, { url: '/book/%E0%A4%A' }, { method: 'POST' as const, url: '/order', payload: { symbol: 'BTC-USDT' } }
  ]
  for (const options of requests) {
    const res = await app.inject(options)
    const label = `${options.method ?? 'GET'} ${options.url} (${res.statusCode})`
    t.equal(res.headers['content-security-policy'], STRICT, `${label}: CSP`)
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${label}: nosniff`)
    t.equal(res.headers['x-frame-options'], 'DENY', `${label}: X-Frame-Options`)
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${label}: Referrer-Policy`)
    t.equal(res.headers['strict-transport-security'], undefined, `${label}: HSTS left to the TLS terminator`)
  }
})

t.test('/docs: the same policy plus inline styles, still unframeable', async (t) => {
  const app = await buildTestApp(t)
  for (const url of ['/docs/', '/docs/static/swagger-ui.css', '/docs/json']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200, url)
    t.equal(res.headers['content-security-policy'], STRICT.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"), `${url}: CSP`)
    t.equal(res.headers['x-frame-options'], 'DENY')
  }
})
