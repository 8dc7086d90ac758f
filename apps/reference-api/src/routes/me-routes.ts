import { builtinCatalog } from '@faultline/core';
import type { FastifyPluginAsync } from 'fastify';
import { meResponse } from '@faultline/reference-contract';
import { credentialNames } from '../authentication/credentials.js';
import type { RouteContext } from './route-context.js';

/** `GET /v1/me`: who the credentials belong to. */
export const meRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get(
    '/me',
    {
      config: { errors: ['not_authorized'] },
      schema: {
        operationId: 'getMe',
        summary: 'Who the credentials belong to',
        tags: ['account'],
        response: { 200: { ...meResponse, description: 'The user and team behind the credentials.' } },
      },
    },
    async (request) => {
      const { userId, credential } = request.principal;
      // checkAccess already refused a token with no user behind it (client credentials) on this route.
      if (userId === null) throw new TypeError('GET /v1/me was reached by a credential with no user.');
      const row = await db
        .selectFrom('users')
        .innerJoin('teams', 'teams.id', 'users.team_id')
        .select(['users.id', 'users.email', 'users.name', 'users.role', 'teams.id as team_id', 'teams.name as team_name'])
        .where('users.id', '=', userId)
        .executeTakeFirst();
      if (row === undefined)
        throw builtinCatalog.error('invalid_api_key', {
          detail: `The user behind ${credentialNames[credential.kind]} no longer exists.`,
        });
      return {
        user: { id: row.id, email: row.email, name: row.name, role: row.role },
        team: { id: row.team_id, name: row.team_name },
      };
    },
  );
};
