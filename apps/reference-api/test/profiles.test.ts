import type { ProfileName } from '@faultline/core';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { bearer, json, keysOf, openWorld, type World } from './support.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let world: World;
const apps = {} as Record<ProfileName, FastifyInstance>;
const profileNames: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];

beforeAll(async () => {
  world = await openWorld();
  for (const profile of profileNames) apps[profile] = await world.app(profile);
});

afterAll(async () => {
  await world.close();
});

/** What each profile writes, for a 404 without field errors. */
const notFoundShape: Record<ProfileName, { keys: string[]; contentType: string }> = {
  problem: {
    keys: ['code', 'detail', 'request_id', 'status', 'time', 'title', 'type'],
    contentType: 'application/problem+json',
  },
  classic: { keys: ['code', 'error', 'time'], contentType: 'application/json' },
  message: { keys: ['code', 'description', 'message', 'request_id'], contentType: 'application/json' },
  oauth: { keys: ['error', 'error_description', 'error_uri'], contentType: 'application/json' },
};

const missing = (): InjectOptions => ({ method: 'GET', url: '/v1/campaigns/999999', headers: bearer(world.demo.apiKey) });
const badBody = (): InjectOptions => ({
  method: 'POST',
  url: '/v1/campaigns',
  headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
  payload: JSON.stringify({ colour: 'green' }),
});

const nameErrors = [
  { pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' },
  { pointer: '/colour', location: 'body', code: 'invalid_parameter', detail: 'is not a field this operation accepts' },
];
const notFoundDetail = 'No campaign of your team has id 999999.';

function expectRequestId(response: LightMyRequestResponse): string {
  const id = response.headers['x-request-id'];
  expect(id).toEqual(expect.stringMatching(uuid));
  return id as string;
}

describe('GET /v1/campaigns/999999 under each profile', () => {
  it('problem: RFC 9457 members plus code, request_id and time', async () => {
    const response = await apps.problem.inject(missing());
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(notFoundShape.problem.contentType);
    expect(keysOf(response)).toEqual(notFoundShape.problem.keys);
    const body = json(response);
    expect(body).toEqual({
      type: '/docs/errors#not_found',
      title: 'Not found',
      status: 404,
      detail: notFoundDetail,
      code: 'not_found',
      request_id: expectRequestId(response),
      time: expect.stringMatching(isoTime),
    });
  });

  it('classic: exactly {code, error, time}', async () => {
    const response = await apps.classic.inject(missing());
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(notFoundShape.classic.contentType);
    expect(keysOf(response)).toEqual(['code', 'error', 'time']);
    expect(json(response)).toEqual({ code: 'not_found', error: notFoundDetail, time: expect.stringMatching(isoTime) });
    expectRequestId(response);
  });

  it('message: {message, description, code, request_id}', async () => {
    const response = await apps.message.inject(missing());
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(notFoundShape.message.contentType);
    expect(keysOf(response)).toEqual(notFoundShape.message.keys);
    expect(json(response)).toEqual({
      message: 'Not Found',
      description: notFoundDetail,
      code: 'not_found',
      request_id: expectRequestId(response),
    });
  });

  it('oauth: {error, error_description, error_uri}', async () => {
    const response = await apps.oauth.inject(missing());
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(notFoundShape.oauth.contentType);
    expect(keysOf(response)).toEqual(notFoundShape.oauth.keys);
    expect(json(response)).toEqual({
      error: 'not_found',
      error_description: notFoundDetail,
      error_uri: '/docs/errors#not_found',
    });
    expectRequestId(response);
  });
});

describe('POST /v1/campaigns with a bad body under each profile', () => {
  it('problem adds errors[]', async () => {
    const response = await apps.problem.inject(badBody());
    expect(response.statusCode).toBe(400);
    expect(keysOf(response)).toEqual([...notFoundShape.problem.keys, 'errors'].sort());
    expect(json(response)).toMatchObject({
      code: 'missing_parameter',
      type: '/docs/errors#missing_parameter',
      errors: nameErrors,
    });
  });

  it('classic is exactly {code, error, time}, the message naming every field (seed 000)', async () => {
    const response = await apps.classic.inject(badBody());
    expect(response.statusCode).toBe(400);
    expect(keysOf(response)).toEqual(['code', 'error', 'time']);
    expect(json(response)).toMatchObject({
      code: 'missing_parameter',
      error: '2 fields are missing or invalid: body /name is required; body /colour is not a field this operation accepts.',
    });
  });

  it('classic adds errors[] with classicFieldErrors', async () => {
    const app = await buildApp({ db: world.db, profile: 'classic', classicFieldErrors: true });
    try {
      const response = await app.inject(badBody());
      expect(response.statusCode).toBe(400);
      expect(keysOf(response)).toEqual(['code', 'error', 'errors', 'time']);
      expect(json(response)).toMatchObject({ code: 'missing_parameter', errors: nameErrors });
      // A body without field errors stays exact.
      expect(keysOf(await app.inject(missing()))).toEqual(['code', 'error', 'time']);
    } finally {
      await app.close();
    }
  });

  it('message is {message, description, code, request_id, errors}', async () => {
    const response = await apps.message.inject(badBody());
    expect(response.statusCode).toBe(400);
    expect(keysOf(response)).toEqual(['code', 'description', 'errors', 'message', 'request_id']);
    expect(json(response)).toMatchObject({ message: 'Bad Request', code: 'missing_parameter', errors: nameErrors });
  });

  it('oauth writes missing_parameter as invalid_request', async () => {
    const response = await apps.oauth.inject(badBody());
    expect(response.statusCode).toBe(400);
    expect(keysOf(response)).toEqual(['error', 'error_description', 'error_uri', 'errors']);
    expect(json(response)).toMatchObject({
      error: 'invalid_request',
      error_uri: '/docs/errors#invalid_request',
      errors: nameErrors,
    });
    expect(String(json(response)['error_description'])).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
  });

  it('classic writes invalid_request (malformed JSON) as invalid_parameter', async () => {
    const response = await apps.classic.inject({ ...badBody(), payload: '{"name": ' });
    expect(response.statusCode).toBe(400);
    expect(keysOf(response)).toEqual(['code', 'error', 'time']);
    expect(json(response)['code']).toBe('invalid_parameter');
  });
});

describe('Accept: application/problem+json', () => {
  it.each(profileNames)('makes the %s app answer in problem+json', async (profile) => {
    for (const make of [missing, badBody]) {
      const request = make();
      const response = await apps[profile].inject({
        ...request,
        headers: { ...(request.headers as Record<string, string>), accept: 'application/problem+json' },
      });
      expect(response.headers['content-type']).toBe('application/problem+json');
      const body = json(response);
      expect(body['status']).toBe(response.statusCode);
      expect(body['type']).toBe(`/docs/errors#${body['code']}`);
      expect(body['request_id']).toBe(response.headers['x-request-id']);
      expect(['not_found', 'missing_parameter']).toContain(body['code']);
    }
  });

  it('counts among other media types, in any case', async () => {
    const response = await apps.classic.inject({
      ...missing(),
      headers: { ...bearer(world.demo.apiKey), accept: 'text/html, Application/Problem+JSON;q=0.5, */*;q=0.1' },
    });
    expect(keysOf(response)).toEqual(notFoundShape.problem.keys);
  });

  it.each([
    ['with q=0', 'application/problem+json;q=0'],
    ['with q=0.000', 'application/json, application/problem+json; q=0.000'],
    ['absent', 'application/json'],
    ['a wildcard', '*/*'],
  ])('does not override the profile when %s', async (_name, accept) => {
    const response = await apps.classic.inject({ ...missing(), headers: { ...bearer(world.demo.apiKey), accept } });
    expect(keysOf(response)).toEqual(['code', 'error', 'time']);
    expect(response.headers['content-type']).toBe('application/json');
  });
});

describe('x-request-id', () => {
  it.each(profileNames)('is on every %s response, success or failure, and matches the body', async (profile) => {
    const app = apps[profile];
    const responses = [
      await app.inject({ url: '/healthz' }),
      await app.inject({ url: '/docs/errors' }),
      await app.inject({ url: '/docs/errors.json' }),
      await app.inject({ url: '/v1/me', headers: bearer(world.demo.apiKey) }),
      await app.inject({ url: '/v1/me' }),
      await app.inject({ url: '/v1/me', headers: bearer('nope') }),
      await app.inject(missing()),
      await app.inject(badBody()),
      await app.inject({ url: '/no/such/path' }),
      await app.inject({ method: 'PUT', url: '/v1/me', headers: bearer(world.demo.apiKey) }),
      await app.inject({ url: '/v1/campaigns/%zz', headers: bearer(world.demo.apiKey) }),
    ];
    const ids = new Set<string>();
    for (const response of responses) {
      const id = expectRequestId(response);
      ids.add(id);
      if (response.statusCode >= 400) {
        const body = json(response);
        if ('request_id' in body) expect(body['request_id']).toBe(id);
      }
    }
    expect(ids.size).toBe(responses.length);
  });

  it('echoes a well-formed id from the caller and replaces a malformed one', async () => {
    const echoed = await apps.problem.inject({
      ...missing(),
      headers: { ...bearer(world.demo.apiKey), 'x-request-id': 'abc-123.X:y_z' },
    });
    expect(echoed.headers['x-request-id']).toBe('abc-123.X:y_z');
    expect(json(echoed)['request_id']).toBe('abc-123.X:y_z');

    for (const given of ['has space', 'x'.repeat(129), '<script>', 'semi;colon']) {
      const response = await apps.problem.inject({
        ...missing(),
        headers: { ...bearer(world.demo.apiKey), 'x-request-id': given },
      });
      expect(response.headers['x-request-id']).toMatch(uuid);
      expect(json(response)['request_id']).toBe(response.headers['x-request-id']);
    }
  });
});
