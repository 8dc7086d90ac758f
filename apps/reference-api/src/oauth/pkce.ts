import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * PKCE (RFC 7636) with S256 only: `plain` sends the verifier itself through the
 * browser, which is what PKCE is meant to avoid (RFC 9700 §2.1.1).
 */

/** The code_challenge_method values accepted. */
export const codeChallengeMethods = ['S256'] as const;

/** An S256 challenge is the base64url SHA-256 of the verifier: exactly 43 characters. */
const challengeShape = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const verifierShape = /^[A-Za-z0-9._~-]{43,128}$/;

export function isWellFormedChallenge(challenge: string): boolean {
  return challengeShape.test(challenge);
}

export function isWellFormedVerifier(verifier: string): boolean {
  return verifierShape.test(verifier);
}

export function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Whether `verifier` is the one `challenge` was made from, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  const given = Buffer.from(challengeOf(verifier));
  const expected = Buffer.from(challenge);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
