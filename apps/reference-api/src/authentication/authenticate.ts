import { builtinCatalog } from '@faultline/core';
import type { Kysely } from 'kysely';
import type { Database, UserRole } from '../database/schema.js';
import { absentKeyHash, parseApiKey, secretMatches } from './api-keys.js';

/** Who is calling, once the credentials check out. */
export interface Principal {
  readonly userId: number;
  readonly teamId: number;
  readonly role: UserRole;
  readonly apiKeyId: number;
}

/**
 * The `WWW-Authenticate` challenges: a bearer API key, or HTTP Basic with the
 * key as password. The RFC 6750 error attribute belongs to the Bearer one.
 */
export function authenticationChallenges(realm: string, error?: 'invalid_token'): string {
  const bearer = error === undefined ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="${error}"`;
  return `${bearer}, Basic realm="${realm}", charset="UTF-8"`;
}

/**
 * Reads the API key from `Authorization: Bearer <key>` or HTTP Basic (the key
 * as password, or as user name with an empty password, as outreach APIs
 * accept). Synchronous, so a flood of unauthenticated requests is turned away
 * without touching the database or allocating a promise.
 */
export function readApiKey(authorization: string | undefined, realm: string): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw builtinCatalog.error('unauthorized_request', {
      detail: 'No API key was sent. Send it as "Authorization: Bearer <key>", or as the password of HTTP Basic authentication.',
      headers: { 'www-authenticate': authenticationChallenges(realm) },
    });
  }
  const key = keyFromHeader(authorization);
  if (key === undefined) {
    throw builtinCatalog.error('unauthorized_request', {
      detail: 'The Authorization header is not "Bearer <key>" or "Basic <credentials>".',
      headers: { 'www-authenticate': authenticationChallenges(realm) },
    });
  }
  return key;
}

/** Finds whose key this is; throws `invalid_api_key` for a malformed, unknown, wrong or revoked key. */
export async function findPrincipal(db: Kysely<Database>, key: string, realm: string): Promise<Principal> {
  const invalid = () =>
    builtinCatalog.error('invalid_api_key', {
      detail: 'The API key is not valid: it was mistyped, cut short, or revoked.',
      headers: { 'www-authenticate': authenticationChallenges(realm, 'invalid_token') },
    });
  const parts = parseApiKey(key);
  if (parts === undefined) throw invalid();

  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select([
      'api_keys.id as apiKeyId',
      'api_keys.secret_hash',
      'api_keys.revoked_at',
      'users.id as userId',
      'users.team_id as teamId',
      'users.role',
    ])
    .where('api_keys.public_id', '=', parts.publicId)
    .executeTakeFirst();
  const matches = secretMatches(parts.secret, row?.secret_hash ?? absentKeyHash);
  if (row === undefined || !matches || row.revoked_at !== null) throw invalid();
  return { userId: row.userId, teamId: row.teamId, role: row.role, apiKeyId: row.apiKeyId };
}

function keyFromHeader(header: string): string | undefined {
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
