/**
 * The two secrets AUTH=required needs, from config or from SECRETS_DIR:
 * - the master secret every API key secret is derived from (key-secrets.ts),
 *   <SECRETS_DIR>/master.key unless AUTH_MASTER_SECRET(_FILE) is set;
 * - the admin token, <SECRETS_DIR>/admin-token unless ADMIN_TOKEN(_FILE) is set.
 * A missing file is created at first start: 32 random bytes as hex, mode
 * 0600 in a 0700 directory, written with O_EXCL (two starts racing read the
 * same file) and synced. SECRETS_DIR is never inside DATA_DIR (config.ts
 * refuses it), so a copy of the data directory carries no secret.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { StartupRefusedError } from '../journal/errors.js'

export const MASTER_FILE = 'master.key'
export const ADMIN_TOKEN_FILE = 'admin-token'
const GENERATED = /^[0-9a-f]{64}$/

export class SecretsUnavailableError extends StartupRefusedError {
  name = 'SecretsUnavailableError'
}

export interface SecretsConfig {
  readonly secretsDir: string
  readonly adminToken: string | null
  readonly masterSecret: string | null
}

export interface Secrets {
  readonly masterSecret: string
  readonly adminToken: string
  /** Where the admin token is, when it came from SECRETS_DIR (logged at start: the path, never the content). */
  readonly adminTokenPath: string | null
  /** Files this start created. */
  readonly created: readonly string[]
  /** Files other users may read: said at start. */
  readonly exposed: readonly string[]
}

export function loadSecrets (config: SecretsConfig): Secrets {
  const created: string[] = []
  const exposed: string[] = []
  const fromDir = (name: string): string => {
    const path = join(config.secretsDir, name)
    const { value, fresh } = readOrCreate(config.secretsDir, path)
    if (fresh) created.push(path)
    else if ((statSync(path).mode & 0o077) !== 0) exposed.push(path)
    return value
  }
  const masterSecret = config.masterSecret ?? fromDir(MASTER_FILE)
  const adminToken = config.adminToken ?? fromDir(ADMIN_TOKEN_FILE)
  return { masterSecret, adminToken, adminTokenPath: config.adminToken === null ? join(config.secretsDir, ADMIN_TOKEN_FILE) : null, created, exposed }
}

function readOrCreate (dir: string, path: string): { value: string, fresh: boolean } {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const fd = openSync(path, 'wx', 0o600)
    try {
      writeSync(fd, randomBytes(32).toString('hex') + '\n')
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    return { value: read(path), fresh: true }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SecretsUnavailableError(`cannot create ${path}: ${(error as Error).message} (set SECRETS_DIR to a writable directory outside DATA_DIR)`)
    }
  }
  return { value: read(path), fresh: false }
}

function read (path: string): string {
  let value: string
  try {
    value = readFileSync(path, 'utf8').trim()
  } catch (error) {
    throw new SecretsUnavailableError(`cannot read ${path}: ${(error as Error).message}`)
  }
  if (!GENERATED.test(value)) throw new SecretsUnavailableError(`${path} must hold 64 hex digits (as generated); delete it to have a new one made, which invalidates what it protected`)
  return value
}
