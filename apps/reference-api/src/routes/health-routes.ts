import { builtinCatalog } from '@faultline/core';
import type { FastifyPluginAsync } from 'fastify';
import { healthResponse, readinessResponse } from '@faultline/reference-contract';
import { checkDatabase } from '../database/check-database.js';
import type { RouteContext } from './route-context.js';

export interface HealthRouteOptions extends RouteContext {
  /** How long `/readyz` waits for the database before saying not ready; 1000 ms by default. */
  readonly readinessTimeoutMs?: number;
}

/** The `Retry-After` of a not-ready answer: probes come every few seconds. */
const notReadyRetryMs = 5_000;

/**
 * `GET /healthz`: liveness, 200 whenever the process answers at all. It asks
 * no database, so a stalled database does not get a healthy process restarted.
 * `GET /readyz`: readiness, 200 with a small report when the database answers
 * and the load shedder admits requests; 503 `service_unavailable` with
 * `Retry-After` when the instance should get no traffic.
 */
export const healthRoutes: FastifyPluginAsync<HealthRouteOptions> = async (app, { db, readinessTimeoutMs = 1_000 }) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness check',
        description: 'Answers 200 while the process runs; it checks no dependency (see `/readyz`).',
        tags: ['service'],
        response: { 200: { ...healthResponse, description: 'The process is up and answering.' } },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { errors: ['service_unavailable'] },
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness check',
        description: `Answers 200 when the database answers within ${readinessTimeoutMs} ms and the server is not shedding load; 503 otherwise, when the instance should get no traffic.`,
        tags: ['service'],
        response: { 200: { ...readinessResponse, description: 'The instance can take traffic.' } },
      },
    },
    async (request) => {
      const shedder = app.hasDecorator('loadShedding') ? app.loadShedding : undefined;
      const notReady = (reason: string) => {
        const retryAt = new Date(Date.now() + notReadyRetryMs);
        return builtinCatalog.error('service_unavailable', { detail: `This instance is not ready: ${reason}.`, retryAt });
      };
      if (shedder?.shedding === true) throw notReady('it is overloaded and refusing new requests');
      try {
        await checkDatabase(db, readinessTimeoutMs);
      } catch (error) {
        request.log.warn({ err: error }, 'Readiness check: the database did not answer');
        throw notReady(`its database did not answer within ${readinessTimeoutMs} ms`);
      }
      return { status: 'ready', database: 'ok', shedding: false, in_flight: shedder?.inFlight ?? 0 };
    },
  );
};
