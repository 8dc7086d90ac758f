/**
 * An id in a path is written one way only: campaign 175 is `/v1/campaigns/175`,
 * never `0xaf`, `+175`, `0175`, `175.0` or `1.75e2`, which `Number()` reads
 * the same. Every other spelling is `invalid_parameter` naming the path
 * parameter, on every route that takes an id, before any database work.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { bearer, insertCampaign, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let campaignId: number;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db });
  await app.ready();
  campaignId = await insertCampaign(world.db, world.demo.teamId, 'Reachable by one URL');
});

afterAll(async () => {
  await app.close();
  await world.close();
});

/** Every route that takes an id, with a body it accepts when the id is right. */
const idRoutes: readonly { method: 'GET' | 'PATCH' | 'POST' | 'DELETE'; path: (id: string) => string; body?: unknown }[] = [
  { method: 'GET', path: (id) => `/v1/campaigns/${id}` },
  { method: 'PATCH', path: (id) => `/v1/campaigns/${id}`, body: { name: 'Renamed' } },
  { method: 'DELETE', path: (id) => `/v1/campaigns/${id}` },
  { method: 'POST', path: (id) => `/v1/campaigns/${id}/pause` },
  { method: 'POST', path: (id) => `/v1/campaigns/${id}/resume` },
  { method: 'GET', path: (id) => `/v1/campaigns/${id}/recipients` },
  { method: 'POST', path: (id) => `/v1/campaigns/${id}/recipients`, body: { recipients: [{ email: 'a@example.com' }] } },
  { method: 'PATCH', path: (id) => `/v1/users/${id}`, body: { name: 'Someone' } },
  { method: 'DELETE', path: (id) => `/v1/api-keys/${id}` },
  { method: 'DELETE', path: (id) => `/v1/oauth-apps/${id}` },
];

const request = (route: (typeof idRoutes)[number], id: string) =>
  app.inject({
    method: route.method,
    url: route.path(id),
    headers: { ...bearer(world.demo.apiKey), ...(route.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(route.body === undefined ? {} : { payload: JSON.stringify(route.body) }),
  });

/** Spellings that `Number()` reads as `n`. */
const looseSpellings = (n: number) => [
  `0x${n.toString(16)}`,
  `+${n}`,
  `0${n}`,
  `${n}.0`,
  `${n / 100}e2`,
  `0b${n.toString(2)}`,
  ` ${n}`,
];

const expectLooseIdRefused = (response: Awaited<ReturnType<typeof request>>) => {
  expect(response.statusCode).toBe(400);
  const body = json(response);
  expect(body['code']).toBe('invalid_parameter');
  expect(body['errors']).toEqual([expect.objectContaining({ location: 'path', pointer: '/id', code: 'invalid_parameter' })]);
};

describe('ids in the path', () => {
  it('campaign 175 is reachable as 175 and as nothing else', async () => {
    // 0xaf, +175, 0175, 175.0 and 1.75e2 all once answered with campaign 175.
    const reachable = await app.inject({ method: 'GET', url: `/v1/campaigns/${campaignId}`, headers: bearer(world.demo.apiKey) });
    expect(reachable.statusCode).toBe(200);
    for (const spelling of looseSpellings(campaignId)) {
      expectLooseIdRefused(
        await app.inject({
          method: 'GET',
          url: `/v1/campaigns/${encodeURIComponent(spelling)}`,
          headers: bearer(world.demo.apiKey),
        }),
      );
    }
  });

  it('every id route refuses every loose spelling of any id and never answers 2xx, 404 or 500 to it (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...idRoutes),
        fc.integer({ min: 1, max: 2_147_483_647 }).chain((n) => fc.constantFrom(...looseSpellings(n))),
        async (route, spelling) => {
          expectLooseIdRefused(await request(route, encodeURIComponent(spelling)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a canonical id past the 32-bit range is invalid_parameter too, not a database error', async () => {
    for (const route of idRoutes) expectLooseIdRefused(await request(route, '2147483648'));
  });
});
