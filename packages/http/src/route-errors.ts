import type { ApiError, Catalog } from '@faultline/core';

/** Paths are echoed in messages, cut short so a huge URL does not make a huge body. */
function shorten(path: string): string {
  return path.length > 200 ? `${path.slice(0, 199)}…` : path;
}

/**
 * The path of a request target: everything before the query string.
 *
 * @example
 * ```ts
 * pathOf('/v1/things?limit=5'); // '/v1/things'
 * ```
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * `not_found` (404) for a request no route matches, naming the method and path.
 *
 * @example
 * ```ts
 * unknownRouteError(catalog, 'GET', '/v1/nope'); // "No operation matches GET /v1/nope. Check the path against the API reference."
 * ```
 */
export function unknownRouteError(catalog: Catalog, method: string, path: string): ApiError {
  return catalog.error('not_found', { detail: unknownRouteDetail(method, path) });
}

/** The detail of {@link unknownRouteError}, for an adapter that answers from a compiled body. */
export function unknownRouteDetail(method: string, path: string): string {
  return `No operation matches ${method} ${shorten(path)}. Check the path against the API reference.`;
}

/**
 * `method_not_allowed` (405) for a path that exists with other methods: the
 * detail names them, and the `Allow` header lists them.
 *
 * @example
 * ```ts
 * methodNotAllowedError(catalog, 'PUT', '/v1/things', ['GET', 'POST']); // Allow: GET, POST
 * ```
 */
export function methodNotAllowedError(catalog: Catalog, method: string, path: string, allowed: readonly string[]): ApiError {
  return catalog.error('method_not_allowed', {
    detail: methodNotAllowedDetail(method, path, allowed),
    headers: { allow: allowed.join(', ') },
  });
}

/** The detail of {@link methodNotAllowedError}, for an adapter that answers from a compiled body. */
export function methodNotAllowedDetail(method: string, path: string, allowed: readonly string[]): string {
  return `${method} is not allowed on ${shorten(path)}. Use ${allowed.join(', ')}.`;
}

/**
 * The answer to a request no route handled: 405 when the path exists with
 * other methods (`allowed`, as the app's router lists them), else 404. A path
 * whose routes include the method itself (a route that matched and then
 * passed the request on) is a 404.
 *
 * @example
 * ```ts
 * // The methods the router has for the path: Express's and Hono's adapters ask their own routers.
 * const error = noRouteError(catalog, request.method, path, ['GET', 'DELETE']);
 * ```
 */
export function noRouteError(catalog: Catalog, method: string, path: string, allowed: readonly string[]): ApiError {
  return allowed.length > 0 && !allowed.includes(method)
    ? methodNotAllowedError(catalog, method, path, allowed)
    : unknownRouteError(catalog, method, path);
}
