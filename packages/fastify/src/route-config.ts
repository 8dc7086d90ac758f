import type { FastifyRequest } from 'fastify';
import type { FaultlineRouteConfig } from './settings.js';

/** The route's `config.faultline`. Read once per response: Fastify builds `routeOptions` anew on each access. */
export function routeConfig(request: FastifyRequest | undefined): FaultlineRouteConfig | undefined {
  const config = request?.routeOptions?.config as { faultline?: FaultlineRouteConfig } | undefined;
  return config?.faultline;
}
