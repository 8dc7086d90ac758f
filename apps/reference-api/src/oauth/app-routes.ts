import { builtinCatalog, fieldValidationError } from '@faultline/core';
import { idParams } from '@faultline/reference-contract';
import type { FastifyPluginAsync } from 'fastify';
import type { Selectable } from 'kysely';
import type { OAuthAppsTable } from '../database/schema.js';
import type { RouteContext } from '../routes/route-context.js';
import { grantTypes, revokeGrants, toOAuthApp } from './oauth-apps.js';
import { issueOAuthSecret } from './oauth-tokens.js';
import { redirectUriProblem } from './redirect.js';
import { knownScopes, userScopes } from './scopes.js';
import { answerInTransaction } from '../idempotency/answer-in-transaction.js';

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const timestamp = { type: 'string', format: 'date-time', maxLength: 30 } as const;
const appName = { type: 'string', minLength: 1, maxLength: 100, description: 'Shown to users on the consent page.' } as const;
const clientType = {
  type: 'string',
  enum: ['confidential', 'public'],
  description: '`confidential`: a server that keeps a secret; `public`: a browser or mobile app, which must use PKCE.',
} as const;
const redirectUris = {
  type: 'array',
  minItems: 1,
  maxItems: 10,
  uniqueItems: true,
  description:
    'Exact URIs the user may be sent back to: https, or http for localhost only; no fragment. Compared as whole strings.',
  items: { type: 'string', minLength: 1, maxLength: 2000 },
} as const;
const allowedScopes = {
  type: 'array',
  maxItems: knownScopes.length,
  uniqueItems: true,
  description:
    'The scopes the app may ask for. `account:read` is about the user who authorizes the app, so it needs the `authorization_code` grant; a client_credentials token never has it.',
  items: { type: 'string', enum: knownScopes },
} as const;
const appGrantTypes = {
  type: 'array',
  minItems: 1,
  maxItems: grantTypes.length,
  uniqueItems: true,
  description: '`client_credentials` only for a confidential client.',
  items: { type: 'string', enum: grantTypes },
} as const;

const oauthAppResponse = {
  type: 'object',
  description: 'An OAuth app of the caller’s team, without its secret.',
  required: [
    'id',
    'client_id',
    'name',
    'client_type',
    'redirect_uris',
    'allowed_scopes',
    'grant_types',
    'approved_at',
    'created_at',
  ],
  additionalProperties: false,
  properties: {
    id,
    client_id: { type: 'string', maxLength: 64, description: 'The public identifier of the app (`app_…`).' },
    name: appName,
    client_type: clientType,
    redirect_uris: redirectUris,
    allowed_scopes: allowedScopes,
    grant_types: appGrantTypes,
    approved_at: {
      ...timestamp,
      type: ['string', 'null'],
      description: 'When the operator approved it for other teams; null until then.',
    },
    created_at: timestamp,
  },
} as const;

const createdOAuthAppResponse = {
  ...oauthAppResponse,
  description: 'The new app. A confidential app’s `client_secret` is shown this once; only a hash of it is kept.',
  properties: { ...oauthAppResponse.properties, client_secret: { type: 'string', maxLength: 80 } },
} as const;

const createOAuthAppBody = {
  type: 'object',
  required: ['name', 'client_type', 'redirect_uris', 'allowed_scopes', 'grant_types'],
  additionalProperties: false,
  properties: {
    name: appName,
    client_type: clientType,
    redirect_uris: redirectUris,
    allowed_scopes: allowedScopes,
    grant_types: appGrantTypes,
  },
} as const;

interface CreateOAuthAppInput {
  name: string;
  client_type: 'confidential' | 'public';
  redirect_uris: string[];
  allowed_scopes: string[];
  grant_types: string[];
}

function presentOAuthApp(row: Selectable<OAuthAppsTable>) {
  const app = toOAuthApp(row);
  return {
    id: row.id,
    client_id: row.client_id,
    name: row.name,
    client_type: row.client_type,
    redirect_uris: app.redirectUris,
    allowed_scopes: app.allowedScopes,
    grant_types: app.grantTypes,
    approved_at: row.approved_at,
    created_at: row.created_at,
  };
}

/** Team administrators register, list and delete the team's OAuth apps. */
export const oauthAppRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get(
    '/oauth-apps',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'listOAuthApps',
        summary: 'List the team’s OAuth apps',
        tags: ['oauth-apps'],
        response: {
          200: {
            type: 'object',
            description: 'Every OAuth app of your team that is not deleted, oldest first.',
            required: ['data'],
            additionalProperties: false,
            properties: { data: { type: 'array', maxItems: 10000, items: oauthAppResponse } },
          },
        },
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('oauth_apps')
        .selectAll()
        .where('team_id', '=', request.principal.teamId)
        .where('deleted_at', 'is', null)
        .orderBy('id', 'asc')
        .limit(10_000)
        .execute();
      return { data: rows.map(presentOAuthApp) };
    },
  );

  app.post<{ Body: CreateOAuthAppInput }>(
    '/oauth-apps',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'createOAuthApp',
        summary: 'Register an OAuth app',
        description:
          'A confidential app’s secret is in the response this once. Until the operator approves the app, only users of your team may authorize it.',
        tags: ['oauth-apps'],
        body: createOAuthAppBody,
        response: { 201: { ...createdOAuthAppResponse, description: 'The new app, with its secret if confidential.' } },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const errors = body.redirect_uris.flatMap((uri, index) => {
        const problem = redirectUriProblem(uri);
        return problem === undefined
          ? []
          : [{ pointer: `/redirect_uris/${index}`, location: 'body' as const, code: 'invalid_parameter', detail: problem }];
      });
      if (body.client_type === 'public' && body.grant_types.includes('client_credentials')) {
        errors.push({
          pointer: '/grant_types',
          location: 'body',
          code: 'invalid_parameter',
          detail: 'client_credentials needs a confidential client: a public one has no secret',
        });
      }
      if (!body.grant_types.includes('authorization_code')) {
        body.allowed_scopes.forEach((scope, index) => {
          if (!userScopes.has(scope)) return;
          errors.push({
            pointer: `/allowed_scopes/${index}`,
            location: 'body',
            code: 'invalid_parameter',
            detail: `${scope} is about the user who authorizes the app, and without authorization_code no user ever does`,
          });
        });
      }
      if (errors.length > 0) {
        throw fieldValidationError(errors, request.server.faultline);
      }
      const clientId = issueOAuthSecret('clientId');
      const secret = body.client_type === 'confidential' ? issueOAuthSecret('clientSecret') : undefined;
      return answerInTransaction(request, reply, db, async (transaction) => {
        const row = await transaction
          .insertInto('oauth_apps')
          .values({
            team_id: request.principal.teamId,
            client_id: clientId.value,
            client_secret_hash: secret?.hash ?? null,
            name: body.name,
            client_type: body.client_type,
            redirect_uris: JSON.stringify(body.redirect_uris),
            allowed_scopes: body.allowed_scopes.join(' '),
            grant_types: body.grant_types.join(' '),
            approved_at: null,
            created_at: new Date().toISOString(),
            deleted_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return {
          status: 201,
          headers: { 'cache-control': 'no-store' },
          payload: { ...presentOAuthApp(row), ...(secret === undefined ? {} : { client_secret: secret.value }) },
        };
      });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/oauth-apps/:id',
    {
      config: { access: 'admin', errors: ['not_found'] },
      schema: {
        operationId: 'deleteOAuthApp',
        summary: 'Delete an OAuth app',
        description: 'Every authorization and token of the app is revoked at once; its client id stops working.',
        tags: ['oauth-apps'],
        params: idParams,
        response: { 204: { type: 'null', description: 'Deleted.' } },
      },
    },
    async (request, reply) => {
      const found = await db
        .selectFrom('oauth_apps')
        .select('id')
        .where('id', '=', request.params.id)
        .where('team_id', '=', request.principal.teamId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (found === undefined) {
        throw builtinCatalog.error('not_found', { detail: `No OAuth app of your team has id ${request.params.id}.` });
      }
      const at = Date.now();
      await db
        .updateTable('oauth_apps')
        .set({ deleted_at: new Date(at).toISOString() })
        .where('id', '=', found.id)
        .execute();
      const grants = await db.selectFrom('oauth_grants').select('id').where('app_id', '=', found.id).execute();
      await revokeGrants(
        db,
        grants.map((grant) => grant.id),
        at,
      );
      return reply.code(204).send();
    },
  );
};
