import { builtinCatalog } from '@faultline/core';
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { healthResponse } from '@faultline/reference-contract';
import type { RouteContext } from './route-context.js';

/** `GET /healthz`: 200 when the database answers, 503 otherwise. */
export const healthRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get(
    '/healthz',
    {
      config: { errors: ['service_unavailable'] },
      schema: {
        operationId: 'getHealth',
        summary: 'Health check',
        tags: ['service'],
        response: { 200: { ...healthResponse, description: 'The service and its database answer.' } },
      },
    },
    async (request) => {
      try {
        await sql`select 1`.execute(db);
      } catch (error) {
        request.log.error({ err: error }, 'Health check: the database did not answer');
        throw builtinCatalog.error('service_unavailable', {
          detail: 'The database is not answering.',
          retryAt: new Date(Date.now() + 5000),
        });
      }
      return { status: 'ok' };
    },
  );
};
