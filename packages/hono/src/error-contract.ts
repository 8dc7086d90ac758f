import type { RouteContract } from '@faultline/http';
import type { MiddlewareHandler } from 'hono';
import './context-variables.js';

/**
 * Says what a route's errors look like, for the answers given from here on:
 * a `profile` forced whatever the client accepts (OAuth2 endpoints always
 * speak `oauth`), or the `context` the route sits in, which can change a
 * code's status (see the catalog's variants).
 *
 * @example
 * ```ts
 * app.post('/oauth/token', errorContract({ profile: 'oauth' }), tokenHandler);
 * ```
 */
export function errorContract(route: RouteContract): MiddlewareHandler {
  return async function routeErrorContract(c, next) {
    c.set('faultlineRoute', route);
    await next();
  };
}
