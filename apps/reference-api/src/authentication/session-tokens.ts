import { randomBytes } from 'node:crypto';
import { hashSecret } from './api-keys.js';

/**
 * Session tokens look like `fls_<43 characters>`: 256 random bits, so, like
 * API keys, a fast SHA-256 of them is stored, never the token. The prefix
 * tells a session from an API key before any lookup.
 */
const tokenPattern = /^fls_[A-Za-z0-9_-]{43}$/;

export const sessionPrefix = 'fls_';

export function issueSessionToken(): { token: string; tokenHash: string } {
  const token = `${sessionPrefix}${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashSecret(token) };
}

export function isWellFormedSessionToken(token: string): boolean {
  return tokenPattern.test(token);
}
