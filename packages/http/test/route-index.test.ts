import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { methodNotAllowedError, noRouteError, pathOf, RouteIndex, unknownRouteError } from '@faultline/http';

describe('the route index', () => {
  it('lists a path’s methods from Express 5 and Hono patterns, sorted', () => {
    const routes = new RouteIndex();
    routes.add('get', '/v1/things');
    routes.add('POST', '/v1/things');
    routes.add('GET', '/v1/things/:id');
    routes.add('PATCH', '/v1/things/:id');
    routes.add('DELETE', '/v1/things/:id{[0-9]+}');
    routes.add('GET', '/files/*path');
    routes.add('GET', '/wild/*');
    routes.add('GET', '/books{/:chapter}');
    routes.add('GET', '/posts/:slug?');
    routes.add('GET', '/v1/things');
    expect(routes.allowedMethods('/v1/things')).toEqual(['GET', 'POST']);
    expect(routes.allowedMethods('/v1/things/7')).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(routes.allowedMethods('/v1/things/7/more')).toEqual([]);
    expect(routes.allowedMethods('/files/a/b/c.txt')).toEqual(['GET']);
    expect(routes.allowedMethods('/wild/x')).toEqual(['GET']);
    expect(routes.allowedMethods('/books')).toEqual(['GET']);
    expect(routes.allowedMethods('/books/3')).toEqual(['GET']);
    expect(routes.allowedMethods('/posts')).toEqual(['GET']);
    expect(routes.allowedMethods('/posts/hello')).toEqual(['GET']);
    expect(routes.allowedMethods('/nothing')).toEqual([]);
  });

  it('treats regular-expression characters in literal segments as themselves', () => {
    const routes = new RouteIndex();
    routes.add('GET', '/v1/a.b+c');
    expect(routes.allowedMethods('/v1/a.b+c')).toEqual(['GET']);
    expect(routes.allowedMethods('/v1/aXbbc')).toEqual([]);
  });

  it('matches case and trailing slashes as the router is set', () => {
    const strict = new RouteIndex();
    strict.add('GET', '/Things');
    expect(strict.allowedMethods('/things')).toEqual([]);
    expect(strict.allowedMethods('/Things/')).toEqual([]);
    const loose = new RouteIndex({ caseSensitive: false, ignoreTrailingSlash: true });
    loose.add('GET', '/Things');
    expect(loose.allowedMethods('/things/')).toEqual(['GET']);
  });
});

describe('the errors of a request no route handled', () => {
  it('are 405 with Allow when the path has other methods, else 404 naming method and path', () => {
    const allowed = ['GET', 'POST'];
    const wrongMethod = noRouteError(builtinCatalog, 'PUT', '/v1/things', allowed);
    expect(wrongMethod).toEqual(methodNotAllowedError(builtinCatalog, 'PUT', '/v1/things', allowed));
    expect(wrongMethod).toMatchObject({ code: 'method_not_allowed', status: 405, headers: { allow: 'GET, POST' } });
    expect(wrongMethod.detail).toBe('PUT is not allowed on /v1/things. Use GET, POST.');
    // A route that matched and passed the request on: its method is listed, so the path is not the problem.
    expect(noRouteError(builtinCatalog, 'GET', '/v1/things', allowed).code).toBe('not_found');
    const unknown = unknownRouteError(builtinCatalog, 'GET', '/v1/nope');
    expect(unknown).toMatchObject({
      status: 404,
      detail: 'No operation matches GET /v1/nope. Check the path against the API reference.',
    });
  });

  it('cut a huge path short in the message', () => {
    const detail = unknownRouteError(builtinCatalog, 'GET', `/${'a'.repeat(10_000)}`).detail;
    expect(detail.length).toBeLessThan(300);
    expect(detail).toContain('…');
  });

  it('read the path without its query', () => {
    expect(pathOf('/v1/things?limit=5&x=/y')).toBe('/v1/things');
    expect(pathOf('/v1/things')).toBe('/v1/things');
  });
});
