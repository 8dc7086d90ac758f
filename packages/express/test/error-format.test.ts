import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { errorFormat, sendApiError, validate } from '@faultline/express';
import { bodyOf, buildApp, closeServers, expectProblem, listen, send, sendJson } from './helpers.js';

afterEach(closeServers);

describe('errorFormat', () => {
  it("forces a route's profile and context whatever the default and the client's Accept", async () => {
    const test = buildApp({ profile: 'problem' });
    test.app.post(
      '/oauth/token',
      errorFormat({ profile: 'oauth', context: 'oauth-token' }),
      test.contract.json(),
      (_req, _res, next) => next(builtinCatalog.error('invalid_request', { detail: 'grant_type is required.' })),
    );
    const base = await listen(test);
    const answer = await sendJson(base, 'POST', '/oauth/token', {}, { accept: 'application/problem+json' });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    // RFC 6749 section 5.2: token endpoint errors are never cached.
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(bodyOf(answer)).toMatchObject({ error: 'invalid_request', error_description: 'grant_type is required.' });
  });
});

describe('sendApiError', () => {
  it("answers from an app's own middleware in the contract's format, with the request id", async () => {
    const test = buildApp({ profile: 'message' });
    test.app.get('/things/:id', (req, res) =>
      sendApiError(req, res, builtinCatalog.error('not_found', { detail: `No thing ${req.params.id}.` })),
    );
    const base = await listen(test);
    const answer = await send(base, { path: '/things/7' });
    expect(answer.status).toBe(404);
    expect(bodyOf(answer)).toMatchObject({ code: 'not_found', description: 'No thing 7.' });
    expect(answer.headers['x-request-id']).toBeTypeOf('string');
  });
});

describe('middleware used without the contract', () => {
  it('falls back to the defaults: the built-in catalog and problem details', async () => {
    const app = express();
    app.post(
      '/things',
      express.json(),
      validate({ body: { type: 'object', required: ['name'] } }),
      (_req, res) => void res.json({}),
    );
    app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) =>
      sendApiError(req, res, error as never),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const answer = await sendJson(base, 'POST', '/things', {});
      const body = expectProblem(answer, 400, 'missing_parameter');
      expect(body['errors']).toEqual([expect.objectContaining({ pointer: '/name', location: 'body' })]);
    } finally {
      server.close();
    }
  });
});
