/**
 * The client against the real reference API, listening on a real port, in
 * each of its error formats.
 */
import type { ProfileName } from '@faultline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createClient,
  NotFoundError,
  ValidationError,
  type ClientOptions,
  type FaultlineClient,
} from '@faultline/client';
import { openReferenceServer, type ReferenceServer } from './reference-server.js';

const profiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: ReferenceServer;
let apiKey: string;
const baseUrls = {} as Record<ProfileName, string>;

beforeAll(async () => {
  server = await openReferenceServer();
  apiKey = server.apiKey;
  for (const profile of profiles) baseUrls[profile] = await server.listen({ profile });
});

afterAll(() => server.close());

/** The rejection of `promise`, or a failure if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}

/** A client whose fetch (the real one) also notes the X-Request-Id of every response. */
function client(
  profile: ProfileName,
  options: Partial<ClientOptions> = {},
): { api: FaultlineClient; requestIds: (string | null)[] } {
  const requestIds: (string | null)[] = [];
  const observed: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    requestIds.push(response.headers.get('x-request-id'));
    return response;
  };
  const api = createClient({ baseUrl: baseUrls[profile], apiKey, fetch: observed, retry: { budget: false }, ...options });
  return { api, requestIds };
}

describe('the problem format', () => {
  it('a missing campaign is a NotFoundError with code not_found and the request id of the response', async () => {
    const { api, requestIds } = client('problem');
    const error = await rejectionOf(api.get('/v1/campaigns/999999'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', detail: 'No campaign of your team has id 999999.' });
    expect(requestIds).toHaveLength(1);
    expect(requestIds[0]).toMatch(uuid);
    expect((error as NotFoundError).requestId).toBe(requestIds[0]);
    expect(JSON.parse((error as NotFoundError).body ?? '')).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('a bad body is a ValidationError listing every field by pointer, not retried', async () => {
    const { api, requestIds } = client('problem');
    const error = await rejectionOf(api.post('/v1/campaigns', { body: { colour: 'green' }, idempotencyKey: true }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ status: 400, code: 'missing_parameter' });
    expect((error as ValidationError).fieldErrors).toEqual([
      { pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' },
      { pointer: '/colour', location: 'body', code: 'invalid_parameter', detail: 'is not a field this operation accepts' },
    ]);
    expect(requestIds).toHaveLength(1);
  });

  it('no key is an AuthenticationError unauthorized_request', async () => {
    const anonymous = createClient({ baseUrl: baseUrls.problem });
    const error = await rejectionOf(anonymous.get('/v1/campaigns'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized_request' });
  });

  it('a wrong key is an AuthenticationError invalid_api_key', async () => {
    const anonymous = createClient({ baseUrl: baseUrls.problem, apiKey: 'not-a-real-key' });
    await expect(anonymous.get('/v1/campaigns')).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('create then get: a round trip of parsed JSON', async () => {
    const { api } = client('problem');
    const created = await api.post<{ id: number; name: string; status: string }>('/v1/campaigns', {
      body: { name: 'Spring launch' },
      idempotencyKey: true,
    });
    expect(created).toMatchObject({ id: expect.any(Number), name: 'Spring launch', status: 'draft' });
    const fetched = await api.get<typeof created>(`/v1/campaigns/${created.id}`);
    expect(fetched).toEqual(created);
    const page = await api.get<{ data: { id: number }[] }>('/v1/campaigns', { query: { limit: 100 } });
    expect(page.data.map((campaign) => campaign.id)).toContain(created.id);
  });
});

describe.each(profiles)('ERROR_FORMAT=%s', (profile) => {
  it('the same 404 is a NotFoundError with code not_found and the response’s request id', async () => {
    const { api, requestIds } = client(profile);
    const error = await rejectionOf(api.get('/v1/campaigns/999999'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
    expect((error as NotFoundError).detail).toContain('999999');
    expect((error as NotFoundError).requestId).toBe(requestIds[0]);
    expect(requestIds[0]).toMatch(uuid);
  });

  it('a bad body is a ValidationError', async () => {
    const { api } = client(profile);
    await expect(api.post('/v1/campaigns', { body: { colour: 'green' } })).rejects.toBeInstanceOf(ValidationError);
  });

  it('no key is an AuthenticationError', async () => {
    const anonymous = createClient({ baseUrl: baseUrls[profile] });
    await expect(anonymous.get('/v1/campaigns')).rejects.toBeInstanceOf(AuthenticationError);
  });
});
