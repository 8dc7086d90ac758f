/**
 * Access-token refresh: when the server says the token expired
 * (`invalid_token` or `session_expired`), the client refreshes it once, for
 * every request that failed with it, and retries each once with the new one.
 * API keys are never "refreshed", and a 401 for them is final.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, createClient } from '@faultline/client';
import { FaultServer, reply, type Handler, type Reply } from './fault-server.js';
import { failureLog, realDelay, rejectionOf } from './helpers.js';

let server: FaultServer;

const expired = reply.oauth(401, 'invalid_token', 'The access token expired.', {
  'www-authenticate': 'Bearer error="invalid_token"',
});

/** A server that accepts only `Bearer <valid>` and answers anything else with `rejection`. */
function acceptOnly(valid: string, rejection: Reply = expired): Handler {
  return (request) => (request.authorization === `Bearer ${valid}` ? reply.json(200, { path: request.path }) : rejection);
}

beforeEach(async () => {
  server = await FaultServer.start();
});

afterEach(async () => {
  await server.close();
});

describe('an expired access token', () => {
  it('20 concurrent requests: the refresh runs exactly once and all 20 succeed with the new token', async () => {
    server.handle(acceptOnly('new-token'));
    const rejected: string[] = [];
    const log = failureLog();
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'old-token',
      onAttemptFailed: log.onAttemptFailed,
      refreshAccessToken: async (token) => {
        rejected.push(token);
        await realDelay(30);
        return 'new-token';
      },
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => client.get(`/items/${n}`)));
    expect(rejected).toEqual(['old-token']);
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => ({ path: `/items/${n}` })));
    const byToken = (token: string) => server.requests.filter((request) => request.authorization === `Bearer ${token}`);
    expect(byToken('old-token')).toHaveLength(20);
    expect(byToken('new-token')).toHaveLength(20);
    expect(new Set(byToken('new-token').map((request) => request.path)).size).toBe(20);
    expect(log.failures).toHaveLength(20);
    expect(log.failures.every((failure) => failure.code === 'invalid_token' && failure.willRetry && failure.delayMs === 0)).toBe(
      true,
    );
  });

  it('later requests use the new token straight away', async () => {
    server.handle(acceptOnly('new-token'));
    let refreshes = 0;
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'old-token',
      refreshAccessToken: () => Promise.resolve(`new-token${refreshes++ === 0 ? '' : '-again'}`),
    });
    await client.get('/a');
    await client.get('/b');
    expect(refreshes).toBe(1);
    expect(server.requests.map((request) => request.authorization)).toEqual([
      'Bearer old-token',
      'Bearer new-token',
      'Bearer new-token',
    ]);
  });

  it('session_expired (classic shape) triggers the refresh too', async () => {
    server.handle(acceptOnly('fresh', reply.classic(401, 'session_expired', 'Your session has ended.')));
    let refreshes = 0;
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'stale',
      refreshAccessToken: () => {
        refreshes++;
        return Promise.resolve('fresh');
      },
    });
    await expect(client.post('/orders', { body: {} })).resolves.toEqual({ path: '/orders' });
    expect(refreshes).toBe(1);
    expect(server.requests.map((request) => request.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('a failing refresh surfaces an AuthenticationError carrying the refresh error', async () => {
    server.handle(acceptOnly('never'));
    const refreshError = new Error('refresh token revoked');
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'old',
      refreshAccessToken: () => Promise.reject(refreshError),
    });
    const error = await rejectionOf(client.get('/items'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_token', cause: refreshError });
    expect((error as AuthenticationError).detail).toContain('Refreshing the token failed');
    expect(server.requests).toHaveLength(1);
  });

  it('a failing refresh fails every concurrent request, after one call', async () => {
    server.handle(acceptOnly('never'));
    let refreshes = 0;
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'old',
      refreshAccessToken: async () => {
        refreshes++;
        await realDelay(30);
        throw new Error('identity provider down');
      },
    });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.get('/items')));
    expect(results.every((result) => result.status === 'rejected' && result.reason instanceof AuthenticationError)).toBe(true);
    expect(refreshes).toBe(1);
    expect(server.requests).toHaveLength(10);
  });

  it('a 401 that arrives after the refresh failed shares that failure; a request sent later refreshes again', async () => {
    // The slow request was sent with the old token before the refresh failed, so that refresh was its refresh too.
    server.handle(async (request) => {
      if (request.path === '/slow') await realDelay(200);
      return expired;
    });
    let refreshes = 0;
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'old',
      refreshAccessToken: async () => {
        refreshes++;
        await realDelay(30);
        throw new Error('identity provider down');
      },
    });
    const [fast, slow] = await Promise.allSettled([client.get('/fast'), client.get('/slow')]);
    expect(fast.status === 'rejected' && fast.reason instanceof AuthenticationError).toBe(true);
    expect(slow.status === 'rejected' && slow.reason instanceof AuthenticationError).toBe(true);
    expect(refreshes).toBe(1);
    // The identity provider may be back: a request sent after the failure may try again.
    await expect(client.get('/later')).rejects.toBeInstanceOf(AuthenticationError);
    expect(refreshes).toBe(2);
  });

  it('without a refresh callback, the 401 surfaces as AuthenticationError', async () => {
    server.handle(acceptOnly('never'));
    const client = createClient({ baseUrl: server.url, accessToken: 'old' });
    await expect(client.get('/items')).rejects.toBeInstanceOf(AuthenticationError);
    expect(server.requests).toHaveLength(1);
  });

  it('a refreshed token that is rejected again is not refreshed a second time', async () => {
    server.handle(acceptOnly('never'));
    const rejected: string[] = [];
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'old',
      refreshAccessToken: (token) => {
        rejected.push(token);
        return Promise.resolve('also-bad');
      },
    });
    const error = await rejectionOf(client.get('/items'));
    expect(error).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(rejected).toEqual(['old']);
    expect(server.requests.map((request) => request.authorization)).toEqual(['Bearer old', 'Bearer also-bad']);
  });

  it('a 401 with another code (invalid_api_key) is not a reason to refresh', async () => {
    server.handle(acceptOnly('never', reply.problem(401, 'unauthorized_request', 'No credentials.')));
    let refreshes = 0;
    const client = createClient({
      baseUrl: server.url,
      accessToken: 'old',
      refreshAccessToken: () => Promise.resolve(`t${++refreshes}`),
    });
    await expect(client.get('/items')).rejects.toBeInstanceOf(AuthenticationError);
    expect(refreshes).toBe(0);
    expect(server.requests).toHaveLength(1);
  });
});

describe('an API key', () => {
  it('is sent as a Bearer token, and a 401 invalid_token for it is not retried', async () => {
    server.handle(acceptOnly('never'));
    const client = createClient({ baseUrl: server.url, apiKey: 'sk_live_123' });
    const error = await rejectionOf(client.get('/items'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'invalid_token' });
    await realDelay(50);
    expect(server.requests.map((request) => request.authorization)).toEqual(['Bearer sk_live_123']);
  });

  it('a 401 invalid_api_key is not retried either', async () => {
    server.handle(acceptOnly('never', reply.problem(401, 'invalid_api_key', 'Unknown key.')));
    const client = createClient({ baseUrl: server.url, apiKey: 'sk_live_123' });
    await expect(client.get('/items')).rejects.toMatchObject({ code: 'invalid_api_key' });
    expect(server.requests).toHaveLength(1);
  });
});
