import t from 'tap'
import { ReplayCache } from '../../src/auth/replay-cache.js'
import { KeyRateLimit } from '../../src/auth/key-rate-limit.js'
import { adminTokenChecker } from '../../src/auth/admin-token.js'

t.test('replay cache: fresh, replayed, expired, full', async (t) => {
  const cache = new ReplayCache(100, 2)
  t.equal(cache.check('a', 0), 'fresh')
  t.equal(cache.check('a', 99), 'replayed')
  t.equal(cache.check('b', 50), 'fresh')
  t.equal(cache.check('c', 60), 'full')
  t.equal(cache.check('c', 100), 'fresh', 'a expired at 100 and made room')
  t.equal(cache.size, 2)
  t.equal(cache.check('a', 101), 'full', 'b and c still live')
  t.equal(cache.check('a', 150), 'fresh', 'b expired')
})

t.test('key rate limit: N per second per key, then the ms left; a new second starts afresh', async (t) => {
  const limit = new KeyRateLimit(2)
  t.equal(limit.take('k', 1000), 0)
  t.equal(limit.take('k', 1100), 0)
  t.equal(limit.take('k', 1400), 600)
  t.equal(limit.take('other', 1400), 0, 'per key')
  t.equal(limit.take('k', 2000), 0, 'the next window')
  t.equal(limit.take('k', 1500), 0, 'a clock that went backwards starts a new window')
})

t.test('key rate limit: stale windows are swept once many keys are tracked', async (t) => {
  const limit = new KeyRateLimit(1)
  for (let i = 0; i < 1024; i++) limit.take(`k${i}`, 0)
  t.equal(limit.size, 1024)
  limit.take('late', 5500)
  t.equal(limit.size, 1, 'every stale key swept')
  for (let i = 0; i < 1100; i++) limit.take(`n${i}`, 6000)
  t.equal(limit.size, 1101, 'live keys stay')
})

t.test('admin token: only "Bearer <token>" exactly', async (t) => {
  const isAdmin = adminTokenChecker('s3cret-admin-token-123')
  t.equal(isAdmin('Bearer s3cret-admin-token-123'), true)
  t.equal(isAdmin(undefined), false)
  t.equal(isAdmin(''), false)
  t.equal(isAdmin('Bearer '), false)
  t.equal(isAdmin('bearer s3cret-admin-token-123'), false)
  t.equal(isAdmin('Bearer s3cret-admin-token-12'), false, 'a prefix')
  t.equal(isAdmin('Bearer s3cret-admin-token-1234'), false, 'longer')
  t.equal(isAdmin('Basic s3cret-admin-token-123'), false)
  t.throws(() => adminTokenChecker(''), /must not be empty/)
})
