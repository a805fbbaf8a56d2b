/**
 * The deployment files. The image itself is built and run for real by .ci/run (../shared/tools/dockercheck.sh:
 * buildah, podman, the compose app service); here they are checked without a container engine: they parse,
 * say what the issue asks, and their health checks are run for real against a local server on a free port.
 */
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
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
  t.ok(app.volumes.some((v: string) => v === 'engine-secrets:/secrets') && 'engine-secrets' in compose.volumes, 'the master secret and admin token on their own volume')
  t.equal(app.environment.SECRETS_DIR, '/secrets', 'secrets outside the data directory')
  t.equal(app.restart, 'unless-stopped')
  // No fixed host name: the DATA_DIR lock tells containers apart by host name (each container has its own, and in
  // each one the server is pid 1), so two containers on one volume must never share a name.
  t.equal(app.hostname, undefined, 'no fixed host name')
  t.match(app.healthcheck.test.join(' '), /\/health/)
  t.equal(app.environment.DATA_DIR, '/data')
  t.match(app.environment.RATE_LIMIT_ENABLED, /^\$\{RATE_LIMIT_ENABLED:-true\}$/, 'rate limit on, switchable from the shell for load runs')
  t.match(app.environment.RATE_LIMIT_MAX, /^\$\{RATE_LIMIT_MAX:-\d+\}$/, 'rate limit raisable from the shell')
  const k6 = compose.services.k6
  t.match(k6.image, /^grafana\/k6:/)
  t.same(k6.profiles, ['load'])
  t.equal(k6.depends_on.app.condition, 'service_healthy')
  t.equal(k6.environment.BASE_URL, 'http://app:3000')
  t.ok(k6.volumes.some((v: string) => v.startsWith('./load/k6:/scripts')), 'scripts mounted')
  const results = k6.volumes.find((v: string) => v.startsWith('./load/results:'))?.split(':')[1]
  t.equal(results, k6.environment.SUMMARY_DIR, 'the summary directory is the mounted results folder')
  // grafana/k6 runs as uid 12345, which cannot write a bind mount owned by the host user.
  t.equal(k6.user, '0:0', 'k6 runs as a user that can write the results mount')
  t.same(k6.entrypoint, ['/bin/sh', '/scripts/run.sh'], 'runs through run.sh, which fails a run whose summary was not written')
  t.ok(existsSync(new URL('load/k6/run.sh', root)), 'run.sh is in the mounted scripts folder')
})

t.test('Dockerfile: multi-stage, production deps only, non-root, healthcheck, volume, node as PID 1', async (t) => {
  const text = read('Dockerfile')
  const stages = text.match(/^FROM\s+\S+/gm) ?? []
  t.equal(stages.length, 2, 'build and runtime stages')
  for (const from of stages) t.match(from, /node:24/, 'current LTS base')
  t.match(text, /npm ci --omit=dev/)
  t.match(text, /COPY --from=build \/app\/dist/)
  t.match(text, /^USER node$/m)
  t.match(text, /^HEALTHCHECK .*\n?.*\/health/m)
  t.match(text, /^VOLUME \["\/data", "\/secrets"\]$/m)
  t.match(text, /^ENV NODE_ENV=production/m)
  t.match(text, /^EXPOSE 3000$/m)
  // Exec form with node itself: SIGTERM from `docker stop` reaches Node (no sh, no npm in between).
  const cmd = text.match(/^CMD (\[.*\])$/m)
  t.ok(cmd, 'CMD in exec (JSON) form')
  const argv = JSON.parse(cmd?.[1] ?? '[]') as string[]
  t.equal(argv[0], 'node', 'node runs directly')
  const pkg = JSON.parse(read('package.json'))
  t.equal(argv.slice(1).join(' '), pkg.scripts.start.replace(/^(exec )?node /, ''), 'runs what npm start runs')
})

t.test('.dockerignore keeps the build context to what the Dockerfile copies', async (t) => {
  const ignored = new Set(read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')))
  for (const heavy of ['.git', 'node_modules', 'dist', 'data', 'coverage', '.tap', 'test', 'load/results']) {
    t.ok(ignored.has(heavy), `${heavy} left out`)
  }
  const copied = [...read('Dockerfile').matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/))
  t.ok(copied.length >= 6, `COPY sources found: ${copied.join(', ')}`)
  for (const src of copied) {
    t.notOk([...ignored].some((i) => src === i || src.startsWith(`${i}/`)), `${src} (copied) is in the context`)
  }
})

/** A server on a free port that answers /health with `status`; closed when the test ends. */
async function healthServer (t: Test, status: number): Promise<number> {
  const server = createServer((req, res) => { res.statusCode = req.url === '/health' ? status : 404; res.end('{}') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return (server.address() as AddressInfo).port
}

/** Runs a `node -e` health probe with PORT set; resolves its exit code. */
async function probe (script: string, port: number): Promise<number> {
  return await new Promise((resolve) => {
    const child = execFile(process.execPath, ['-e', script], { env: { PORT: String(port) }, timeout: 10_000 }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1)
    })
    child.stdin?.end()
  })
}

t.test('both health checks follow $PORT: pass on a healthy server there, fail otherwise', async (t) => {
  const dockerfile = read('Dockerfile').match(/CMD node -e "(.+)"\s*$/m)?.[1]
  const compose = parse(read('docker-compose.yml')).services.app.healthcheck.test as string[]
  t.equal(compose[0], 'CMD', 'compose: exec form, no shell needed')
  t.same(compose.slice(1, 3), ['node', '-e'])
  const scripts = { Dockerfile: dockerfile ?? '', compose: compose[3] }
  const healthy = await healthServer(t, 200)
  const sick = await healthServer(t, 503)
  for (const [name, script] of Object.entries(scripts)) {
    t.notMatch(script, /:3000\b/, `${name}: no hard-coded port`)
    t.equal(await probe(script, healthy), 0, `${name}: healthy server on $PORT=${healthy}: exit 0`)
    t.equal(await probe(script, sick), 1, `${name}: /health 503: exit 1`)
  }
})

t.test('.ci/run: production start on a port the kernel picks; the image built and run for real', async (t) => {
  const ci = read('.ci/run')
  t.notMatch(ci, /PORT=(?!0\b)\d+/, 'no fixed port another process may hold')
  t.match(ci, /PORT=0 .*exec npm start/, 'production start on PORT=0')
  t.match(ci, /Server listening at/, 'the port is read from the server log')
  t.match(ci, /bash "\$dockercheck" all/, 'dockercheck.sh all: install, base image, build, run, compose')
  t.match(ci, /bash "\$dockercheck" clean/, 'cleaned up after')
  t.match(ci, /dockercheck\.sh not found[^\n]*\n\s*failed=\$\(\(failed \+ 1\)\); overall=1/, 'a missing tool fails CI instead of skipping the check')
})
