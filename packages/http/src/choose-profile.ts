import type { ProfileName } from '@faultline/core';
import type { FastifyRequest } from 'fastify';
import type { FaultlineRouteConfig } from './settings.js';

const problemMediaType = 'application/problem+json';

/**
 * The profile for one response: the route's forced profile, else
 * problem+json when the client asks for it, else the app's default.
 */
export function chooseProfile(
  request: FastifyRequest | undefined,
  route: FaultlineRouteConfig | undefined,
  fallback: ProfileName,
): ProfileName {
  if (route?.profile !== undefined) return route.profile;
  const accept = request?.headers.accept;
  if (typeof accept === 'string' && acceptsProblem(accept)) return 'problem';
  return fallback;
}

/** The route's `config.faultline`. Read once per response: Fastify builds `routeOptions` anew on each access. */
export function routeConfig(request: FastifyRequest | undefined): FaultlineRouteConfig | undefined {
  const config = request?.routeOptions?.config as { faultline?: FaultlineRouteConfig } | undefined;
  return config?.faultline;
}

/** True when `Accept` lists problem+json with a non-zero quality. */
function acceptsProblem(accept: string): boolean {
  const at = accept.toLowerCase().indexOf(problemMediaType);
  if (at === -1) return false;
  const range = accept.slice(at, accept.indexOf(',', at) === -1 ? undefined : accept.indexOf(',', at));
  return !/;\s*q=0(\.0{0,3})?\s*(;|$)/.test(range);
}
