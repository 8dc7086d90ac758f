/**
 * What a thrown error carries: code, status, detail, request id (from the
 * body or the `X-Request-Id` header), the raw body, field errors by JSON
 * pointer and the retry time, for every body shape.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, FaultlineError, ValidationError, type FaultlineClient } from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { rejectionOf } from './helpers.js';

let server: FaultServer;
let client: FaultlineClient;

beforeAll(async () => {
  server = await FaultServer.start();
  client = createClient({ baseUrl: server.url, retry: { maxAttempts: 1, budget: false }, pacing: false });
});

beforeEach(() => {
  server.handle(() => reply.text(500, 'unscripted'));
});

afterAll(async () => {
  await server.close();
});

async function failure(): Promise<FaultlineError> {
  const error = await rejectionOf(client.get('/thing'));
  expect(error).toBeInstanceOf(FaultlineError);
  return error as FaultlineError;
}

const fieldErrors = [
  { pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' },
  { pointer: '/tags/0', location: 'body', code: 'invalid_parameter', detail: 'must be a string' },
  { pointer: '/limit', location: 'query', code: 'invalid_parameter', detail: 'must be at most 100' },
];

describe('request id', () => {
  it('comes from the body when the body has one, even with a header', async () => {
    server.script(
      reply.problem(404, 'not_found', 'No such thing.', { request_id: 'req-body' }, { 'x-request-id': 'req-header' }),
    );
    const error = await failure();
    expect(error.requestId).toBe('req-body');
    expect(error.message).toContain('req-body');
  });

  it.each([
    ['classic', reply.classic(404, 'not_found', 'No such thing.', {}, { 'x-request-id': 'req-header' })],
    ['oauth', reply.oauth(404, 'not_found', 'No such thing.', { 'x-request-id': 'req-header' })],
    ['text', reply.text(404, 'Not here', { 'x-request-id': 'req-header' })],
    ['HTML', reply.html(404, 'Not here', { 'x-request-id': 'req-header' })],
    ['empty', reply.empty(404, { 'x-request-id': 'req-header' })],
    ['unknown JSON', reply.unknownJson(404, { 'x-request-id': 'req-header' })],
  ])('comes from X-Request-Id when a %s body has none', async (_shape, answer) => {
    server.script(answer);
    expect((await failure()).requestId).toBe('req-header');
  });

  it('is also read from a Request-Id header', async () => {
    server.script(reply.text(502, 'Bad gateway', { 'request-id': 'req-plain' }));
    expect((await failure()).requestId).toBe('req-plain');
  });

  it('is undefined when nobody gave one', async () => {
    server.script(reply.empty(404));
    const error = await failure();
    expect(error.requestId).toBeUndefined();
    expect(error.message).not.toContain('request id');
  });
});

describe('detail', () => {
  it.each([
    ['problem: detail', reply.problem(409, 'conflict', 'Already exists.'), 'Already exists.'],
    ['classic: error', reply.classic(409, 'conflict', 'Already exists.'), 'Already exists.'],
    ['message: description', reply.message(409, 'conflict', 'Already exists.'), 'Already exists.'],
    ['oauth: error_description', reply.oauth(409, 'conflict', 'Already exists.'), 'Already exists.'],
    ['text: the text', reply.text(409, '  Already\n exists.  '), 'Already exists.'],
    ['HTML: the title', reply.html(409, 'Conflict Page'), 'Conflict Page'],
    ['empty: the status name', reply.empty(409), 'Conflict'],
    ['unknown JSON: the status name', reply.unknownJson(409), 'Conflict'],
  ])('%s', async (_shape, answer, detail) => {
    server.script(answer);
    const error = await failure();
    expect(error.detail).toBe(detail);
    expect(error.message).toContain(detail);
    expect(error.message).toContain('409');
  });
});

describe('the raw body', () => {
  it.each([
    ['problem', reply.problem(400, 'invalid_parameter', 'Bad.', { errors: fieldErrors })],
    ['classic', reply.classic(400, 'invalid_parameter', 'Bad.')],
    ['text', reply.text(400, 'plain words')],
    ['HTML', reply.html(400, 'Bad Request')],
    ['empty', reply.empty(400)],
    ['unknown JSON', reply.unknownJson(400)],
  ])('is kept exactly for a %s body', async (_shape, answer) => {
    server.script(answer);
    const error = await failure();
    expect(answer.kind).toBe('respond');
    expect(error.body).toBe(answer.kind === 'respond' ? answer.body : undefined);
  });
});

describe('field errors', () => {
  it.each([
    ['problem', reply.problem(400, 'invalid_parameter', 'Bad.', { errors: fieldErrors })],
    ['classic', reply.classic(400, 'invalid_parameter', 'Bad.', { errors: fieldErrors })],
    ['message', reply.message(400, 'invalid_parameter', 'Bad.', { errors: fieldErrors })],
  ])('are read from a %s body, every one, by pointer', async (_shape, answer) => {
    server.script(answer);
    const error = await failure();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fieldErrors).toEqual(fieldErrors);
    expect(error.fieldErrors.map((field) => field.pointer)).toEqual(['/name', '/tags/0', '/limit']);
  });

  it('default the location to body and skip items without a pointer', async () => {
    server.script(
      reply.problem(400, 'invalid_parameter', 'Bad.', {
        errors: [
          { pointer: '/email', message: 'is not an address' },
          { detail: 'no pointer' },
          'junk',
          { pointer: '', code: 'x' },
        ],
      }),
    );
    expect((await failure()).fieldErrors).toEqual([
      { pointer: '/email', location: 'body', code: 'invalid_parameter', detail: 'is not an address' },
      { pointer: '', location: 'body', code: 'x', detail: '' },
    ]);
  });

  it('are empty when the body lists none', async () => {
    server.script(reply.text(400, 'nope'));
    expect((await failure()).fieldErrors).toEqual([]);
  });
});

describe('status, code, method and url', () => {
  it('name the request that failed', async () => {
    server.script(reply.problem(403, 'user_not_admin', 'Admins only.'));
    const error = await rejectionOf(client.request('DELETE', '/teams/7', { query: { force: true } }));
    expect(error).toMatchObject({
      status: 403,
      code: 'user_not_admin',
      method: 'DELETE',
      url: `${server.url}/teams/7?force=true`,
      detail: 'Admins only.',
    });
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/teams/7?force=true' });
  });
});

describe('retry time', () => {
  it('is read from the classic sentence', async () => {
    const at = new Date(Date.now() + 3_600_000);
    server.script(reply.tooManyRequests.classicBody(at));
    expect((await failure()).retryAt?.getTime()).toBe(at.getTime());
  });

  it('is read from problem+json retry_after', async () => {
    const at = new Date(Date.now() + 3_600_000);
    server.script(reply.tooManyRequests.problemBody(at));
    expect((await failure()).retryAt?.getTime()).toBe(at.getTime());
  });

  it('is read from Retry-After seconds', async () => {
    server.script(reply.tooManyRequests.retryAfterSeconds(120));
    const before = Date.now();
    const retryAt = (await failure()).retryAt?.getTime() ?? 0;
    expect(retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 120_000);
  });

  it('is read from a Retry-After date', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    server.script(reply.tooManyRequests.retryAfterDate(at));
    expect((await failure()).retryAt?.getTime()).toBe(at.getTime());
  });

  it('is undefined without any hint', async () => {
    server.script(reply.tooManyRequests.bare());
    expect((await failure()).retryAt).toBeUndefined();
  });
});

describe('extension members', () => {
  it('are kept as the catalog declares them for the code, typed after is()', async () => {
    server.script(
      reply.problem(429, 'exceeds_monthly_recipients', 'Over the quota.', {
        quota: 100,
        used: 98,
        remaining: 2,
        requested: 5,
        resets_at: '2026-12-01T00:00:00.000Z',
        // Not declared for this code: not an extension of it.
        policy: 'burst',
      }),
    );
    const error = await failure();
    expect(error.extensions).toEqual({ quota: 100, used: 98, remaining: 2, requested: 5, resets_at: '2026-12-01T00:00:00.000Z' });
    expect(error.is('exceeds_monthly_recipients')).toBe(true);
    expect(error.is('limit_reached')).toBe(false);
    if (error.is('exceeds_monthly_recipients')) {
      const remaining: number | undefined = error.extensions.remaining;
      expect(remaining).toBe(2);
    }
  });

  it('drop a member whose value is not of the declared type', async () => {
    server.script(reply.problem(403, 'insufficient_scope', 'Needs a scope.', { scope: 42 }));
    const error = await failure();
    expect(error.code).toBe('insufficient_scope');
    expect(error.extensions).toEqual({});
  });

  it('are every member the envelope does not model for a code the catalog does not know', async () => {
    server.script(reply.problem(409, 'teapot_clash', 'Foreign.', { existing_campaign: '/v1/campaigns/1' }));
    const error = await failure();
    expect(error.extensions).toEqual({ existing_campaign: '/v1/campaigns/1' });
    expect(error.envelope).toBe('faultline-problem');
  });
});
