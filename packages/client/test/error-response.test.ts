/**
 * An error keeps the response it was read from, so a caller can read any
 * header the server sent, as ky's HTTPError keeps its `response`. Problem
 * bodies read the same with or without a `charset` parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  FaultlineError,
  NetworkError,
  NotFoundError,
  QuotaExceededError,
  type FaultlineClient,
} from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { rejectionOf } from './helpers.js';

let server: FaultServer;
let client: FaultlineClient;

beforeAll(async () => {
  server = await FaultServer.start();
  client = createClient({ baseUrl: server.url, retry: { maxAttempts: 2, deadlineMs: 5_000, budget: false }, pacing: false });
});

afterAll(async () => {
  await server.close();
});

async function failure(request: Promise<unknown>): Promise<FaultlineError> {
  const error = await rejectionOf(request);
  expect(error).toBeInstanceOf(FaultlineError);
  return error as FaultlineError;
}

describe('the response on an error', () => {
  it('keeps every header of the answer, and the response itself', async () => {
    server.handle(() =>
      reply.problem(404, 'not_found', 'No thing has id 7.', {}, { 'x-ratelimit-remaining': '41', link: '</docs>; rel="help"' }),
    );
    const error = await failure(client.get('/things/7'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.headers.get('x-ratelimit-remaining')).toBe('41');
    expect(error.headers.get('Link')).toBe('</docs>; rel="help"');
    expect(error.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(error.response).toBeInstanceOf(Response);
    expect(error.response?.status).toBe(404);
    expect(error.response?.headers.get('x-ratelimit-remaining')).toBe('41');
  });

  it('keeps the headers of the last answer when a wait past the deadline turns a 429 into a quota error', async () => {
    server.handle(() =>
      reply.problem(429, 'limit_reached', 'Too many requests.', {}, { 'retry-after': '3600', 'x-quota-left': '0' }),
    );
    const error = await failure(client.get('/orders'));
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error.headers.get('retry-after')).toBe('3600');
    expect(error.headers.get('x-quota-left')).toBe('0');
    expect(error.response?.status).toBe(429);
  });

  it('has no response and empty headers when no answer arrived', async () => {
    server.handle(() => reply.drop());
    const error = await failure(client.get('/gone'));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.response).toBeUndefined();
    const names: string[] = [];
    error.headers.forEach((_value, name) => names.push(name));
    expect(names).toEqual([]);
  });
});

describe('problem bodies, with or without a charset', () => {
  const body = JSON.stringify({
    type: '/docs/errors#not_found',
    title: 'Not found',
    status: 404,
    detail: 'No thing has id 7.',
    code: 'not_found',
    request_id: 'req-7',
  });

  it.each(['application/problem+json', 'application/problem+json; charset=utf-8', 'application/problem+json;charset=UTF-8'])(
    'reads %s',
    async (contentType) => {
      server.handle(() => reply.respond(404, body, { 'content-type': contentType }));
      const error = await failure(client.get('/things/7'));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'not_found', detail: 'No thing has id 7.', requestId: 'req-7' });
      expect(error.docsUrl).toBe(`${server.url}/docs/errors#not_found`);
    },
  );
});
