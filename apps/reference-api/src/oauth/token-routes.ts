import { builtinCatalog } from '@faultline/core';
import { networkKey } from '../attempt-limits.js';
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { hashSecret as hashOf } from '../authentication/api-keys.js';
import type { Database } from '../database/schema.js';
import { authenticateClient } from './client-authentication.js';
import { formOf, parameter, readFormBodies, repeatedNames } from './form-body.js';
import type { OAuthContext } from './oauth-context.js';
import { grantTypes, revokeGrants, type OAuthApp } from './oauth-apps.js';
import { issueOAuthSecret, isWellFormed, lifetimes } from './oauth-tokens.js';
import { isWellFormedVerifier, verifierMatches } from './pkce.js';
import { isScope, parseScope, userScopes } from './scopes.js';
import { tokenOperation } from './oauth-operations.js';

/** The route config of the token and revocation endpoints: RFC 6749 errors, token-endpoint statuses. */
export const tokenEndpointConfig = { faultline: { profile: 'oauth', context: 'oauth-token' } } as const;

interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
}

const invalidGrant = (detail: string) => builtinCatalog.error('invalid_grant', { detail });
const invalidRequest = (detail: string) => builtinCatalog.error('invalid_request', { detail });

/** Access and (optionally) refresh tokens for a grant, written in the caller's transaction. */
async function issueTokens(
  trx: Transaction<Database> | Kysely<Database>,
  grantId: number,
  at: number,
  accessScope: string,
  refreshScope: string | undefined,
): Promise<TokenResponse> {
  const access = issueOAuthSecret('accessToken');
  const created = new Date(at).toISOString();
  await trx
    .insertInto('oauth_tokens')
    .values({
      grant_id: grantId,
      kind: 'access',
      token_hash: access.hash,
      scope: accessScope,
      expires_at: new Date(at + lifetimes.accessTokenMs).toISOString(),
      created_at: created,
      revoked_at: null,
      rotated_at: null,
    })
    .execute();
  const response: TokenResponse = {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: lifetimes.accessTokenMs / 1000,
    scope: accessScope,
  };
  if (refreshScope !== undefined) {
    const refresh = issueOAuthSecret('refreshToken');
    await trx
      .insertInto('oauth_tokens')
      .values({
        grant_id: grantId,
        kind: 'refresh',
        token_hash: refresh.hash,
        scope: refreshScope,
        expires_at: new Date(at + lifetimes.refreshTokenMs).toISOString(),
        created_at: created,
        revoked_at: null,
        rotated_at: null,
      })
      .execute();
    response.refresh_token = refresh.value;
  }
  return response;
}

/**
 * `POST /oauth/token` (RFC 6749 §3.2): the authorization code (with PKCE),
 * refresh token (with rotation) and client credentials grants. Every answer,
 * tokens and errors alike, carries `Cache-Control: no-store` and `Pragma: no-cache`.
 */
export const tokenRoutes: FastifyPluginAsync<OAuthContext> = async (app, { db, now, realm, limits }) => {
  readFormBodies(app);
  // Before the body is read: a flood from one network costs no parsing (see attempt-limits.ts).
  app.addHook('onRequest', async (request) =>
    limits.spend(networkKey(request.ip), limits.policies.oauthPerAddress, 'Too many token requests from your network'),
  );
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
    done(null, payload);
  });

  app.post(
    '/oauth/token',
    {
      config: {
        ...tokenEndpointConfig,
        operation: tokenOperation,
        errors: ['invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'],
      },
    },
    async (request, reply) => {
      const form = formOf(request.body);
      const repeated = repeatedNames(form);
      if (repeated.length > 0) throw invalidRequest(`${repeated.join(', ')} must not be sent more than once.`);
      const client = await authenticateClient(db, request.headers.authorization, form, realm);
      // Counted once the client is authenticated, so nobody can spend another client's budget by naming it.
      await limits.spend(`client:${client.id}`, limits.policies.oauthPerClient, 'Too many token requests from this client');
      const grantType = parameter(form, 'grant_type');
      if (grantType === undefined) throw invalidRequest('grant_type is missing.');
      if (!(grantTypes as readonly string[]).includes(grantType)) {
        throw builtinCatalog.error('unsupported_grant_type', {
          detail: `grant_type '${grantType.slice(0, 50)}' is not supported; use ${grantTypes.slice(0, -1).join(', ')} or ${grantTypes.at(-1)}.`,
        });
      }
      if (!client.grantTypes.includes(grantType)) {
        throw builtinCatalog.error('unauthorized_client', { detail: `This app may not use the ${grantType} grant.` });
      }
      const body =
        grantType === 'authorization_code'
          ? await exchangeCode(db, client, form, now())
          : grantType === 'refresh_token'
            ? await refresh(db, client, form, now())
            : await clientCredentials(db, client, form, now());
      return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(body);
    },
  );
};

async function exchangeCode(db: Kysely<Database>, client: OAuthApp, form: URLSearchParams, at: number): Promise<TokenResponse> {
  const code = parameter(form, 'code');
  if (code === undefined) throw invalidRequest('code is missing.');
  const redirectUri = parameter(form, 'redirect_uri');
  if (redirectUri === undefined) throw invalidRequest('redirect_uri is missing; send the one the authorization request used.');
  const verifier = parameter(form, 'code_verifier');
  if (verifier !== undefined && !isWellFormedVerifier(verifier)) {
    throw invalidRequest('code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9 and -._~.');
  }
  if (!isWellFormed('authorizationCode', code)) throw invalidGrant('The code is not one this server issued.');
  const row = await db
    .selectFrom('oauth_codes')
    .innerJoin('oauth_grants', 'oauth_grants.id', 'oauth_codes.grant_id')
    .select([
      'oauth_codes.id',
      'oauth_codes.grant_id',
      'oauth_codes.redirect_uri',
      'oauth_codes.scope',
      'oauth_codes.code_challenge',
      'oauth_codes.expires_at',
      'oauth_codes.used_at',
      'oauth_grants.app_id',
      'oauth_grants.revoked_at',
    ])
    .where('oauth_codes.code_hash', '=', hashOf(code))
    .executeTakeFirst();
  // Another client's code is refused as if unknown, and left alone: the owner may still use it.
  if (row === undefined || row.app_id !== client.id) throw invalidGrant('The code is not one this server issued to this client.');
  if (row.used_at !== null) {
    // RFC 6749 §4.1.2: a code used twice means it leaked; what was issued from it is revoked.
    await revokeGrants(db, [row.grant_id], at);
    throw invalidGrant('The code was already used; every token issued from it is now revoked.');
  }
  if (row.revoked_at !== null) throw invalidGrant('The authorization behind this code was revoked.');
  if (Date.parse(row.expires_at) <= at) throw invalidGrant('The code expired; start the authorization again.');
  if (redirectUri !== row.redirect_uri) throw invalidGrant('redirect_uri is not the one the authorization request used.');
  if (row.code_challenge === null) {
    if (verifier !== undefined) throw invalidGrant('code_verifier is sent, but the authorization request had no code_challenge.');
  } else {
    if (verifier === undefined) throw invalidGrant('code_verifier is missing; the authorization request had a code_challenge.');
    if (!verifierMatches(verifier, row.code_challenge)) throw invalidGrant('code_verifier does not match the code_challenge.');
  }
  const refreshScope = client.grantTypes.includes('refresh_token') ? row.scope : undefined;
  return db
    .transaction()
    .execute(async (trx) => {
      const used = await trx
        .updateTable('oauth_codes')
        .set({ used_at: new Date(at).toISOString() })
        .where('id', '=', row.id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (used.numUpdatedRows !== 1n) throw new ReplayedInTransaction(row.grant_id);
      return issueTokens(trx, row.grant_id, at, row.scope, refreshScope);
    })
    .catch(async (error: unknown) => {
      if (!(error instanceof ReplayedInTransaction)) throw error;
      await revokeGrants(db, [error.grantId], at);
      throw invalidGrant('The code was already used; every token issued from it is now revoked.');
    });
}

/** Another request used the code or token between our read and our write. */
class ReplayedInTransaction extends Error {
  constructor(readonly grantId: number) {
    super('replayed');
  }
}

async function refresh(db: Kysely<Database>, client: OAuthApp, form: URLSearchParams, at: number): Promise<TokenResponse> {
  const token = parameter(form, 'refresh_token');
  if (token === undefined) throw invalidRequest('refresh_token is missing.');
  if (!isWellFormed('refreshToken', token)) throw invalidGrant('The refresh token is not one this server issued.');
  const row = await db
    .selectFrom('oauth_tokens')
    .innerJoin('oauth_grants', 'oauth_grants.id', 'oauth_tokens.grant_id')
    .select([
      'oauth_tokens.id',
      'oauth_tokens.grant_id',
      'oauth_tokens.scope',
      'oauth_tokens.expires_at',
      'oauth_tokens.revoked_at',
      'oauth_tokens.rotated_at',
      'oauth_grants.app_id',
      'oauth_grants.scope as grant_scope',
      'oauth_grants.revoked_at as grant_revoked_at',
    ])
    .where('oauth_tokens.token_hash', '=', hashOf(token))
    .where('oauth_tokens.kind', '=', 'refresh')
    .executeTakeFirst();
  if (row === undefined || row.app_id !== client.id)
    throw invalidGrant('The refresh token is not one this server issued to this client.');
  if (row.rotated_at !== null) {
    // RFC 9700 §4.14.2: a rotated refresh token presented again was stolen, or its thief already used it.
    await revokeGrants(db, [row.grant_id], at);
    throw invalidGrant('The refresh token was already used; the whole authorization is now revoked.');
  }
  if (row.revoked_at !== null || row.grant_revoked_at !== null) throw invalidGrant('The refresh token was revoked.');
  if (Date.parse(row.expires_at) <= at) throw invalidGrant('The refresh token expired; start the authorization again.');
  const granted = parseScope(row.scope);
  let accessScope = row.scope;
  const scope = parameter(form, 'scope');
  if (scope !== undefined) {
    const asked = parseScope(scope);
    const beyond = asked.filter((each) => !isScope(each) || !granted.includes(each));
    if (asked.length === 0 || beyond.length > 0) {
      throw builtinCatalog.error('invalid_scope', {
        detail: `The refresh token was not granted: ${beyond.join(' ').slice(0, 200)}. Ask for at most: ${row.scope}.`,
      });
    }
    accessScope = asked.join(' ');
  }
  return db
    .transaction()
    .execute(async (trx) => {
      const rotated = await trx
        .updateTable('oauth_tokens')
        .set({ rotated_at: new Date(at).toISOString() })
        .where('id', '=', row.id)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (rotated.numUpdatedRows !== 1n) throw new ReplayedInTransaction(row.grant_id);
      // The new refresh token keeps the whole grant: narrowing one access token narrows nothing else.
      return issueTokens(trx, row.grant_id, at, accessScope, row.scope);
    })
    .catch(async (error: unknown) => {
      if (!(error instanceof ReplayedInTransaction)) throw error;
      await revokeGrants(db, [error.grantId], at);
      throw invalidGrant('The refresh token was already used; the whole authorization is now revoked.');
    });
}

async function clientCredentials(
  db: Kysely<Database>,
  client: OAuthApp,
  form: URLSearchParams,
  at: number,
): Promise<TokenResponse> {
  if (client.clientType !== 'confidential') {
    throw builtinCatalog.error('unauthorized_client', { detail: 'A public client may not use the client_credentials grant.' });
  }
  const scope = parameter(form, 'scope');
  // No user is behind this grant, so the scopes about one are never part of it.
  const asked = scope === undefined ? client.allowedScopes.filter((each) => !userScopes.has(each)) : parseScope(scope);
  const unknown = asked.filter((each) => !isScope(each));
  if (asked.length === 0 || unknown.length > 0) {
    throw builtinCatalog.error('invalid_scope', { detail: `Unknown scope: ${unknown.join(' ').slice(0, 200)}.` });
  }
  const aboutUser = asked.filter((each) => userScopes.has(each));
  if (aboutUser.length > 0) {
    throw builtinCatalog.error('invalid_scope', {
      detail: `${aboutUser.join(' ')} is about the user who authorizes an app, and a client_credentials token has none; use the authorization code grant for it.`,
    });
  }
  const forbidden = asked.filter((each) => !client.allowedScopes.includes(each));
  if (forbidden.length > 0) {
    throw builtinCatalog.error('invalid_scope', { detail: `This app may not ask for: ${forbidden.join(' ')}.` });
  }
  return db.transaction().execute(async (trx) => {
    // The app acts for its own team, with no user behind it; no refresh token (RFC 6749 §4.4.3).
    const grant = await trx
      .insertInto('oauth_grants')
      .values({
        app_id: client.id,
        user_id: null,
        team_id: client.teamId,
        scope: asked.join(' '),
        created_at: new Date(at).toISOString(),
        revoked_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return issueTokens(trx, grant.id, at, asked.join(' '), undefined);
  });
}
