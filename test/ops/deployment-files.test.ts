/**
 * No Docker engine runs on the development machine, so the deployment files
 * are checked statically: they parse, and they say what the issue asks.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

const root = new URL('../../', import.meta.url)
const read = (name: string) => readFileSync(new URL(name, root), 'utf8')

t.test('docker-compose.yml: app with port, volume, restart and healthcheck; k6 behind a profile', async (t) => {
  const compose = parse(read('docker-compose.yml'))
  const app = compose.services.app
  t.ok(app.build, 'app is built from the Dockerfile')
  t.ok(app.ports.some((p: string) => p.endsWith(':3000')), 'port 3000 published')
  t.ok(app.volumes.some((v: string) => v.startsWith('engine-data:') && v.endsWith(':/data')), 'named volume on the data directory')
  t.ok('engine-data' in compose.volumes, 'named volume declared')
  t.equal(app.restart, 'unless-stopped')
  t.match(app.healthcheck.test.join(' '), /\/health/)
  t.equal(app.environment.DATA_DIR, '/data')
  const k6 = compose.services.k6
  t.match(k6.image, /^grafana\/k6:/)
  t.same(k6.profiles, ['load'])
  t.equal(k6.depends_on.app.condition, 'service_healthy')
  t.equal(k6.environment.BASE_URL, 'http://app:3000')
  t.ok(k6.volumes.some((v: string) => v.startsWith('./load/k6:/scripts')), 'scripts mounted')
})

t.test('Dockerfile: multi-stage, production deps only, non-root, healthcheck, volume, same start command', async (t) => {
  const text = read('Dockerfile')
  const stages = text.match(/^FROM\s+\S+/gm) ?? []
  t.equal(stages.length, 2, 'build and runtime stages')
  for (const from of stages) t.match(from, /node:24/, 'current LTS base')
  t.match(text, /npm ci --omit=dev/)
  t.match(text, /COPY --from=build \/app\/dist/)
  t.match(text, /^USER node$/m)
  t.match(text, /^HEALTHCHECK .*\n?.*\/health/m)
  t.match(text, /^VOLUME \["\/data"\]$/m)
  t.match(text, /^ENV NODE_ENV=production/m)
  t.match(text, /^EXPOSE 3000$/m)
  const pkg = JSON.parse(read('package.json'))
  t.match(text, new RegExp(`CMD \\["node", "${pkg.scripts.start.replace(/^exec node /, '')}"\\]`), 'runs what npm start runs')
})
