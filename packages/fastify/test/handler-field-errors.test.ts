import { fieldValidationError } from '@faultline/core';
import { validationFieldErrors } from '@faultline/fastify';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, buildApp, closeApps, expectProblem } from './helpers.js';

afterEach(closeApps);

const nameSchema = {
  body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tags: { type: 'array' } } },
} as const;

async function appWithRoutes(options: Parameters<typeof buildApp>[0] = {}): Promise<FastifyInstance> {
  const app = await buildApp(options);
  app.post('/v1/schema', { schema: nameSchema }, async () => ({ ok: true }));
  // A handler reporting the same failure with the public helper, no schema involved.
  app.post('/v1/handler', async (request) => {
    throw fieldValidationError(
      [{ pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' }],
      request.server.faultline,
    );
  });
  // The schema's failures and a rule of the handler's own, in one answer.
  app.post('/v1/both', { schema: nameSchema, attachValidation: true }, async (request) => {
    const tags = (request.body as { tags?: unknown[] } | undefined)?.tags ?? [];
    const own =
      tags.length > 2 ? [{ pointer: '/tags', location: 'body' as const, detail: 'must not have more than 2 tags' }] : [];
    const fields = [...validationFieldErrors(request), ...own];
    if (fields.length > 0) throw fieldValidationError(fields, request.server.faultline);
    return { ok: true };
  });
  return app;
}

const post = (app: FastifyInstance, url: string, body: unknown) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

/** A body without the members that differ from one answer to the next. */
function stable(body: Record<string, unknown>): Record<string, unknown> {
  const { request_id: _requestId, time: _time, ...rest } = body;
  return rest;
}

describe('field errors a handler reports itself', () => {
  it('answer exactly as the same failure found by the schema', async () => {
    const app = await appWithRoutes();
    const bySchema = expectProblem(await post(app, '/v1/schema', {}), 400, 'missing_parameter');
    const byHandler = expectProblem(await post(app, '/v1/handler', {}), 400, 'missing_parameter');
    expect(stable(byHandler)).toEqual(stable(bySchema));
    expect(byHandler['detail']).toBe('One field is missing or invalid: body /name is required.');
  });

  it('join the schema failures of a route with attachValidation in one answer', async () => {
    const app = await appWithRoutes();
    const body = expectProblem(await post(app, '/v1/both', { tags: [1, 2, 3] }), 400, 'missing_parameter');
    expect(body['detail']).toBe(
      '2 fields are missing or invalid: body /name is required; body /tags must not have more than 2 tags.',
    );
    expect(body['errors']).toEqual([
      { pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' },
      { pointer: '/tags', location: 'body', code: 'invalid_parameter', detail: 'must not have more than 2 tags' },
    ]);
    expect((await post(app, '/v1/both', { name: 'x', tags: [1] })).statusCode).toBe(200);
  });

  it('keep the classic body exact, the fields named in the message', async () => {
    const app = await appWithRoutes({ profile: 'classic' });
    const response = await post(app, '/v1/both', { name: 'x', tags: [1, 2, 3] });
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      code: 'invalid_parameter',
      error: 'One field is missing or invalid: body /tags must not have more than 2 tags.',
      time: expect.any(String),
    });
  });

  it('list at most the plugin maxFieldErrors, counting them all', async () => {
    const app = await buildApp({ maxFieldErrors: 3 });
    app.post('/v1/many', async (request) => {
      const fields = Array.from({ length: 7 }, (_, index) => ({
        pointer: `/${index}`,
        location: 'body' as const,
        detail: 'is wrong',
      }));
      throw fieldValidationError(fields, request.server.faultline);
    });
    const body = expectProblem(await post(app, '/v1/many', {}), 400, 'invalid_parameter');
    expect(body['errors']).toHaveLength(3);
    expect(body['detail']).toMatch(/^7 fields are missing or invalid: /);
  });
});
