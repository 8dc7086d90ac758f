import { builtinCatalog } from '@faultline/core';
import type { Kysely } from 'kysely';
import type { Database, KeyAccess, Subscription, UserRole } from '../database/schema.js';
import { absentKeyHash, hashSecret, parseApiKey, secretMatches } from './api-keys.js';
import { authenticationChallenges, type Credential } from './credentials.js';
import { isWellFormedSessionToken } from './session-tokens.js';

/** The state of the caller's account, read with the credential in one query. */
export interface AccountState {
  readonly userDisabled: boolean;
  readonly teamBlocked: boolean;
  readonly subscription: Subscription;
  readonly teamHasActiveAdmin: boolean;
}

/** Who is calling, once the credentials check out. */
export interface Principal {
  readonly userId: number;
  readonly teamId: number;
  readonly role: UserRole;
  /** What the credential may do: a read-only API key, or everything the user may. */
  readonly access: KeyAccess;
  readonly credential: { readonly kind: 'api_key' | 'session'; readonly id: number };
  readonly account: AccountState;
}

/**
 * Finds whose credential this is. Throws `invalid_api_key` for a malformed,
 * unknown, wrong or revoked key; `invalid_token` for a session token this API
 * never issued; `session_expired` for one that expired or was logged out.
 */
export async function findPrincipal(
  db: Kysely<Database>,
  credential: Credential,
  realm: string,
  now: number,
): Promise<Principal> {
  return credential.kind === 'api_key'
    ? findKeyOwner(db, credential.key, realm)
    : findSessionOwner(db, credential.token, realm, now);
}

/** The user and account columns every credential lookup reads. */
function withAccount(db: Kysely<Database>) {
  return db
    .selectFrom('users')
    .innerJoin('teams', 'teams.id', 'users.team_id')
    .select((expression) => [
      'users.id as userId',
      'users.team_id as teamId',
      'users.role',
      'users.disabled_at',
      'teams.blocked_at',
      'teams.subscription',
      expression
        .exists(
          expression
            .selectFrom('users as admins')
            .select('admins.id')
            .whereRef('admins.team_id', '=', 'users.team_id')
            .where('admins.role', '=', 'admin')
            .where('admins.disabled_at', 'is', null),
        )
        .as('hasActiveAdmin'),
    ]);
}

type AccountRow = {
  userId: number;
  teamId: number;
  role: UserRole;
  disabled_at: string | null;
  blocked_at: string | null;
  subscription: Subscription;
  hasActiveAdmin: unknown;
};

function accountOf(row: AccountRow): AccountState {
  return {
    userDisabled: row.disabled_at !== null,
    teamBlocked: row.blocked_at !== null,
    subscription: row.subscription,
    // SQLite answers EXISTS with 0 or 1, PostgreSQL with a boolean.
    teamHasActiveAdmin: row.hasActiveAdmin === true || Number(row.hasActiveAdmin) === 1,
  };
}

async function findKeyOwner(db: Kysely<Database>, key: string, realm: string): Promise<Principal> {
  const invalid = () =>
    builtinCatalog.error('invalid_api_key', {
      detail: 'The API key is not valid: it was mistyped, cut short, or revoked.',
      headers: { 'www-authenticate': authenticationChallenges(realm, 'invalid_token') },
    });
  const parts = parseApiKey(key);
  if (parts === undefined) throw invalid();

  const row = await withAccount(db)
    .innerJoin('api_keys', 'api_keys.user_id', 'users.id')
    .select(['api_keys.id as keyId', 'api_keys.secret_hash', 'api_keys.revoked_at', 'api_keys.access'])
    .where('api_keys.public_id', '=', parts.publicId)
    .executeTakeFirst();
  // Hashed even when no row matched, so an unknown key costs as much as a wrong one.
  const matches = secretMatches(parts.secret, row?.secret_hash ?? absentKeyHash);
  if (row === undefined || !matches || row.revoked_at !== null) throw invalid();
  return {
    userId: row.userId,
    teamId: row.teamId,
    role: row.role,
    access: row.access,
    credential: { kind: 'api_key', id: row.keyId },
    account: accountOf(row),
  };
}

async function findSessionOwner(db: Kysely<Database>, token: string, realm: string, now: number): Promise<Principal> {
  const challenge = { 'www-authenticate': authenticationChallenges(realm, 'invalid_token') };
  // Looked up by the hash of a 256-bit random token: timing reveals nothing a guesser can use.
  const row = isWellFormedSessionToken(token)
    ? await withAccount(db)
        .innerJoin('sessions', 'sessions.user_id', 'users.id')
        .select(['sessions.id as sessionId', 'sessions.expires_at', 'sessions.ended_at'])
        .where('sessions.token_hash', '=', hashSecret(token))
        .executeTakeFirst()
    : undefined;
  if (row === undefined) {
    throw builtinCatalog.error('invalid_token', {
      detail: 'The session token is not one this API issued. Log in again with POST /v1/sessions.',
      headers: challenge,
    });
  }
  if (row.ended_at !== null || Date.parse(row.expires_at) <= now) {
    throw builtinCatalog.error('session_expired', {
      detail:
        row.ended_at !== null
          ? `The session was logged out at ${row.ended_at}. Log in again with POST /v1/sessions.`
          : `The session expired at ${row.expires_at}. Log in again with POST /v1/sessions.`,
      headers: challenge,
    });
  }
  return {
    userId: row.userId,
    teamId: row.teamId,
    role: row.role,
    access: 'read_write',
    credential: { kind: 'session', id: row.sessionId },
    account: accountOf(row),
  };
}
