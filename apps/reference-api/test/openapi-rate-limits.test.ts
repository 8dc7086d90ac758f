import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { lintWithSpectral } from './spectral.js';
import { bearer, openWorld, type World } from './support.js';

type Json = Record<string, unknown>;
interface Response {
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { examples?: Record<string, { $ref: string }> }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { examples: Record<string, { value: Json }>; headers: Json };
}

const methods = new Set(['get', 'put', 'post', 'delete', 'patch']);

let world: World;
let app: FastifyInstance;
let document: Document;
let temporary: string;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
  document = JSON.parse((await app.inject({ url: '/openapi.json' })).body) as Document;
  temporary = mkdtempSync(join(tmpdir(), 'faultline-openapi-rate-limits-'));
});

afterAll(async () => {
  await world.close();
  rmSync(temporary, { recursive: true, force: true });
});

function operations(): [string, string, Record<string, Response>][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.has(method))
      .map(([method, operation]): [string, string, Record<string, Response>] => [method, path, operation.responses]),
  );
}

const rateLimitHeaders = {
  'RateLimit-Policy': { $ref: '#/components/headers/RateLimitPolicy' },
  RateLimit: { $ref: '#/components/headers/RateLimit' },
};

describe('the OpenAPI document on rate limits and load shedding', () => {
  it('documents 429 limit_reached with Retry-After and the RateLimit fields on every /v1 operation', () => {
    const v1 = operations().filter(([, path]) => path.startsWith('/v1/'));
    expect(v1.length).toBeGreaterThan(0);
    for (const [method, path, responses] of v1) {
      const name = `${method} ${path}`;
      const tooMany = responses['429'];
      expect(tooMany?.headers, name).toMatchObject({
        'Retry-After': { $ref: '#/components/headers/RetryAfter' },
        ...rateLimitHeaders,
      });
      expect(Object.keys(tooMany?.content?.['application/problem+json']?.examples ?? {}), name).toContain('limit_reached');
      for (const [status, response] of Object.entries(responses)) {
        // Every answer after authentication carries the fields; a shed 503, a 408 for a request that arrived too slowly,
        // and the authentication hook's 401s and 403s come before the rate-limit hook. Logging in needs no credential:
        // it is limited per address first.
        const beforeRateLimit =
          status === '503' || status === '408' || ((status === '401' || status === '403') && name !== 'post /v1/sessions');
        if (beforeRateLimit) expect(response.headers?.['RateLimit'], `${name} ${status}`).toBeUndefined();
        else expect(response.headers, `${name} ${status}`).toMatchObject(rateLimitHeaders);
      }
    }
    expect(document.components.headers).toHaveProperty('RateLimitPolicy');
    expect(document.components.headers).toHaveProperty('RateLimit');
  });

  it('documents 503 service_unavailable with Retry-After on every operation, and RateLimit fields outside /v1 only on the 429s of the limits on guessing and minting', () => {
    for (const [method, path, responses] of operations()) {
      const name = `${method} ${path}`;
      expect(responses['503']?.headers?.['Retry-After'], name).toEqual({ $ref: '#/components/headers/RetryAfter' });
      // The OAuth token endpoints answer in the oauth format, as JSON; every other operation as problem+json.
      const mediaType = path === '/oauth/token' || path === '/oauth/revoke' ? 'application/json' : 'application/problem+json';
      expect(Object.keys(responses['503']?.content?.[mediaType]?.examples ?? {}), name).toEqual(['service_unavailable']);
      if (!path.startsWith('/v1/')) {
        for (const [status, response] of Object.entries(responses)) {
          // The token endpoints and the login form are limited per network, client or account (attempt-limits.ts).
          const attemptLimited =
            status === '429' && ['/oauth/token', '/oauth/revoke', '/oauth/login'].includes(path) && method === 'post';
          if (attemptLimited) expect(response.headers?.['RateLimit'], `${name} ${status}`).toBeDefined();
          else expect(response.headers?.['RateLimit'], `${name} ${status}`).toBeUndefined();
        }
      }
    }
  });

  it('gives a limit_reached example with the members and headers the server sends', async () => {
    const limited = await buildApp({ db: world.db, rateLimits: [{ name: 'burst', limit: 1, windowMs: 60_000 }] });
    try {
      await limited.inject({ url: '/v1/me', headers: bearer(world.demo.apiKey) });
      const refused = await limited.inject({ url: '/v1/me', headers: bearer(world.demo.apiKey) });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers).toHaveProperty('retry-after');
      expect(refused.headers).toHaveProperty('ratelimit');
      expect(refused.headers).toHaveProperty('ratelimit-policy');
      const example = document.components.examples['limit_reached']?.value ?? {};
      expect(Object.keys(example).sort()).toEqual(Object.keys(JSON.parse(refused.body) as Json).sort());
      expect(example).toMatchObject({ code: 'limit_reached', status: 429, policy: 'burst' });
    } finally {
      await limited.close();
    }
  });

  it('shows the rate-limit and shedding codes with their headers on the error reference page', async () => {
    const page = (await app.inject({ url: '/docs/errors' })).body;
    const headersOf = (code: string) =>
      new RegExp(`<section id="${code}"[\\s\\S]*?<dt>Headers</dt><dd>(.*?)</dd>`).exec(page)?.[1];
    const rateLimited = '<code>Retry-After</code>, <code>RateLimit-Policy</code>, <code>RateLimit</code>';
    expect(headersOf('limit_reached')).toBe(rateLimited);
    expect(headersOf('usage_limit_exceeded')).toBe(rateLimited);
    expect(headersOf('service_unavailable')).toBe('<code>Retry-After</code>');
  });

  it('is held to it by Spectral: an answer without RateLimit under /v1 is an error', () => {
    const broken = JSON.parse(JSON.stringify(document)) as Document;
    const ok = broken.paths['/v1/me']?.['get']?.responses['200'];
    delete ok?.headers?.['RateLimit'];
    const file = join(temporary, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    const { findings } = lintWithSpectral(file);
    const errors = findings.filter((finding) => finding.code === 'owasp:api4:2023-rate-limit');
    expect(errors.map((finding) => finding.path.join('.'))).toEqual(['paths./v1/me.get.responses.200.headers']);
  }, 120_000);
});
