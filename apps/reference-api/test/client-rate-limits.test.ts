import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type AttemptFailure } from '@faultline/client';
import { openReferenceServer, type ReferenceServer } from './reference-server.js';

let server: ReferenceServer;
let baseUrl: string;
let apiKey: string;

beforeAll(async () => {
  server = await openReferenceServer();
  apiKey = server.apiKey;
  baseUrl = await server.listen({ rateLimits: [{ name: 'burst', limit: 5, windowMs: 1000 }] });
});

afterAll(() => server.close());

describe('the client against the reference API rate limit', () => {
  it('paces itself by the RateLimit fields and receives no 429 for three windows of work', async () => {
    const failures: AttemptFailure[] = [];
    const client = createClient({ baseUrl, apiKey, onAttemptFailed: (failure) => failures.push(failure) });
    const started = Date.now();
    for (let index = 0; index < 15; index++) await client.get('/v1/me');
    expect(failures).toEqual([]);
    // 15 requests at 5 per second: the client must have waited, about two seconds.
    expect(Date.now() - started).toBeGreaterThan(1500);
  });

  it('without pacing, the same work meets the limit and recovers by Retry-After', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const failures: AttemptFailure[] = [];
    const client = createClient({ baseUrl, apiKey, pacing: false, onAttemptFailed: (failure) => failures.push(failure) });
    for (let index = 0; index < 8; index++) await client.get('/v1/me');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((failure) => failure.status === 429 && failure.code === 'limit_reached' && failure.willRetry)).toBe(
      true,
    );
  });
});
