import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An API key is `mql_<id>_<secret>`: a public 12-hex-digit id that finds the key, and a secret of
 * 256 random bits. Only the SHA-256 of the secret is stored: for a secret of that entropy a slow
 * password hash adds nothing, and a fast one keeps authentication off the request's critical path.
 */
const TOKEN = /^mql_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  id: string;
  token: string;
  secretHash: Buffer;
}

export function generateKey(): GeneratedKey {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `mql_${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** The length of every key: mql_, 12 hex digits, _, 43 base64url characters. */
export const KEY_LENGTH = 4 + 12 + 1 + 43;

export function isWellFormedToken(token: string): boolean {
  return TOKEN.test(token);
}

export function parseToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Compares in constant time, so the time taken says nothing about how much of a secret matched. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return storedHash.length === presented.length && timingSafeEqual(presented, storedHash);
}
