import { builtinCatalog } from '@faultline/core';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, KeyAccess, Subscription, UserRole } from '../database/schema.js';
import { absentKeyHash, hashSecret, parseApiKey, secretMatches } from './api-keys.js';
import { authenticationChallenges, type Credential } from './credentials.js';
import { isWellFormed } from '../oauth/oauth-tokens.js';
import { parseScope } from '../oauth/scopes.js';
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
  /** Null only for an OAuth app acting for its own team (client credentials): no person is behind it. */
  readonly userId: number | null;
  readonly teamId: number;
  readonly role: UserRole;
  /** What the credential may do: a read-only API key, or everything the user may. */
  readonly access: KeyAccess;
  readonly credential:
    | { readonly kind: 'api_key' | 'session'; readonly id: number }
    /** An OAuth access token: what it may do is its scope, on behalf of its app. */
    | { readonly kind: 'oauth'; readonly id: number; readonly appId: number; readonly scope: readonly string[] };
  readonly account: AccountState;
}

/**
 * Finds whose credential this is. Throws `invalid_api_key` for a malformed,
 * unknown, wrong or revoked key; `invalid_token` for a session token this API
 * never issued, and for an OAuth access token that is unknown, expired or
 * revoked; `session_expired` for a session that expired or was logged out.
 */
export async function findPrincipal(
  db: Kysely<Database>,
  credential: Credential,
  realm: string,
  now: number,
): Promise<Principal> {
  if (credential.kind === 'api_key') return findKeyOwner(db, credential.key, realm);
  if (credential.kind === 'session') return findSessionOwner(db, credential.token, realm, now);
  return findTokenOwner(db, credential.token, realm, now);
}

/** Whether the team in the query has an administrator who is not disabled. */
function teamHasActiveAdmin(expression: ExpressionBuilder<Database, 'teams'>) {
  return expression
    .exists(
      expression
        .selectFrom('users as admins')
        .select('admins.id')
        .whereRef('admins.team_id', '=', 'teams.id')
        .where('admins.role', '=', 'admin')
        .where('admins.disabled_at', 'is', null),
    )
    .as('hasActiveAdmin');
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
      teamHasActiveAdmin(expression),
    ]);
}

/** The columns the account state is read from; a team without a user has no `disabled_at`. */
type AccountRow = {
  disabled_at?: string | null;
  blocked_at: string | null;
  subscription: Subscription;
  hasActiveAdmin: unknown;
};

function accountOf(row: AccountRow): AccountState {
  return {
    userDisabled: row.disabled_at !== undefined && row.disabled_at !== null,
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

async function findTokenOwner(db: Kysely<Database>, token: string, realm: string, now: number): Promise<Principal> {
  const row = isWellFormed('accessToken', token)
    ? await db
        .selectFrom('oauth_tokens')
        .innerJoin('oauth_grants', 'oauth_grants.id', 'oauth_tokens.grant_id')
        .innerJoin('oauth_apps', 'oauth_apps.id', 'oauth_grants.app_id')
        .select([
          'oauth_tokens.id as tokenId',
          'oauth_tokens.kind',
          'oauth_tokens.scope',
          'oauth_tokens.expires_at',
          'oauth_tokens.revoked_at',
          'oauth_grants.revoked_at as grantRevokedAt',
          'oauth_grants.user_id as grantUserId',
          'oauth_grants.team_id as grantTeamId',
          'oauth_apps.id as appId',
          'oauth_apps.deleted_at as appDeletedAt',
        ])
        .where('oauth_tokens.token_hash', '=', hashSecret(token))
        .executeTakeFirst()
    : undefined;
  const invalid = (detail: string) =>
    builtinCatalog.error('invalid_token', {
      detail,
      headers: { 'www-authenticate': authenticationChallenges(realm, 'invalid_token') },
    });
  if (row === undefined || row.kind !== 'access') throw invalid('The access token is not one this API issued.');
  if (row.revoked_at !== null || row.grantRevokedAt !== null || row.appDeletedAt !== null)
    throw invalid('The access token was revoked. Ask the user to authorize your app again.');
  if (Date.parse(row.expires_at) <= now)
    throw invalid(`The access token expired at ${row.expires_at}. Use your refresh token to get a new one.`);

  const credential = { kind: 'oauth', id: row.tokenId, appId: row.appId, scope: parseScope(row.scope) } as const;
  if (row.grantUserId === null) {
    // Client credentials: the app acts for its own team, with no person behind it.
    const team = await db
      .selectFrom('teams')
      .select((expression) => ['teams.id', 'teams.blocked_at', 'teams.subscription', teamHasActiveAdmin(expression)])
      .where('teams.id', '=', row.grantTeamId)
      .executeTakeFirstOrThrow();
    return {
      userId: null,
      teamId: team.id,
      role: 'member',
      access: 'read_write',
      credential,
      account: accountOf(team),
    };
  }
  const owner = await withAccount(db).where('users.id', '=', row.grantUserId).executeTakeFirstOrThrow();
  return {
    userId: owner.userId,
    teamId: owner.teamId,
    role: owner.role,
    access: 'read_write',
    credential,
    account: accountOf(owner),
  };
}
