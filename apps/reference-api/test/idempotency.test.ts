/**
 * Idempotent requests end to end: the real client through a real TCP proxy
 * that loses the answer after the server committed, twenty requests at once
 * with one key, keys reused for other requests or by other teams, malformed
 * keys. On SQLite and on PostgreSQL (the `postgres` project).
 */
import type { AddressInfo } from 'node:net';
import { createClient, NetworkError, type AttemptFailure } from '@faultline/client';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { usageMonth } from '../src/quota/monthly-recipient-quota.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { bearer, insertCampaign, insertTeam, json, openWorld, type OtherTeam, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let proxy: FaultProxy;
let team: OtherTeam;

beforeAll(async () => {
  world = await openWorld();
  team = await insertTeam(world.db, 'Retry team', 'retry@example.com');
  app = await buildApp({ db: world.db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  proxy = await startFaultProxy((app.server.address() as AddressInfo).port);
});

afterAll(async () => {
  await proxy?.close();
  await app?.close();
  await world?.close();
});

async function campaignsNamed(teamId: number, name: string): Promise<number[]> {
  const rows = await world.db
    .selectFrom('campaigns')
    .select('id')
    .where('team_id', '=', teamId)
    .where('name', '=', name)
    .execute();
  return rows.map((row) => row.id);
}

async function usageOf(teamId: number): Promise<number> {
  const row = await world.db
    .selectFrom('team_monthly_usage')
    .select('recipients_added')
    .where('team_id', '=', teamId)
    .where('month', '=', usageMonth(new Date()))
    .executeTakeFirst();
  return Number(row?.recipients_added ?? 0);
}

function post(path: string, body: unknown, key: string | undefined, apiKey = team.apiKey): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: path,
    headers: { ...bearer(apiKey), 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    payload: JSON.stringify(body),
  });
}

describe('a lost answer, retried by the client with its Idempotency-Key', () => {
  it('creates one campaign, and the client gets the first answer', async () => {
    const failures: AttemptFailure[] = [];
    const client = createClient({
      baseUrl: proxy.url,
      apiKey: team.apiKey,
      retry: { backoff: { baseMs: 20 } },
      onAttemptFailed: (failure) => failures.push(failure),
    });
    proxy.cutNextAnswers(1);
    const created = await client.post<{ id: number; name: string }>('/v1/campaigns', {
      body: { name: 'Lost answer' },
      idempotencyKey: true,
    });
    expect(proxy.cut).toBe(1);
    expect(failures.map((failure) => failure.error)).toEqual([expect.any(NetworkError)]);
    expect(await campaignsNamed(team.teamId, 'Lost answer')).toEqual([created.id]);
    expect(created.name).toBe('Lost answer');
  });

  it('adds the batch once and charges the quota once; the retry gets "added", not "skipped"', async () => {
    const campaignId = await insertCampaign(world.db, team.teamId, 'Batch target');
    const before = await usageOf(team.teamId);
    const client = createClient({ baseUrl: proxy.url, apiKey: team.apiKey, retry: { backoff: { baseMs: 20 } } });
    const recipients = Array.from({ length: 50 }, (_, index) => ({ email: `lost-${index}@example.com` }));
    proxy.cutNextAnswers(1);
    const answer = await client.post(`/v1/campaigns/${campaignId}/recipients`, { body: { recipients }, idempotencyKey: true });
    expect(proxy.cut).toBe(2);
    // A second run would have found every address there already: { added: 0, skipped: 50 }.
    expect(answer).toEqual({ added: 50, skipped: 0 });
    const count = await world.db
      .selectFrom('recipients')
      .select((builder) => builder.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(50);
    expect((await usageOf(team.teamId)) - before).toBe(50);
  });

  it('without a key, the client does not retry the POST, and says the connection failed', async () => {
    const client = createClient({ baseUrl: proxy.url, apiKey: team.apiKey, retry: { backoff: { baseMs: 20 } } });
    proxy.cutNextAnswers(1);
    await expect(client.post('/v1/campaigns', { body: { name: 'No key' } })).rejects.toBeInstanceOf(NetworkError);
    // It was created, and the client could not know: what the key is for.
    expect(await campaignsNamed(team.teamId, 'No key')).toHaveLength(1);
  });
});

describe('a repeated key', () => {
  it('replays status, headers and body, marked Idempotent-Replayed, without running again', async () => {
    const first = await post('/v1/campaigns', { name: 'Replayed', external_id: 'replayed-1' }, 'replay-key-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('/v1/campaigns', { external_id: 'replayed-1', name: 'Replayed' }, 'replay-key-1');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    for (const name of ['location', 'etag', 'content-type']) expect(again.headers[name]).toBe(first.headers[name]);
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(await campaignsNamed(team.teamId, 'Replayed')).toHaveLength(1);
  });

  it('keeps no error answer, which did no work: a retry runs again rather than being replayed', async () => {
    const campaignId = await insertCampaign(world.db, team.teamId, 'Appears later');
    await world.db.deleteFrom('campaigns').where('id', '=', campaignId).execute();
    const missing = await post(
      `/v1/campaigns/${campaignId}/recipients`,
      { recipients: [{ email: 'a@example.com' }] },
      'error-key',
    );
    expect(missing.statusCode).toBe(404);
    const again = await post(`/v1/campaigns/${campaignId}/recipients`, { recipients: [{ email: 'a@example.com' }] }, 'error-key');
    expect(again.statusCode).toBe(404);
    expect(again.headers['idempotent-replayed']).toBeUndefined();

    // Refused by validation, before the key is claimed: the key is still free for the corrected request.
    const invalid = await post('/v1/campaigns', { name: '' }, 'validated-key');
    expect(invalid.statusCode).toBe(400);
    const corrected = await post('/v1/campaigns', { name: 'Corrected' }, 'validated-key');
    expect(corrected.statusCode).toBe(201);
    expect(corrected.headers['idempotent-replayed']).toBeUndefined();
  });

  it('with another body, path or method is a 422 idempotency_key_reused, and nothing runs', async () => {
    const first = await post('/v1/campaigns', { name: 'Original' }, 'reused-key');
    expect(first.statusCode).toBe(201);
    const otherBody = await post('/v1/campaigns', { name: 'Changed' }, 'reused-key');
    expect(otherBody.statusCode).toBe(422);
    expect(json(otherBody)).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    expect(String(json(otherBody)['detail'])).toContain('different request');
    const { id } = json(first) as { id: number };
    const otherPath = await app.inject({
      method: 'PATCH',
      url: `/v1/campaigns/${id}`,
      headers: { ...bearer(team.apiKey), 'content-type': 'application/json', 'idempotency-key': 'reused-key' },
      payload: { name: 'Original' },
    });
    expect(otherPath.statusCode).toBe(422);
    expect(await campaignsNamed(team.teamId, 'Changed')).toHaveLength(0);
    expect((await world.db.selectFrom('campaigns').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name).toBe(
      'Original',
    );
  });

  it('used by another team is that team’s own key: never a replay of the first team’s answer', async () => {
    const mine = await post('/v1/campaigns', { name: 'Tenant A' }, 'shared-key');
    expect(mine.statusCode).toBe(201);
    const theirs = await post('/v1/campaigns', { name: 'Tenant A' }, 'shared-key', world.other.apiKey);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(json(theirs)['id']).not.toBe(json(mine)['id']);
    // Nor a 422 for a different body: whether another team used a key is not told.
    const theirsAgain = await post('/v1/campaigns', { name: 'Tenant B' }, 'shared-key-2', world.other.apiKey);
    const mineAgain = await post('/v1/campaigns', { name: 'Tenant A again' }, 'shared-key-2');
    expect([theirsAgain.statusCode, mineAgain.statusCode]).toEqual([201, 201]);
    expect(await campaignsNamed(world.other.teamId, 'Tenant A')).toHaveLength(1);
    expect(await campaignsNamed(team.teamId, 'Tenant A')).toHaveLength(1);
  });
});

describe('twenty requests at once with one key', () => {
  it('run once: the others wait for its commit and get its answer, replayed', async () => {
    const campaignId = await insertCampaign(world.db, team.teamId, 'Concurrent batch');
    const before = await usageOf(team.teamId);
    const body = { recipients: Array.from({ length: 20 }, (_, index) => ({ email: `same-${index}@example.com` })) };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(`/v1/campaigns/${campaignId}/recipients`, body, 'twenty-at-once')),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 20 }, () => 201));
    expect(responses.filter((response) => response.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    // Each a second run would have answered { added: 0, skipped: 20 }.
    for (const response of responses) expect(json(response)).toEqual({ added: 20, skipped: 0 });
    expect((await usageOf(team.teamId)) - before).toBe(20);
  });

  it('create one campaign, with an external_id too: the late ones do not meet a conflict of their own', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post('/v1/campaigns', { name: 'Raced', external_id: 'raced-1' }, 'raced-key')),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(Array.from({ length: 20 }, () => 201));
    expect(new Set(responses.map((response) => json(response)['id'])).size).toBe(1);
    expect(await campaignsNamed(team.teamId, 'Raced')).toHaveLength(1);
  });
});

describe('a malformed Idempotency-Key', () => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /is empty/],
    ['256 characters', 'k'.repeat(256), /is 256 characters long; the most is 255/],
    ['a space inside', 'two words', /holds a space at position 4/],
    ['a tab inside', 'tab\there', /holds U\+0009 at position 4/],
    ['a Latin-1 letter', 'caf\u00e9', /holds U\+00E9 at position 4/],
  ];
  for (const [what, key, detail] of cases) {
    it(`${what}: 400 invalid_idempotency_key naming the problem, and nothing created`, async () => {
      const response = await post('/v1/campaigns', { name: `Bad key: ${what}` }, key);
      expect(response.statusCode).toBe(400);
      expect(json(response)).toMatchObject({ code: 'invalid_idempotency_key' });
      expect(String(json(response)['detail'])).toMatch(detail);
      expect(await campaignsNamed(team.teamId, `Bad key: ${what}`)).toHaveLength(0);
    });
  }

  it('sent twice: 400 naming the repeat', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { ...bearer(team.apiKey), 'content-type': 'application/json', 'idempotency-key': ['one', 'two'] },
      payload: { name: 'Twice' },
    });
    expect(response.statusCode).toBe(400);
    expect(String(json(response)['detail'])).toMatch(/sent more than once/);
  });

  it('255 visible characters, or the same key quoted as a Structured Field string, are accepted as one key', async () => {
    const key = '!'.repeat(200) + '~'.repeat(55);
    expect((await post('/v1/campaigns', { name: 'Longest key' }, key)).statusCode).toBe(201);
    const quoted = await post('/v1/campaigns', { name: 'Longest key' }, `"${key}"`);
    expect(quoted.headers['idempotent-replayed']).toBe('true');
  });
});

describe('routes that take no key', () => {
  it('ignore one: a GET with a malformed key is answered as usual', async () => {
    const response = await app.inject({ url: '/v1/campaigns', headers: { ...bearer(team.apiKey), 'idempotency-key': '' } });
    expect(response.statusCode).toBe(200);
  });
});
