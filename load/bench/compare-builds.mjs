// Same flow, same process, two builds of the engine: this checkout's and
// another's (BASE_DIST, the dist/ directory of a checkout of an earlier
// commit, built with `npm run build`). Subjects alternate, the order flips
// every round, the best pass of each is kept, and the ratio this/base is
// printed: how a change moved the engine, measured side by side, never
// against a figure from another day.
//
//   git worktree add /tmp/base <rev> && (cd /tmp/base && npm ci && npm run build)
//   npm run build && BASE_DIST=/tmp/base/dist node --expose-gc load/bench/compare-builds.mjs
//
// KEYS (default engine,listener,submit: the runs of load/bench/runners.ts), ROUNDS (5), N (1,000,000).
import { fileURLToPath } from 'node:url'
import { dirname, join, resolve } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const ownDist = resolve(here, '..', '..', 'dist')
const baseDist = process.env.BASE_DIST
if (baseDist === undefined || baseDist === '') {
  console.error('BASE_DIST must name the dist/ directory of the build to compare with')
  process.exit(2)
}
const own = await import(join(ownDist, 'load/bench/runners.js'))
const base = await import(join(resolve(baseDist), 'load/bench/runners.js'))
const { generateFlow } = await import(join(ownDist, 'load/bench/flow.js'))
const { timeThroughput } = await import(join(ownDist, 'load/bench/stats.js'))

const size = Number(process.env.N ?? 1_000_000)
const rounds = Number(process.env.ROUNDS ?? 5)
const keys = (process.env.KEYS ?? 'engine,listener,submit').split(',')
const flow = generateFlow({ size, seed: 42 })
const subjects = []
for (const key of keys) {
  for (const [name, build] of [['base', base], ['this', own]]) {
    const run = build.runs({ historyLimit: 100_000 }).find((r) => r.key === key)
    if (run === undefined) throw new Error(`no run ${key} in the ${name} build`)
    subjects.push({ key, name, make: run.prepare(flow) })
  }
}
const best = new Map()
for (let round = 0; round < rounds; round++) {
  for (const subject of round % 2 === 0 ? subjects : [...subjects].reverse()) {
    timeThroughput(subject.make().step, Math.min(200_000, size))
    globalThis.gc?.()
    const rate = size / timeThroughput(subject.make().step, size)
    const id = `${subject.key} ${subject.name}`
    if (!(best.get(id) >= rate)) best.set(id, rate)
  }
}
console.log(`${size.toLocaleString('en-US')} commands, seed 42, ${rounds} rounds, best pass; node ${process.version}${globalThis.gc === undefined ? ' (no --expose-gc)' : ''}`)
for (const key of keys) {
  const b = best.get(`${key} base`)
  const t = best.get(`${key} this`)
  console.log(`${key.padEnd(9)} base ${Math.round(b).toLocaleString('en-US').padStart(10)}/s  this ${Math.round(t).toLocaleString('en-US').padStart(10)}/s  this/base ${(t / b).toFixed(3)}`)
}
