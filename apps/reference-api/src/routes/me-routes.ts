import { builtinCatalog } from '@faultline/core';
import type { FastifyPluginAsync } from 'fastify';
import { meResponse } from '@faultline/reference-contract';
import type { RouteContext } from './route-context.js';

/** `GET /v1/me`: who the credentials belong to. */
export const meRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get(
    '/me',
    {
      config: { errors: ['not_authorized'] },
      schema: {
        operationId: 'getMe',
        summary: 'Who the API key belongs to',
        tags: ['account'],
        response: { 200: { ...meResponse, description: 'The user and team of the API key.' } },
      },
    },
    async (request) => {
      const { userId } = request.principal;
      if (userId === null) {
        throw builtinCatalog.error('not_authorized', {
          detail: 'This access token was issued to an app for its own team (client credentials): no user is behind it.',
        });
      }
      const row = await db
        .selectFrom('users')
        .innerJoin('teams', 'teams.id', 'users.team_id')
        .select(['users.id', 'users.email', 'users.name', 'users.role', 'teams.id as team_id', 'teams.name as team_name'])
        .where('users.id', '=', userId)
        .executeTakeFirst();
      if (row === undefined)
        throw builtinCatalog.error('invalid_api_key', { detail: 'The user behind this API key no longer exists.' });
      return {
        user: { id: row.id, email: row.email, name: row.name, role: row.role },
        team: { id: row.team_id, name: row.team_name },
      };
    },
  );
};
