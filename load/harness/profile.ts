/**
 * Reads a V8 .cpuprofile (written by the server child run with --cpu-prof)
 * and lists the functions with the most self time: what the server's CPU
 * went on while a target was missed.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { PACKAGE_ROOT } from './procs.js'
import type { ProfileSummary } from './types.js'

interface CpuProfile {
  nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number } }>
  samples: number[]
  timeDeltas: number[]
}

const IGNORED = new Set(['(idle)', '(root)'])

export async function summarizeProfile (file: string, label: string, topN = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<string, { functionName: string, location: string, us: number }>()
  const byCategory = new Map<string, number>()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i])
    const dt = profile.timeDeltas[i] ?? 0
    if (node === undefined || IGNORED.has(node.callFrame.functionName)) continue
    const { functionName, url, lineNumber } = node.callFrame
    const location = url === '' ? '' : `${shorten(url)}:${lineNumber + 1}`
    const key = `${functionName}@${location}`
    const entry = selfUs.get(key) ?? { functionName: functionName === '' ? '(anonymous)' : functionName, location, us: 0 }
    entry.us += dt
    selfUs.set(key, entry)
    const category = categoryOf(functionName, url)
    byCategory.set(category, (byCategory.get(category) ?? 0) + dt)
    total += dt
  }
  const top = [...selfUs.values()].sort((a, b) => b.us - a.us).slice(0, topN).map((e) => ({
    functionName: e.functionName,
    location: e.location,
    selfMs: Math.round(e.us / 100) / 10,
    selfPct: total === 0 ? 0 : Math.round((e.us / total) * 1000) / 10
  }))
  const categories = [...byCategory.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({
    name,
    selfMs: Math.round(us / 1000),
    selfPct: total === 0 ? 0 : Math.round((us / total) * 1000) / 10
  }))
  return { label, file: relative(PACKAGE_ROOT, file), totalMs: Math.round(total / 1000), top, categories }
}

function categoryOf (functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC'
  if (functionName === '(program)') return 'V8 / native (unattributed)'
  if (url === '') return 'native calls (syscalls, builtins)'
  if (url.startsWith('node:')) return 'node core'
  const path = url.replace(/^file:\/\//, '')
  const nm = path.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/')
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  const rel = path.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, path) : path
  const match = /^dist\/(src\/[^/]+|plugins|schemas|load\/[^/]+)/.exec(rel)
  return match === null ? rel : `ours: ${match[1]}`
}

function shorten (url: string): string {
  const path = url.replace(/^file:\/\//, '')
  const nm = path.lastIndexOf('node_modules/')
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length)
  return path.startsWith(PACKAGE_ROOT) ? relative(PACKAGE_ROOT, path) : path
}

/** The newest .cpuprofile of the main thread in dir (the one the server just wrote on exit). */
export async function newestProfile (dir: string): Promise<string | null> {
  // Node names a profile CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: the server's main thread is
  // thread 0; its log writer and watchdog threads write their own (small) profiles, which must not win.
  let best: { file: string, main: boolean, mtime: number } | null = null
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.cpuprofile')) continue
    const file = join(dir, name)
    const main = /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name)
    const { mtimeMs } = await stat(file)
    if (best === null || (main && !best.main) || (main === best.main && mtimeMs > best.mtime)) best = { file, main, mtime: mtimeMs }
  }
  return best?.file ?? null
}
