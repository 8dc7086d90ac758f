import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `flk_<public id>_<secret>`. The public id finds the
 * key's row; only a SHA-256 of the secret is stored. A slow hash is not needed:
 * the secret is 256 random bits, not a password a person chose.
 */
const keyPattern = /^flk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  /** The whole key, shown to its owner once and never stored. */
  readonly key: string;
  readonly publicId: string;
  readonly secretHash: string;
}

export function issueApiKey(): IssuedKey {
  const publicId = randomBytes(12).toString('base64url').replace(/[-_]/g, '').padEnd(16, '0').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  return { key: `flk_${publicId}_${secret}`, publicId, secretHash: hashSecret(secret) };
}

/** The two parts of a well-formed key, or undefined. */
export function parseApiKey(key: string): { publicId: string; secret: string } | undefined {
  const match = keyPattern.exec(key);
  if (match === null) return undefined;
  return { publicId: match[1] as string, secret: match[2] as string };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares a secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Hashed against when no key matches, so an unknown key costs as much as a wrong one. */
export const absentKeyHash = hashSecret('no key has this secret');
