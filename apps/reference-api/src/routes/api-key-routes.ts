import { builtinCatalog } from '@faultline/core';
import {
  apiKeyListResponse,
  createApiKeyBody,
  createdApiKeyResponse,
  idParams,
  type CreateApiKeyInput,
} from '@faultline/reference-contract';
import type { FastifyPluginAsync } from 'fastify';
import type { Selectable } from 'kysely';
import { issueApiKey } from '../authentication/api-keys.js';
import type { ApiKeysTable } from '../database/schema.js';
import type { RouteContext } from './route-context.js';
import { locationHeader } from '../contract/route-contract.js';
import { answerInTransaction } from '../idempotency/answer-in-transaction.js';

/** A key as clients see it: its public start to recognise it, never the secret or its hash. */
export function presentApiKey(key: Selectable<ApiKeysTable>) {
  return {
    id: key.id,
    user_id: key.user_id,
    label: key.label,
    access: key.access,
    prefix: `flk_${key.public_id}`,
    created_at: key.created_at,
    revoked_at: key.revoked_at,
  };
}

/** Team administrators manage the team's API keys: list, issue, revoke. */
export const apiKeyRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get(
    '/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'listApiKeys',
        summary: 'List the team’s API keys',
        tags: ['api-keys'],
        response: { 200: { ...apiKeyListResponse, description: 'Every key of your team, revoked ones included.' } },
      },
    },
    async (request) => {
      const keys = await db
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .selectAll('api_keys')
        .where('users.team_id', '=', request.principal.teamId)
        .orderBy('api_keys.id', 'asc')
        .limit(10_000)
        .execute();
      return { data: keys.map(presentApiKey) };
    },
  );

  app.post<{ Body: CreateApiKeyInput }>(
    '/api-keys',
    {
      config: { access: 'admin', errors: ['missing_dependent_data'] },
      schema: {
        operationId: 'createApiKey',
        summary: 'Issue an API key',
        description: 'The key is in the response this once; only a hash of it is stored. `read_only` keys may only GET.',
        tags: ['api-keys'],
        body: createApiKeyBody,
        response: {
          201: {
            ...createdApiKeyResponse,
            description: 'The new key, with its secret; `Location` is its URL.',
            headers: { Location: locationHeader },
          },
        },
      },
    },
    async (request, reply) => {
      // Admin routes are closed to OAuth tokens, so a person is always behind the request here.
      const userId = request.body.user_id ?? request.principal.userId ?? 0;
      const owner = await db
        .selectFrom('users')
        .select('id')
        .where('id', '=', userId)
        .where('team_id', '=', request.principal.teamId)
        .executeTakeFirst();
      if (owner === undefined) {
        throw builtinCatalog.error('missing_dependent_data', {
          detail: `No user of your team has id ${userId}, so no key can be issued for it.`,
        });
      }
      const issued = issueApiKey();
      return answerInTransaction(request, reply, db, async (transaction) => {
        const key = await transaction
          .insertInto('api_keys')
          .values({
            user_id: owner.id,
            public_id: issued.publicId,
            secret_hash: issued.secretHash,
            label: request.body.label,
            access: request.body.access ?? 'read_write',
            created_at: new Date().toISOString(),
            revoked_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return {
          status: 201,
          headers: { location: `/v1/api-keys/${key.id}`, 'cache-control': 'no-store' },
          payload: { ...presentApiKey(key), key: issued.key },
        };
      });
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/api-keys/:id',
    {
      config: { access: 'admin', errors: ['not_found'] },
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key',
        description: 'Takes effect on the next request made with the key. Revoking a revoked key again is a success.',
        tags: ['api-keys'],
        params: idParams,
        response: { 204: { type: 'null', description: 'Revoked.' } },
      },
    },
    async (request, reply) => {
      const key = await db
        .selectFrom('api_keys')
        .innerJoin('users', 'users.id', 'api_keys.user_id')
        .select(['api_keys.id', 'api_keys.revoked_at'])
        .where('api_keys.id', '=', request.params.id)
        .where('users.team_id', '=', request.principal.teamId)
        .executeTakeFirst();
      if (key === undefined)
        throw builtinCatalog.error('not_found', { detail: `No API key of your team has id ${request.params.id}.` });
      if (key.revoked_at === null) {
        await db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).where('id', '=', key.id).execute();
      }
      return reply.code(204).send();
    },
  );
};
