import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tap/**', 'load/results/**', 'test/artifacts/**'] }),
  {
    // `const X = {...} as const` beside `type X = ...` is our enum replacement (erasable TypeScript).
    rules: { '@typescript-eslint/no-redeclare': 'off' }
  },
  {
    // The domain core is a library: no web framework, transport or logger in it.
    files: ['src/engine/**/*.ts', 'src/journal/**/*.ts', 'src/gateway/**/*.ts', 'src/exchange/**/*.ts', 'src/wire/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['fastify', 'fastify-*', '@fastify/*', 'ws', 'undici', 'pino', 'node:http', 'node:https', 'http', 'https'],
          message: 'src/engine, src/journal, src/gateway, src/exchange and src/wire stay free of web and logging code; adapt them in plugins/.'
        }]
      }]
    }
  }
]
