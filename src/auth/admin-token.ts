/**
 * The admin token check: `Authorization: Bearer <token>`, compared in
 * constant time whatever the lengths (both sides hashed to equal-length
 * digests first, so neither the content nor the length leaks through timing).
 */
import { createHash, timingSafeEqual } from 'node:crypto'

const BEARER = /^Bearer ([\x21-\x7e]+)$/

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/** A checker for one expected token; true when the Authorization header carries exactly it. */
export function adminTokenChecker (token: string): (authorization: string | undefined) => boolean {
  if (token === '') throw new Error('the admin token must not be empty')
  const expected = digest(token)
  return (authorization) => {
    const match = authorization === undefined ? null : BEARER.exec(authorization)
    // Hash something in every case, so a missing header costs what a wrong one does.
    const given = digest(match === null ? '' : match[1])
    return timingSafeEqual(expected, given) && match !== null
  }
}
