import { randomBytes } from 'node:crypto';
import { hashSecret } from '../authentication/api-keys.js';

/**
 * Every OAuth secret is 256 random bits behind a prefix that says what it is,
 * so a leaked one is recognisable (secret scanners) and a token sent to the
 * wrong place is refused before any lookup. Only SHA-256 hashes are stored.
 */
export const oauthPrefixes = {
  accessToken: 'fla_',
  refreshToken: 'flr_',
  authorizationCode: 'flc_',
  clientSecret: 'flcs_',
  clientId: 'app_',
} as const;

export type OAuthSecretKind = keyof typeof oauthPrefixes;

export function issueOAuthSecret(kind: OAuthSecretKind): { value: string; hash: string } {
  const value = `${oauthPrefixes[kind]}${randomBytes(kind === 'clientId' ? 12 : 32).toString('base64url')}`;
  return { value, hash: hashSecret(value) };
}

const shapes: Record<OAuthSecretKind, RegExp> = {
  accessToken: /^fla_[A-Za-z0-9_-]{43}$/,
  refreshToken: /^flr_[A-Za-z0-9_-]{43}$/,
  authorizationCode: /^flc_[A-Za-z0-9_-]{43}$/,
  clientSecret: /^flcs_[A-Za-z0-9_-]{43}$/,
  clientId: /^app_[A-Za-z0-9_-]{16}$/,
};

export function isWellFormed(kind: OAuthSecretKind, value: string): boolean {
  return shapes[kind].test(value);
}

/** Access tokens live an hour; refresh tokens 30 days; codes 60 seconds (RFC 6749 §4.1.2 says at most 10 minutes). */
export const lifetimes = {
  accessTokenMs: 60 * 60 * 1000,
  refreshTokenMs: 30 * 24 * 60 * 60 * 1000,
  authorizationCodeMs: 60 * 1000,
} as const;
