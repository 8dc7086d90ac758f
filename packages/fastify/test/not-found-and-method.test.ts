import { afterEach, describe, expect, it } from 'vitest';
import { sendApiError } from '../src/index.js';
import { bodyOf, buildApp, closeApps, codeOf, detailOf, expectProblem, profiles } from './helpers.js';

afterEach(closeApps);

async function appWithRoutes(profile: (typeof profiles)[number] = 'problem') {
  const app = await buildApp({ profile });
  app.get('/v1/things', async () => []);
  app.post('/v1/things', async () => ({ created: true }));
  app.get('/v1/things/:id', async () => ({ id: 1 }));
  app.delete('/v1/things/:id', async () => null);
  app.put('/v1/orders/:orderId/lines/:lineId', async () => ({}));
  app.route({ method: ['PATCH', 'POST'], url: '/v1/multi', handler: async () => ({}) });
  return app;
}

describe('unknown routes', () => {
  it('answers 404 not_found naming the method and the path', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    const body = expectProblem(response, 404, 'not_found');
    expect(body['title']).toBe('Not found');
    expect(body['detail']).toBe('No operation matches GET /v1/nothing-here. Check the path against the API reference.');
    expect(response.headers['allow']).toBeUndefined();
  });

  it('names the method actually used and leaves the query string out of the detail', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'POST', url: '/nowhere?token=secret&x=1', payload: {} });
    const body = expectProblem(response, 404, 'not_found');
    expect(body['detail']).toBe('No operation matches POST /nowhere. Check the path against the API reference.');
    expect(response.body).not.toContain('secret');
  });

  it('treats a path that is only a prefix of a route as unknown', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'GET', url: '/v1/orders/7' });
    expectProblem(response, 404, 'not_found');
  });

  it('cuts a huge path short in the detail', async () => {
    const app = await appWithRoutes();
    const path = `/${'a'.repeat(5000)}`;
    const response = await app.inject({ method: 'GET', url: path });
    const body = expectProblem(response, 404, 'not_found');
    expect((body['detail'] as string).length).toBeLessThan(400);
    expect(body['detail']).toContain(`GET ${path.slice(0, 199)}…`);
  });

  it('is 404 (or 405) whatever body came with it: a type nobody takes, broken JSON, too many bytes', async () => {
    const app = await appWithRoutes();
    const bodies = [
      { headers: { 'content-type': 'text/csv' }, payload: 'a,b' },
      { headers: { 'content-type': 'application/json' }, payload: '{"cut' },
      { headers: { 'content-type': 'application/json' }, payload: `"${'x'.repeat(2 * 1024 * 1024)}"` },
    ];
    for (const body of bodies) {
      const unknown = await app.inject({ method: 'POST', url: '/v1/nothing-here', ...body });
      expectProblem(unknown, 404, 'not_found');
      const wrongMethod = await app.inject({ method: 'PUT', url: '/v1/things', ...body });
      expectProblem(wrongMethod, 405, 'method_not_allowed');
      expect(wrongMethod.headers['allow']).toBe('GET, HEAD, POST');
    }
    // A route that exists still judges its body.
    expect((await app.inject({ method: 'POST', url: '/v1/things', ...bodies[0] })).statusCode).toBe(415);
    expect((await app.inject({ method: 'POST', url: '/v1/things', ...bodies[1] })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/v1/things', ...bodies[2] })).statusCode).toBe(413);
  });

  it.each(profiles)('is not_found with status 404 in the %s profile', async (profile) => {
    const app = await appWithRoutes(profile);
    const response = await app.inject({ method: 'GET', url: '/missing' });
    expect(response.statusCode).toBe(404);
    const body = bodyOf(response);
    expect(codeOf(profile, body)).toBe('not_found');
    expect(detailOf(profile, body)).toContain('GET /missing');
  });
});

describe('known path, wrong method', () => {
  it('answers 405 with Allow listing the GET route and its HEAD', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'DELETE', url: '/v1/things' });
    const body = expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe('GET, HEAD, POST');
    expect(body['title']).toBe('Method not allowed');
    expect(body['detail']).toBe('DELETE is not allowed on /v1/things. Use GET, HEAD, POST.');
  });

  it('matches path parameters against the registered pattern', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'POST', url: '/v1/things/abc-123', payload: {} });
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe('DELETE, GET, HEAD');
  });

  it('matches several path parameters', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'GET', url: '/v1/orders/9/lines/3' });
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe('PUT');
  });

  it('ignores the query string when matching the path', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'PUT', url: '/v1/things/42?expand=owner&page=2' });
    const body = expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe('DELETE, GET, HEAD');
    expect(body['detail']).toBe('PUT is not allowed on /v1/things/42. Use DELETE, GET, HEAD.');
  });

  it('lists every method of a route registered with several methods, and no HEAD without a GET', async () => {
    const app = await appWithRoutes();
    const response = await app.inject({ method: 'GET', url: '/v1/multi' });
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe('PATCH, POST');
  });

  it('still serves the registered methods, including the implicit HEAD', async () => {
    const app = await appWithRoutes();
    const get = await app.inject({ method: 'GET', url: '/v1/things/1' });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('application/json; charset=utf-8');
    const head = await app.inject({ method: 'HEAD', url: '/v1/things/1' });
    expect(head.statusCode).toBe(200);
  });

  it('indexes routes registered inside a prefixed plugin', async () => {
    const app = await buildApp();
    await app.register(
      async (child) => {
        child.post('/widgets', async () => ({}));
      },
      { prefix: '/v2' },
    );
    const response = await app.inject({ method: 'GET', url: '/v2/widgets' });
    expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers['allow']).toBe('POST');
  });

  it.each(profiles)('is method_not_allowed with the Allow header in the %s profile', async (profile) => {
    const app = await appWithRoutes(profile);
    const response = await app.inject({ method: 'PATCH', url: '/v1/things/5' });
    expect(response.statusCode).toBe(405);
    expect(response.headers['allow']).toBe('DELETE, GET, HEAD');
    expect(codeOf(profile, bodyOf(response))).toBe('method_not_allowed');
  });

  it.each(profiles)(
    'writes the same status, headers in the same order and body as sendApiError would, in the %s profile and with problem+json asked for',
    async (profile) => {
      // The plugin's answers are compiled once per profile (compiled-answer.ts); the long way builds an ApiError.
      const app = await appWithRoutes(profile);
      const id = 'same-id-1';
      app.get('/long-way/:code', async (request, reply) => {
        const notFound = (request.params as { code: string }).code === 'not_found';
        const detail = notFound
          ? 'No operation matches GET /v1/nothing-%22here%22. Check the path against the API reference.'
          : 'PATCH is not allowed on /v1/things/5. Use DELETE, GET, HEAD.';
        const headers = notFound ? {} : { headers: { allow: 'DELETE, GET, HEAD' } };
        sendApiError(
          reply,
          app.faultline.catalog.error(notFound ? 'not_found' : 'method_not_allowed', { detail, ...headers }),
          app.faultline,
        );
      });
      const withoutTime = (body: string) => body.replace(/"time":"[^"]*"/, '"time":"…"');
      for (const accept of [undefined, 'application/problem+json']) {
        const headers = { 'x-request-id': id, ...(accept === undefined ? {} : { accept }) };
        for (const [fast, long] of [
          [
            { method: 'GET', url: '/v1/nothing-"here"' },
            { method: 'GET', url: '/long-way/not_found' },
          ],
          [
            { method: 'PATCH', url: '/v1/things/5' },
            { method: 'GET', url: '/long-way/method_not_allowed' },
          ],
        ] as const) {
          const ours = await app.inject({ ...fast, headers });
          const theirs = await app.inject({ ...long, headers });
          expect(ours.statusCode).toBe(theirs.statusCode);
          const named = (raw: string[]) => raw.filter((name) => name !== 'date');
          expect(named(ours.raw.res.getHeaderNames())).toEqual(named(theirs.raw.res.getHeaderNames()));
          for (const name of ['content-type', 'allow', 'x-request-id', 'content-length'])
            expect(ours.headers[name]).toBe(theirs.headers[name]);
          expect(withoutTime(ours.body)).toBe(withoutTime(theirs.body));
        }
      }
    },
  );
});
