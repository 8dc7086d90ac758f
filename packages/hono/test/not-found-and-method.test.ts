import { faultline } from '@faultline/hono';
import { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, captureLogs, closeServers, expectInProfile, expectProblem, listen, profiles } from './helpers.js';

afterEach(closeServers);

function appWithRoutes(profile: (typeof profiles)[number] = 'problem'): Hono {
  const app = buildApp({ profile });
  app.use('/v1/*', async (_c, next) => next()); // middleware matches every method: it makes no route
  app.get('/v1/things', (c) => c.json([]));
  app.post('/v1/things', (c) => c.json({ created: true }, 201));
  app.get('/v1/things/:id{[0-9]+}', (c) => c.json({ id: c.req.param('id') }));
  app.delete('/v1/things/:id{[0-9]+}', (c) => c.body(null, 204));
  app.put('/v1/orders/:orderId/lines/:lineId', (c) => c.json({}));
  app.on(['PATCH', 'POST'], '/v1/multi', (c) => c.json({}));
  app.get('/v1/maybe/:name?', (c) => c.json({}));
  const admin = new Hono();
  admin.post('/keys', (c) => c.json({}, 201));
  app.route('/admin', admin);
  return app;
}

describe('unknown routes', () => {
  it('answers 404 not_found naming the method and the path, on a real socket', async () => {
    const url = await listen(appWithRoutes());
    const response = await fetch(`${url}/v1/nothing-here?token=secret`);
    const body = await expectProblem(response, 404, 'not_found');
    expect(body['detail']).toBe('No operation matches GET /v1/nothing-here. Check the path against the API reference.');
    expect(response.headers.get('allow')).toBeNull();
    expect(JSON.stringify(body)).not.toContain('secret');
  });

  it('treats a path that fails a route pattern as unknown, not as another method', async () => {
    const app = appWithRoutes();
    await expectProblem(await app.request('/v1/things/abc'), 404, 'not_found');
    await expectProblem(await app.request('/v1/orders/7', { method: 'PUT' }), 404, 'not_found');
  });

  it('is 404 when a route matched and passed the request on', async () => {
    const app = buildApp();
    app.get('/v1/files/*', async (_c, next) => next());
    await expectProblem(await app.request('/v1/files/missing.txt'), 404, 'not_found');
  });

  it.each(profiles)('is not_found in the %s profile', async (profile) => {
    const response = await appWithRoutes(profile).request('/nowhere');
    await expectInProfile(
      response,
      profile,
      404,
      'not_found',
      'No operation matches GET /nowhere. Check the path against the API reference.',
    );
  });
});

describe('a known path with another method', () => {
  it('answers 405 with Allow listing the GET route, its HEAD and the POST, on a real socket', async () => {
    const url = await listen(appWithRoutes());
    const response = await fetch(`${url}/v1/things`, { method: 'PUT' });
    const body = await expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(body['detail']).toBe('PUT is not allowed on /v1/things. Use GET, HEAD, POST.');
  });

  it('matches parameters and their patterns as Hono does', async () => {
    const app = appWithRoutes();
    const response = await app.request('/v1/things/42', { method: 'PATCH' });
    await expectProblem(response, 405, 'method_not_allowed');
    expect(response.headers.get('allow')).toBe('DELETE, GET, HEAD');
    const lines = await app.request('/v1/orders/1/lines/2', { method: 'GET' });
    expect(lines.headers.get('allow')).toBe('PUT');
  });

  it('knows optional parameters, routes on several methods and mounted sub-apps', async () => {
    const app = appWithRoutes();
    expect((await app.request('/v1/maybe', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
    expect((await app.request('/v1/maybe/x', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
    expect((await app.request('/v1/multi')).headers.get('allow')).toBe('PATCH, POST');
    expect((await app.request('/admin/keys')).headers.get('allow')).toBe('POST');
  });

  it("learns routes added after the first request, where the app's router allows it", async () => {
    const app = new Hono({ router: new TrieRouter() });
    faultline(app, { logger: captureLogs().logger });
    app.get('/v1/things', (c) => c.json([]));
    expect((await app.request('/v1/late', { method: 'POST' })).status).toBe(404);
    app.get('/v1/late', (c) => c.json({}));
    const response = await app.request('/v1/late', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers OPTIONS and HEAD on a path that has neither with 405', async () => {
    const app = appWithRoutes();
    expect((await app.request('/v1/orders/1/lines/2', { method: 'OPTIONS' })).status).toBe(405);
    const head = await app.request('/v1/multi', { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('PATCH, POST');
  });

  it.each(profiles)('is method_not_allowed with Allow in the %s profile', async (profile) => {
    const response = await appWithRoutes(profile).request('/v1/things/7', { method: 'POST' });
    await expectInProfile(
      response,
      profile,
      405,
      'method_not_allowed',
      'POST is not allowed on /v1/things/7. Use DELETE, GET, HEAD.',
    );
    expect(response.headers.get('allow')).toBe('DELETE, GET, HEAD');
  });
});
