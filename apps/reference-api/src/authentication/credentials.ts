import { builtinCatalog, type ApiError } from '@faultline/core';
import { basicChallenge, bearerChallenge, wwwAuthenticate } from '@faultline/fastify';
import { oauthPrefixes } from '../oauth/oauth-tokens.js';
import { sessionPrefix } from './session-tokens.js';

/** What the caller presented: an API key, a session token, or an OAuth access token. */
export type Credential =
  | { readonly kind: 'api_key'; readonly key: string }
  | { readonly kind: 'session'; readonly token: string }
  | { readonly kind: 'oauth'; readonly token: string };

/** The credential of each kind as a person reads it in a message, e.g. "made with an OAuth access token". */
export const credentialNames: Readonly<Record<Credential['kind'], string>> = {
  api_key: 'an API key',
  session: 'a session token',
  oauth: 'an OAuth access token',
};

/**
 * The `WWW-Authenticate` challenges: a bearer credential (API key or session
 * token), or HTTP Basic with the key as password. The RFC 6750 error
 * attribute belongs to the Bearer one.
 */
export function authenticationChallenges(realm: string, error?: 'invalid_token' | 'invalid_request'): string {
  // Written once per realm and error: every request without credentials gets the same header.
  const key = `${error ?? ''} ${realm}`;
  let challenges = writtenChallenges.get(key);
  if (challenges === undefined) {
    challenges = wwwAuthenticate([bearerChallenge({ realm, ...(error === undefined ? {} : { error }) }), basicChallenge(realm)]);
    // An app has one realm or a few; the bound only guards against a caller passing many.
    if (writtenChallenges.size >= 64) writtenChallenges.clear();
    writtenChallenges.set(key, challenges);
  }
  return challenges;
}

const writtenChallenges = new Map<string, string>();

/**
 * Reads the credential from `Authorization: Bearer <key, session or access token>` or
 * HTTP Basic (the key as password, or as user name with an empty password, as
 * outreach APIs accept), or the refusal to answer when there is none to read.
 * Synchronous and without a throw, so a flood of unauthenticated requests is
 * turned away without touching the database, allocating a promise or unwinding
 * a stack.
 */
export function readCredential(authorization: string | undefined, realm: string, queryToken?: unknown): Credential | ApiError {
  // RFC 6750 allows a token in the query, but it ends up in logs and browser history (RFC 9700 §2.4.2): refused.
  if (queryToken !== undefined) {
    return builtinCatalog.error('invalid_request', {
      detail:
        authorization === undefined
          ? 'The access token was sent in the URL query, where logs and histories keep it. Send it as "Authorization: Bearer <token>" instead.'
          : 'The access token was sent twice, in the Authorization header and in the URL query. Send it only in the header.',
      headers: { 'www-authenticate': authenticationChallenges(realm, 'invalid_request') },
    });
  }
  if (authorization === undefined || authorization.trim() === '') return noCredentials(realm);
  const value = valueFromHeader(authorization);
  if (value === undefined) {
    return builtinCatalog.error('unauthorized_request', {
      detail: 'The Authorization header is not "Bearer <credential>" or "Basic <credentials>".',
      headers: { 'www-authenticate': authenticationChallenges(realm) },
    });
  }
  if (value.startsWith(oauthPrefixes.refreshToken) || value.startsWith(oauthPrefixes.authorizationCode)) {
    // Not an API key, whatever its shape: say what it is and where it goes.
    const what = value.startsWith(oauthPrefixes.refreshToken) ? 'a refresh token' : 'an authorization code';
    return builtinCatalog.error('invalid_token', {
      detail: `This is ${what}, which the API does not accept: exchange it at POST /oauth/token and send the access token it gives.`,
      headers: { 'www-authenticate': authenticationChallenges(realm, 'invalid_token') },
    });
  }
  if (value.startsWith(sessionPrefix)) return { kind: 'session', token: value };
  if (value.startsWith(oauthPrefixes.accessToken)) return { kind: 'oauth', token: value };
  return { kind: 'api_key', key: value };
}

/**
 * The answer to a request without credentials, the most common refusal there
 * is: nothing in it varies by request, so it is built once per realm.
 */
function noCredentials(realm: string): ApiError {
  let refusal = noCredentialsByRealm.get(realm);
  if (refusal === undefined) {
    refusal = builtinCatalog.error('unauthorized_request', {
      detail:
        'No credentials were sent. Send an API key as "Authorization: Bearer <key>" or as the password of HTTP Basic authentication, or a session token as "Authorization: Bearer <token>".',
      headers: { 'www-authenticate': authenticationChallenges(realm) },
    });
    if (noCredentialsByRealm.size >= 64) noCredentialsByRealm.clear();
    noCredentialsByRealm.set(realm, refusal);
  }
  return refusal;
}

const noCredentialsByRealm = new Map<string, ApiError>();

function valueFromHeader(header: string): string | undefined {
  const space = header.indexOf(' ');
  if (space === -1) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return value === '' ? undefined : value;
  if (scheme !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const key = password !== '' ? password : user;
  return key === '' ? undefined : key;
}
