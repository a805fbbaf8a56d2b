// Loaded with `node --import` by test/load/k6-scripts.test.ts: makes `k6` and `k6/*` imports resolve to the
// stand-ins in this folder and gives the scripts k6's __ENV, so their init code (options, thresholds) and
// selected functions run under Node. The stand-ins record metrics; they are not k6.
import { register } from 'node:module'

globalThis.__ENV = { ...process.env }
globalThis.__k6 = { metrics: {}, aborted: null, http: null, ws: null, requests: [], hmacs: [] }
register('./resolve.mjs', import.meta.url)
