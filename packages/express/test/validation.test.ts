import fc from 'fast-check';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ProfileName } from '@faultline/core';
import { validate, type ValidateSchemas } from '@faultline/express';
import {
  bodyOf,
  buildApp,
  closeServers,
  codeOf,
  wireCode,
  detailOf,
  expectProblem,
  listen,
  profiles,
  send,
  sendJson,
} from './helpers.js';

afterEach(closeServers);

interface FieldErrorBody {
  readonly pointer: string;
  readonly location: string;
  readonly code: string;
  readonly detail: string;
}

const errorsOf = (body: Record<string, unknown>): FieldErrorBody[] => body['errors'] as FieldErrorBody[];
const where = (errors: readonly FieldErrorBody[]) =>
  errors.map((error) => `${error.location} ${error.pointer} ${error.code}`).sort();

/** PUT /teams/:teamId/members validated by `schemas`; the handler answers what it was given. */
async function appWith(schemas: ValidateSchemas, profile: ProfileName = 'problem'): Promise<string> {
  const test = buildApp({ profile });
  test.app.put('/teams/:teamId/members', test.contract.json(), validate(schemas), (req, res) => {
    res.json({ body: req.body, query: req.query, params: req.params });
  });
  return listen(test);
}

const jsonSchemas: ValidateSchemas = {
  params: { type: 'object', properties: { teamId: { type: 'integer', minimum: 1 } }, required: ['teamId'] },
  query: { type: 'object', properties: { notify: { type: 'boolean' } }, additionalProperties: false },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'role'],
    properties: {
      email: { type: 'string', format: 'email' },
      role: { enum: ['admin', 'member'] },
      tags: { type: 'array', items: { type: 'string' } },
    },
  },
};

const zodSchemas: ValidateSchemas = {
  params: z.object({ teamId: z.coerce.number().int().min(1) }),
  query: z.object({ notify: z.enum(['true', 'false']).optional() }).strict(),
  body: z.object({ email: z.email(), role: z.enum(['admin', 'member']), tags: z.array(z.string()).optional() }).strict(),
};

const valibotSchemas: ValidateSchemas = {
  params: v.object({ teamId: v.pipe(v.string(), v.regex(/^[1-9][0-9]*$/)) }),
  query: v.strictObject({ notify: v.optional(v.picklist(['true', 'false'])) }),
  body: v.strictObject({
    email: v.pipe(v.string(), v.email()),
    role: v.picklist(['admin', 'member']),
    tags: v.optional(v.array(v.string())),
  }),
};

describe.each([
  ['JSON Schema (Ajv)', jsonSchemas],
  ['zod (Standard Schema)', zodSchemas],
  ['valibot (Standard Schema)', valibotSchemas],
])('validate() with %s', (_name, schemas) => {
  it('lets a valid request through, with the validated values', async () => {
    const base = await appWith(schemas);
    const answer = await sendJson(base, 'PUT', '/teams/7/members?notify=true', { email: 'a@example.com', role: 'admin' });
    expect(answer.status).toBe(200);
    const body = bodyOf(answer);
    expect(body['body']).toMatchObject({ email: 'a@example.com', role: 'admin' });
  });

  it('lists every failing field of the path, the query and the body in one answer', async () => {
    const base = await appWith(schemas);
    const answer = await sendJson(base, 'PUT', '/teams/0/members?notify=maybe', {
      email: 'not-an-email',
      tags: [1],
      extra: true,
    });
    const body = expectProblem(answer, 400, 'missing_parameter');
    const errors = errorsOf(body);
    const found = where(errors);
    expect(found).toEqual(
      expect.arrayContaining([
        'path /teamId invalid_parameter',
        'query /notify invalid_parameter',
        'body /email invalid_parameter',
        'body /role missing_parameter',
        'body /tags/0 invalid_parameter',
      ]),
    );
    // The unknown member at its own pointer, in JSON Schema's words, whichever validator found it.
    expect(errors).toContainEqual(
      expect.objectContaining({ pointer: '/extra', location: 'body', detail: 'is not a field this operation accepts' }),
    );
    expect(body['detail']).toMatch(/^\d+ fields are missing or invalid: /);
    for (const error of errors) expect(error.detail.length).toBeGreaterThan(0);
  });

  it('says a missing body is missing, at the body as a whole', async () => {
    const base = await appWith({ body: schemas.body! });
    const answer = await send(base, { method: 'PUT', path: '/teams/1/members' });
    const body = expectProblem(answer, 400, 'missing_parameter');
    expect(errorsOf(body)).toEqual([expect.objectContaining({ pointer: '', location: 'body', code: 'missing_parameter' })]);
  });
});

describe('validation answers', () => {
  it.each(profiles)('list the fields in the %s profile', async (profile) => {
    const base = await appWith(jsonSchemas, profile);
    const answer = await sendJson(base, 'PUT', '/teams/3/members', { email: 'a@example.com', role: 'owner' });
    expect(answer.status).toBe(400);
    const body = bodyOf(answer);
    expect(codeOf(profile, body)).toBe(wireCode(profile, 'invalid_parameter'));
    expect(detailOf(profile, body)).toContain('body /role');
  });

  it('read a JSON Schema body strictly (no coercion) and the path and query with coercion', async () => {
    const base = await appWith(jsonSchemas);
    const strict = await sendJson(base, 'PUT', '/teams/3/members', { email: 'a@example.com', role: 'admin', tags: 'one' });
    expect(errorsOf(expectProblem(strict, 400, 'invalid_parameter')).map((error) => error.pointer)).toEqual(['/tags']);
    const coerced = await sendJson(base, 'PUT', '/teams/3/members?notify=false', { email: 'a@example.com', role: 'admin' });
    expect(bodyOf(coerced)).toMatchObject({ params: { teamId: 3 }, query: { notify: false } });
  });

  it('never answer 500 whatever the body, and name only JSON pointers that exist in the request', async () => {
    const base = await appWith(jsonSchemas);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        async (value) => {
          const answer = await sendJson(base, 'PUT', '/teams/5/members', value);
          expect([200, 400]).toContain(answer.status);
          if (answer.status === 400) {
            for (const error of errorsOf(bodyOf(answer))) {
              expect(error.location).toBe('body');
              expect(error.pointer === '' || error.pointer.startsWith('/')).toBe(true);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
