import { isWellFormed } from './oauth-tokens.js';
import type { Kysely, Selectable } from 'kysely';
import type { Database, OAuthAppsTable } from '../database/schema.js';
import { parseScope } from './scopes.js';

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export const grantTypes: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];

/** An OAuth app with its stored lists parsed. */
export interface OAuthApp {
  readonly id: number;
  readonly teamId: number;
  readonly clientId: string;
  readonly clientType: 'confidential' | 'public';
  readonly clientSecretHash: string | null;
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly allowedScopes: readonly string[];
  readonly grantTypes: readonly string[];
  readonly approved: boolean;
}

export function toOAuthApp(row: Selectable<OAuthAppsTable>): OAuthApp {
  const uris: unknown = JSON.parse(row.redirect_uris);
  return {
    id: row.id,
    teamId: row.team_id,
    clientId: row.client_id,
    clientType: row.client_type,
    clientSecretHash: row.client_secret_hash,
    name: row.name,
    redirectUris: Array.isArray(uris) ? uris.filter((uri): uri is string => typeof uri === 'string') : [],
    allowedScopes: parseScope(row.allowed_scopes),
    grantTypes: parseScope(row.grant_types),
    approved: row.approved_at !== null,
  };
}

/** The app with this client id, unless it is unknown or deleted. */
export async function findApp(db: Kysely<Database>, clientId: string): Promise<OAuthApp | undefined> {
  // A client id of another shape than the issued ones is not looked up at all (nor can a NUL reach the database).
  if (!isWellFormed('clientId', clientId)) return undefined;
  const row = await db
    .selectFrom('oauth_apps')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? undefined : toOAuthApp(row);
}

/**
 * Revokes grants and every token issued under them. A code of a revoked
 * grant is refused because its grant is; its row needs no change.
 */
export async function revokeGrants(db: Kysely<Database>, grantIds: readonly number[], now: number): Promise<void> {
  if (grantIds.length === 0) return;
  const at = new Date(now).toISOString();
  await db
    .updateTable('oauth_grants')
    .set({ revoked_at: at })
    .where('id', 'in', grantIds)
    .where('revoked_at', 'is', null)
    .execute();
  await db
    .updateTable('oauth_tokens')
    .set({ revoked_at: at })
    .where('grant_id', 'in', grantIds)
    .where('revoked_at', 'is', null)
    .execute();
}
