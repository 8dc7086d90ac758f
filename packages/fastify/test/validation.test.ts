import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileName } from '@faultline/core';
import {
  bodyOf,
  buildApp,
  closeApps,
  codeOf,
  detailOf,
  expectProblem,
  fieldErrorsOf,
  profiles,
  type Body,
  type FieldErrorBody,
} from './helpers.js';

const thingBody = {
  type: 'object',
  required: ['name', 'count'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 20 },
    count: { type: 'integer', minimum: 0, maximum: 100 },
    email: { type: 'string', format: 'email' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
    size: {
      type: 'object',
      required: ['width'],
      additionalProperties: false,
      properties: { width: { type: 'number' }, height: { type: 'number' } },
    },
    mode: { enum: ['fast', 'slow'] },
  },
} as const;

const thingSchema = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { limit: { type: 'integer', minimum: 1, maximum: 50 }, verbose: { type: 'boolean' } },
  },
  body: thingBody,
};

let handled = 0;

async function validatingApp(options: Parameters<typeof buildApp>[0] = {}): Promise<FastifyInstance> {
  const app = await buildApp(options);
  app.put('/v1/things/:id', { schema: thingSchema }, async (request) => {
    handled += 1;
    return { params: request.params, query: request.query, body: request.body };
  });
  app.get(
    '/v1/tenants/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        headers: { type: 'object', required: ['x-tenant'], properties: { 'x-tenant': { type: 'string', pattern: '^[a-z]+$' } } },
      },
    },
    async () => ({ ok: true }),
  );
  app.post(
    '/v1/media/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        body: {
          content: {
            'application/json': { schema: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } } },
          },
        },
      },
    },
    async (request) => ({ body: request.body }),
  );
  return app;
}

function put(app: FastifyInstance, body: unknown, { id = '7', query = '' }: { id?: string; query?: string } = {}) {
  return app.inject({
    method: 'PUT',
    url: `/v1/things/${id}${query}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

const field = (location: string, pointer: string, code: string, detail: string): FieldErrorBody => ({
  pointer,
  location,
  code,
  detail,
});
const missing = (location: string, pointer: string) => field(location, pointer, 'missing_parameter', 'is required');
const unknown = (location: string, pointer: string) =>
  field(location, pointer, 'invalid_parameter', 'is not a field this operation accepts');

const validBody = { name: 'Widget', count: 3 };

describe('schema failures', () => {
  afterEach(closeApps);

  it('lets a valid request through, coercing path and query values but not the body', async () => {
    const app = await validatingApp();
    const response = await put(app, { ...validBody, size: { width: 2.5 } }, { query: '?limit=5&verbose=true' });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      params: { id: 7 },
      query: { limit: 5, verbose: true },
      body: { name: 'Widget', count: 3, size: { width: 2.5 } },
    });
  });

  it('refuses a string for an integer body field: bodies are not coerced', async () => {
    const app = await validatingApp();
    const before = handled;
    const response = await put(app, { name: 'Widget', count: '5' });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(body['title']).toBe('Invalid parameter');
    expect(fieldErrorsOf(body)).toEqual([field('body', '/count', 'invalid_parameter', 'must be integer')]);
    expect(body['detail']).toBe('One field is missing or invalid: body /count must be integer.');
    expect(handled).toBe(before);
  });

  it('reports a query value of the wrong type after coercion fails', async () => {
    const app = await validatingApp();
    const response = await put(app, validBody, { query: '?limit=many' });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body)).toEqual([field('query', '/limit', 'invalid_parameter', 'must be integer')]);
  });

  it('answers missing_parameter when a required field is missing, listing each one', async () => {
    const app = await validatingApp();
    const response = await put(app, {});
    const body = expectProblem(response, 400, 'missing_parameter');
    expect(body['title']).toBe('Missing parameter');
    const errors = fieldErrorsOf(body);
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(expect.arrayContaining([missing('body', '/name'), missing('body', '/count')]));
    expect(body['detail']).toMatch(/^2 fields are missing or invalid: /);
    expect(body['detail']).toContain('body /name is required');
    expect(body['detail']).toContain('body /count is required');
  });

  it('answers missing_parameter when one field is missing and others are invalid', async () => {
    const app = await validatingApp();
    const response = await put(app, { count: -1, email: 'not-an-email' });
    const body = expectProblem(response, 400, 'missing_parameter');
    const errors = fieldErrorsOf(body);
    expect(errors).toHaveLength(3);
    expect(errors).toEqual(
      expect.arrayContaining([
        missing('body', '/name'),
        field('body', '/count', 'invalid_parameter', 'must be >= 0'),
        field('body', '/email', 'invalid_parameter', 'must match format "email"'),
      ]),
    );
  });

  it('reports unknown fields instead of stripping them', async () => {
    const app = await validatingApp();
    const before = handled;
    const response = await put(app, { ...validBody, admin: true, size: { width: 1, depth: 2 } });
    const body = expectProblem(response, 400, 'invalid_parameter');
    const errors = fieldErrorsOf(body);
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(expect.arrayContaining([unknown('body', '/admin'), unknown('body', '/size/depth')]));
    expect(handled).toBe(before);
  });

  it('escapes unknown field names in JSON pointers (RFC 6901)', async () => {
    const app = await validatingApp();
    const response = await put(app, { ...validBody, 'a/b~c': 1 });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body)).toEqual([unknown('body', '/a~1b~0c')]);
  });

  it('reports unknown query parameters', async () => {
    const app = await validatingApp();
    const response = await put(app, validBody, { query: '?limit=5&sort=name' });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body)).toEqual([unknown('query', '/sort')]);
  });

  it('reports a missing body as missing_parameter, even when the path fails too', async () => {
    const app = await validatingApp();
    const alone = await app.inject({ method: 'PUT', url: '/v1/things/7' });
    const body = expectProblem(alone, 400, 'missing_parameter');
    expect(fieldErrorsOf(body)).toEqual([field('body', '', 'missing_parameter', 'is required: send a JSON body')]);
    const withPath = await app.inject({ method: 'PUT', url: '/v1/things/abc' });
    expect(fieldErrorsOf(expectProblem(withPath, 400, 'missing_parameter'))).toEqual([
      field('path', '/id', 'invalid_parameter', 'must be integer'),
      field('body', '', 'missing_parameter', 'is required: send a JSON body'),
    ]);
  });

  it('points at the whole body when it is not an object', async () => {
    const app = await validatingApp();
    for (const payload of ['[1,2]', '"text"', 'null', '42']) {
      const response = await app.inject({
        method: 'PUT',
        url: '/v1/things/7',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      const body = expectProblem(response, 400, 'invalid_parameter');
      expect(fieldErrorsOf(body)).toEqual([field('body', '', 'invalid_parameter', 'must be object')]);
      expect(body['detail']).toBe('One field is missing or invalid: body (whole) must be object.');
    }
  });

  it('lists failures in the path, the body and the query string at once', async () => {
    const app = await validatingApp();
    const response = await put(app, { count: '5', extra: 1 }, { id: 'abc', query: '?limit=500&sort=x' });
    const body = expectProblem(response, 400, 'missing_parameter');
    const errors = fieldErrorsOf(body);
    expect(errors).toHaveLength(6);
    expect(errors).toEqual(
      expect.arrayContaining([
        field('path', '/id', 'invalid_parameter', 'must be integer'),
        missing('body', '/name'),
        field('body', '/count', 'invalid_parameter', 'must be integer'),
        unknown('body', '/extra'),
        field('query', '/limit', 'invalid_parameter', 'must be <= 50'),
        unknown('query', '/sort'),
      ]),
    );
    // In the order Fastify validates the parts: path, body, query.
    const order = ['path', 'body', 'query'];
    const locations = errors.map((error) => order.indexOf(error.location));
    expect(locations).toEqual([...locations].sort((a, b) => a - b));
    expect(body['detail']).toMatch(/^6 fields are missing or invalid: path \/id must be integer; body /);
  });

  it('lists failures in the body and the query string when the path is fine', async () => {
    const app = await validatingApp();
    const response = await put(app, { name: '', count: 1 }, { query: '?limit=0' });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body)).toEqual([
      field('body', '/name', 'invalid_parameter', 'must NOT have fewer than 1 characters'),
      field('query', '/limit', 'invalid_parameter', 'must be >= 1'),
    ]);
  });

  it('lists header failures together with path failures', async () => {
    const app = await validatingApp();
    const response = await app.inject({ method: 'GET', url: '/v1/tenants/x', headers: { 'x-tenant': 'ACME' } });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body)).toEqual([
      field('path', '/id', 'invalid_parameter', 'must be integer'),
      field('header', '/x-tenant', 'invalid_parameter', 'must match pattern "^[a-z]+$"'),
    ]);
    const missingHeader = await app.inject({ method: 'GET', url: '/v1/tenants/1' });
    expect(fieldErrorsOf(expectProblem(missingHeader, 400, 'missing_parameter'))).toEqual([missing('header', '/x-tenant')]);
  });

  it('lists body failures of a per-media-type body schema when the path also fails', async () => {
    const app = await validatingApp();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/media/abc',
      headers: { 'content-type': 'application/json' },
      payload: { subtitle: 'x' },
    });
    const body = expectProblem(response, 400, 'missing_parameter');
    expect(fieldErrorsOf(body)).toEqual([
      field('path', '/id', 'invalid_parameter', 'must be integer'),
      missing('body', '/title'),
    ]);
  });

  it('caps the errors list at maxFieldErrors but counts every field in the detail', async () => {
    const app = await validatingApp({ maxFieldErrors: 2 });
    const response = await put(app, { name: 5, count: 'x', a: 1, b: 2, c: 3 });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body)).toHaveLength(2);
    expect(body['detail']).toMatch(/^5 fields are missing or invalid: /);
  });

  it('keeps missing_parameter as the top code when the missing field is beyond the cap', async () => {
    const app = await validatingApp({ maxFieldErrors: 1 });
    const response = await put(app, { count: 'x' }, { id: 'abc' });
    const body = expectProblem(response, 400, 'missing_parameter');
    expect(fieldErrorsOf(body)).toEqual([field('path', '/id', 'invalid_parameter', 'must be integer')]);
  });

  it('names at most ten fields in the detail and counts the rest', async () => {
    const app = await validatingApp();
    const extras = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`extra${index}`, index]));
    const response = await put(app, { ...validBody, ...extras });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body)).toHaveLength(12);
    expect(body['detail']).toMatch(/^12 fields are missing or invalid: .* \(and 2 more\)\.$/);
    expect((body['detail'] as string).split('; ')).toHaveLength(10);
  });

  describe('in every profile', () => {
    const missingCode: Record<ProfileName, string> = {
      problem: 'missing_parameter',
      classic: 'missing_parameter',
      message: 'missing_parameter',
      oauth: 'invalid_request',
    };
    const invalidCode: Record<ProfileName, string> = {
      problem: 'invalid_parameter',
      classic: 'invalid_parameter',
      message: 'invalid_parameter',
      oauth: 'invalid_request',
    };

    it.each(profiles)('the %s profile carries the errors array of a missing field', async (profile) => {
      // The classic body carries errors[] only when asked to: seed 000's body is exactly {code, error, time}.
      const app = await validatingApp({ profile, classicFieldErrors: true });
      const response = await put(app, { count: 1 }, { id: 'abc' });
      expect(response.statusCode).toBe(400);
      const body = bodyOf(response);
      expect(codeOf(profile, body)).toBe(missingCode[profile]);
      expect(fieldErrorsOf(body)).toEqual([
        field('path', '/id', 'invalid_parameter', 'must be integer'),
        missing('body', '/name'),
      ]);
      expect(detailOf(profile, body)).toBe('2 fields are missing or invalid: path /id must be integer; body /name is required.');
    });

    it.each(profiles)('the %s profile carries the errors array of an invalid field', async (profile) => {
      const app = await validatingApp({ profile, classicFieldErrors: true });
      const response = await put(app, { name: 'x', count: '1' });
      expect(response.statusCode).toBe(400);
      const body = bodyOf(response);
      expect(codeOf(profile, body)).toBe(invalidCode[profile]);
      expect(fieldErrorsOf(body)).toEqual([field('body', '/count', 'invalid_parameter', 'must be integer')]);
    });

    it('the classic profile is exactly {code, error, time} by default, the fields named in error', async () => {
      const app = await validatingApp({ profile: 'classic' });
      const response = await put(app, { count: 1 }, { id: 'abc' });
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toStrictEqual({
        code: 'missing_parameter',
        error: '2 fields are missing or invalid: path /id must be integer; body /name is required.',
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
    });
  });
});

/** True when `pointer` names a place that exists in `value`. */
function pointerInValue(value: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let current: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, token)) return false;
    current = (current as Record<string, unknown>)[token];
  }
  return true;
}

/** True when `pointer` names a place the schema describes. */
function pointerInSchema(schema: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let current = schema as { properties?: Record<string, unknown>; items?: unknown } | undefined;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === undefined) return false;
    if (current.properties !== undefined && Object.hasOwn(current.properties, token)) {
      current = current.properties[token] as typeof current;
    } else if (current.items !== undefined && /^\d+$/.test(token)) {
      current = current.items as typeof current;
    } else {
      return false;
    }
  }
  return true;
}

describe('random invalid bodies (property)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await validatingApp();
  });
  afterAll(closeApps);

  type Mutation = { readonly key: string; apply(body: Record<string, unknown>): void };
  const known = new Set(Object.keys(thingBody.properties));
  const extraKey = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/).filter((key) => !known.has(key));
  const anyWrong = fc.oneof(
    fc.boolean(),
    fc.constant(null),
    fc.integer(),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.dictionary(extraKey, fc.integer(), { maxKeys: 2 }),
  );
  const set = (key: string, value: unknown): Mutation => ({ key, apply: (body) => void (body[key] = value) });

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom('name', 'count').map((key): Mutation => ({ key, apply: (body) => void delete body[key] })),
    fc
      .oneof(
        anyWrong.filter((value) => typeof value !== 'string'),
        fc.constant(''),
        fc.string({ minLength: 21, maxLength: 40 }),
      )
      .map((value) => set('name', value)),
    fc
      .oneof(
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.integer({ max: -1 }),
        fc.integer({ min: 101 }),
        fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
      )
      .map((value) => set('count', value)),
    fc.oneof(fc.integer(), fc.constant('no-at-sign'), fc.constant('@')).map((value) => set('email', value)),
    fc
      .oneof(
        fc.string(),
        fc.integer(),
        fc.array(fc.string(), { minLength: 4, maxLength: 6 }),
        fc.tuple(fc.array(fc.string(), { maxLength: 2 }), fc.integer()).map(([strings, number]) => [...strings, number]),
      )
      .map((value) => set('tags', value)),
    fc
      .oneof(
        fc.string(),
        fc.record({ height: fc.integer() }),
        fc.record({ width: fc.string() }),
        fc.tuple(extraKey, fc.integer()).map(([key, value]) => ({ width: 1, [key]: value })),
      )
      .map((value) => set('size', value)),
    fc
      .string()
      .filter((value) => value !== 'fast' && value !== 'slow')
      .map((value) => set('mode', value)),
    fc.tuple(extraKey, anyWrong).map(([key, value]) => set(key, value)),
  );

  const validThing = fc.record(
    {
      name: fc.string({ minLength: 1, maxLength: 20 }).filter((name) => [...name].length <= 20),
      count: fc.integer({ min: 0, max: 100 }),
      tags: fc.array(fc.string(), { maxLength: 3 }),
      mode: fc.constantFrom('fast', 'slow'),
    },
    { requiredKeys: ['name', 'count'] },
  );

  it('always answers 400 listing every broken field by a pointer into the schema or the body', async () => {
    await fc.assert(
      fc.asyncProperty(validThing, fc.array(mutation, { minLength: 1, maxLength: 4 }), async (valid, mutations) => {
        const sent: Record<string, unknown> = { ...valid };
        for (const change of mutations) change.apply(sent);
        const response = await put(app, sent);
        expect(response.statusCode).toBe(400);
        const body: Body = bodyOf(response);
        const errors = fieldErrorsOf(body);
        expect(errors.length).toBeGreaterThan(0);
        for (const error of errors) {
          expect(error.location).toBe('body');
          expect(['missing_parameter', 'invalid_parameter']).toContain(error.code);
          expect(error.detail).not.toBe('');
          expect(pointerInValue(sent, error.pointer) || pointerInSchema(thingBody, error.pointer)).toBe(true);
        }
        const anyMissing = errors.some((error) => error.code === 'missing_parameter');
        expect(body['code']).toBe(anyMissing ? 'missing_parameter' : 'invalid_parameter');
        // Every field a mutation broke is named by at least one pointer.
        for (const key of new Set(mutations.map((change) => change.key))) {
          expect(errors.some((error) => error.pointer === `/${key}` || error.pointer.startsWith(`/${key}/`))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('integers in the path and query (property)', () => {
  afterEach(closeApps);

  /** Spellings `Number()` reads as `n` but that are not how a URL should write it. */
  const looseSpelling = (n: number) =>
    fc.constantFrom(
      `0x${n.toString(16)}`,
      `0o${n.toString(8)}`,
      `0b${n.toString(2)}`,
      `+${n}`,
      `0${n}`,
      `00${n}`,
      `${n}.0`,
      `${n}.`,
      `${n / 10}e1`,
      `${n}e0`,
      ` ${n}`,
      `${n} `,
      `\t${n}`,
    );

  it('accepts the canonical decimal spelling of an id and refuses every other spelling of it, naming the parameter', async () => {
    const app = await validatingApp();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2_147_483_647 }).chain((n) => fc.tuple(fc.constant(n), looseSpelling(n))),
        async ([n, spelling]) => {
          const canonical = await put(app, validBody, { id: String(n) });
          expect(canonical.statusCode).toBe(200);
          expect((bodyOf(canonical) as { params: unknown }).params).toEqual({ id: n });
          const before = handled;
          const loose = await put(app, validBody, { id: encodeURIComponent(spelling) });
          const body = expectProblem(loose, 400, 'invalid_parameter');
          expect(fieldErrorsOf(body)).toEqual([
            field(
              'path',
              '/id',
              'invalid_parameter',
              'must be a whole number in plain decimal, like 175: no plus sign, leading zero, fraction, exponent or hex',
            ),
          ]);
          expect(handled).toBe(before);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds query integers to the same spelling, and still reports the other failing fields', async () => {
    const app = await validatingApp();
    const response = await put(app, validBody, { id: '0x7', query: '?limit=%2B5&verbose=maybe' });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrorsOf(body).map((each) => `${each.location} ${each.pointer}`)).toEqual([
      'path /id',
      'query /limit',
      'query /verbose',
    ]);
    expect((await put(app, validBody, { query: '?limit=0' })).statusCode).toBe(400);
    expect((await put(app, validBody, { query: '?limit=50' })).statusCode).toBe(200);
  });
});
