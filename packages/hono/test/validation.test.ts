import { validate } from '@faultline/hono';
import { jsonSchema } from '@faultline/hono/ajv';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, closeServers, expectInProfile, expectProblem, fieldErrorsOf, listen, profiles } from './helpers.js';

afterEach(closeServers);

const zodNote = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(5000).optional(),
  count: z.number().int(),
});
const valibotNote = v.strictObject({
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
  body: v.optional(v.pipe(v.string(), v.maxLength(5000))),
  count: v.pipe(v.number(), v.integer()),
});
const jsonSchemaNote = jsonSchema({
  type: 'object',
  additionalProperties: false,
  required: ['title', 'count'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    body: { type: 'string', maxLength: 5000 },
    count: { type: 'integer' },
  },
});

const validators = [
  ['zod', zodNote],
  ['valibot', valibotNote],
  ['JSON Schema (Ajv)', jsonSchemaNote],
] as const;

function notesApp(schema: (typeof validators)[number][1], profile: (typeof profiles)[number] = 'problem') {
  const app = buildApp({ profile });
  app.post('/v1/notes', validate('json', schema), (c) => c.json({ note: c.req.valid('json') }, 201));
  return app;
}

const post = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe.each(validators)('validate() with %s', (_name, schema) => {
  it('passes a valid body on to the handler at c.req.valid("json")', async () => {
    const response = await notesApp(schema).request('/v1/notes', post({ title: 'Hello', count: 2 }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ note: { title: 'Hello', count: 2 } });
  });

  it('lists every failing field at once, each by JSON pointer, on a real socket', async () => {
    const url = await listen(notesApp(schema));
    const response = await fetch(`${url}/v1/notes`, post({ title: '', body: 7, extra: true }));
    const body = await expectProblem(response, 400, 'missing_parameter');
    const fields = fieldErrorsOf(body);
    const byPointer = Object.fromEntries(fields.map((field) => [field.pointer, field]));
    expect(Object.keys(byPointer).sort()).toEqual(['/body', '/count', '/extra', '/title']);
    expect(byPointer['/count']).toMatchObject({ location: 'body', code: 'missing_parameter', detail: 'is required' });
    expect(byPointer['/title']).toMatchObject({ location: 'body', code: 'invalid_parameter' });
    expect(byPointer['/body']).toMatchObject({ location: 'body', code: 'invalid_parameter' });
    expect(byPointer['/extra']).toMatchObject({ location: 'body', code: 'invalid_parameter' });
    expect(body['detail']).toMatch(/^4 fields are missing or invalid: /);
  });

  it('says a missing body is required', async () => {
    const response = await notesApp(schema).request('/v1/notes', { method: 'POST' });
    const body = await expectProblem(response, 400, 'missing_parameter');
    expect(fieldErrorsOf(body)).toEqual([
      { pointer: '', location: 'body', code: 'missing_parameter', detail: 'is required: send a JSON body' },
    ]);
  });

  it.each(profiles)('answers in the %s profile', async (profile) => {
    const response = await notesApp(schema, profile).request('/v1/notes', post({ title: 'x' }));
    const body = await expectInProfile(
      response,
      profile,
      400,
      'missing_parameter',
      'One field is missing or invalid: body /count is required.',
    );
    if (profile !== 'oauth' && profile !== 'classic')
      expect(fieldErrorsOf(body)).toEqual([
        { pointer: '/count', location: 'body', code: 'missing_parameter', detail: 'is required' },
      ]);
  });
});

describe('the same failure through every validator', () => {
  it('gives the same pointers, locations and codes', async () => {
    const shapes = await Promise.all(
      validators.map(async ([, schema]) => {
        const response = await notesApp(schema).request('/v1/notes', post({ title: 'ok', count: 1.5, extra: 1 }));
        const body = await expectProblem(response, 400, 'invalid_parameter');
        return fieldErrorsOf(body)
          .map(({ pointer, location, code }) => ({ pointer, location, code }))
          .sort((a, b) => a.pointer.localeCompare(b.pointer));
      }),
    );
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
  });
});

describe('the other parts of a request', () => {
  it('validates the query and path parameters, naming their locations', async () => {
    const app = buildApp();
    app.get(
      '/v1/things/:id',
      validate('param', z.object({ id: z.string().regex(/^\d+$/) })),
      validate('query', jsonSchema({ type: 'object', properties: { limit: { type: 'integer', maximum: 100 } } })),
      (c) => c.json({ id: c.req.valid('param').id, query: c.req.valid('query') }),
    );
    const bad = await app.request('/v1/things/abc');
    expect(fieldErrorsOf(await expectProblem(bad, 400, 'invalid_parameter'))).toMatchObject([
      { pointer: '/id', location: 'path' },
    ]);
    const query = await app.request('/v1/things/1?limit=500');
    expect(fieldErrorsOf(await expectProblem(query, 400, 'invalid_parameter'))).toMatchObject([
      { pointer: '/limit', location: 'query' },
    ]);
    expect(await (await app.request('/v1/things/1?limit=5')).json()).toEqual({ id: '1', query: { limit: 5 } });
  });
});
