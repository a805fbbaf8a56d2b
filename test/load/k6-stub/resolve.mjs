// Module resolve hook: k6's built-in modules come from ./modules/<name>.mjs (k6/http -> k6-http.mjs).
const MODULES = new Set(['k6', 'k6/crypto', 'k6/http', 'k6/execution', 'k6/metrics', 'k6/ws'])

export async function resolve (specifier, context, next) {
  if (MODULES.has(specifier)) {
    return { url: new URL(`./modules/${specifier.replace('/', '-')}.mjs`, import.meta.url).href, shortCircuit: true }
  }
  return next(specifier, context)
}
