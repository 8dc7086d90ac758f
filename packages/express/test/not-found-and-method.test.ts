import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileName } from '@faultline/core';
import {
  bodyOf,
  buildApp,
  closeServers,
  codeOf,
  wireCode,
  contentTypes,
  detailOf,
  expectProblem,
  listen,
  profiles,
  send,
  sendJson,
} from './helpers.js';

afterEach(closeServers);

/** An app with routes on the app, on a router mounted under /v1/orders, and one that takes every method. */
async function appWithRoutes(profile: ProfileName = 'problem'): Promise<string> {
  const test = buildApp({ profile });
  const { app } = test;
  app.get('/v1/things', (_req, res) => void res.json([]));
  app.post('/v1/things', (_req, res) => void res.status(201).json({ created: true }));
  app.get('/v1/things/:id', (req, res) => void res.json({ id: req.params.id }));
  app.delete('/v1/things/:id', (_req, res) => void res.status(204).end());
  app
    .route('/v1/multi')
    .patch((_req, res) => void res.json({}))
    .post((_req, res) => void res.json({}));
  const orders = express.Router();
  orders.put('/:orderId/lines/:lineId', (_req, res) => void res.json({}));
  orders.get('/', (_req, res) => void res.json([]));
  app.use('/v1/orders', orders);
  app.all('/v1/anything', (_req, res) => void res.json({ any: true }));
  return listen(test);
}

describe('unknown routes', () => {
  it('answers 404 not_found naming the method and the path, with no Allow', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { path: '/v1/nothing-here' });
    const body = expectProblem(answer, 404, 'not_found');
    expect(body['title']).toBe('Not found');
    expect(body['detail']).toBe('No operation matches GET /v1/nothing-here. Check the path against the API reference.');
    expect(answer.headers['allow']).toBeUndefined();
  });

  it('leaves the query string out of the detail', async () => {
    const base = await appWithRoutes();
    const answer = await sendJson(base, 'POST', '/nowhere?token=secret&x=1', {});
    const body = expectProblem(answer, 404, 'not_found');
    expect(body['detail']).toBe('No operation matches POST /nowhere. Check the path against the API reference.');
    expect(answer.text).not.toContain('secret');
  });

  it('treats a path that is only a prefix of a route as unknown, in a mounted router too', async () => {
    const base = await appWithRoutes();
    expectProblem(await send(base, { path: '/v1/orders/7' }), 404, 'not_found');
    expectProblem(await send(base, { path: '/v1/orders/7/lines' }), 404, 'not_found');
  });

  it('cuts a huge path short in the detail', async () => {
    const base = await appWithRoutes();
    const path = `/${'a'.repeat(5000)}`;
    const body = expectProblem(await send(base, { path }), 404, 'not_found');
    expect((body['detail'] as string).length).toBeLessThan(400);
  });

  it('answers a path with a malformed %-escape with a 404, not a crash', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { path: '/v1/things/%E0%A4%A' });
    expect([400, 404]).toContain(answer.status);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.text).not.toMatch(/URIError|at .*\.js/);
  });

  it.each(profiles)('is not_found with status 404 in the %s profile', async (profile) => {
    const base = await appWithRoutes(profile);
    const answer = await send(base, { path: '/missing' });
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toBe(contentTypes[profile]);
    expect(answer.headers['x-request-id']).toBeTypeOf('string');
    const body = bodyOf(answer);
    expect(codeOf(profile, body)).toBe(wireCode(profile, 'not_found'));
    expect(detailOf(profile, body)).toContain('GET /missing');
  });

  it('gives problem details to a client that accepts them, whatever the default', async () => {
    const base = await appWithRoutes('classic');
    const answer = await send(base, { path: '/missing', headers: { accept: 'application/problem+json' } });
    expectProblem(answer, 404, 'not_found');
  });
});

describe('known path, wrong method', () => {
  it('answers 405 with Allow listing the GET route and its HEAD', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { method: 'DELETE', path: '/v1/things' });
    const body = expectProblem(answer, 405, 'method_not_allowed');
    expect(answer.headers['allow']).toBe('GET, HEAD, POST');
    expect(body['title']).toBe('Method not allowed');
    expect(body['detail']).toBe('DELETE is not allowed on /v1/things. Use GET, HEAD, POST.');
  });

  it('matches path parameters against the route pattern', async () => {
    const base = await appWithRoutes();
    const answer = await sendJson(base, 'POST', '/v1/things/abc-123', {});
    expectProblem(answer, 405, 'method_not_allowed');
    expect(answer.headers['allow']).toBe('DELETE, GET, HEAD');
  });

  it('finds the methods of routes inside a mounted router', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { path: '/v1/orders/9/lines/3' });
    expectProblem(answer, 405, 'method_not_allowed');
    expect(answer.headers['allow']).toBe('PUT');
    const root = await send(base, { method: 'DELETE', path: '/v1/orders' });
    expect(root.headers['allow']).toBe('GET, HEAD');
  });

  it('lists the methods of a route chained with app.route()', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { path: '/v1/multi' });
    expect(answer.headers['allow']).toBe('PATCH, POST');
  });

  it('answers OPTIONS on a known path with 405 and Allow, as any other method the path lacks', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { method: 'OPTIONS', path: '/v1/things' });
    expectProblem(answer, 405, 'method_not_allowed');
    expect(answer.headers['allow']).toBe('GET, HEAD, POST');
  });

  it('never answers 405 for a route that takes every method', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { method: 'PUT', path: '/v1/anything' });
    expect(answer.status).toBe(200);
  });

  it('still routes HEAD to a GET route', async () => {
    const base = await appWithRoutes();
    const answer = await send(base, { method: 'HEAD', path: '/v1/things' });
    expect(answer.status).toBe(200);
  });

  it.each(profiles)('is method_not_allowed with Allow in the %s profile', async (profile) => {
    const base = await appWithRoutes(profile);
    const answer = await send(base, { method: 'PUT', path: '/v1/things' });
    expect(answer.status).toBe(405);
    expect(answer.headers['allow']).toBe('GET, HEAD, POST');
    expect(codeOf(profile, bodyOf(answer))).toBe(wireCode(profile, 'method_not_allowed'));
  });
});
