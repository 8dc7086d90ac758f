import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, insertCampaign, json, openWorld, type World } from './support.js';

const campaignKeys = ['created_at', 'external_id', 'id', 'name', 'scheduled_at', 'sender', 'status', 'updated_at'];
const problemKeys = ['code', 'detail', 'request_id', 'status', 'time', 'title', 'type'];

let world: World;
let app: FastifyInstance;
let auth: Record<string, string>;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
  auth = bearer(world.demo.apiKey);
});

afterAll(async () => {
  await world.close();
});

beforeEach(async () => {
  await world.db.deleteFrom('campaigns').execute();
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });
const del = (url: string) => app.inject({ method: 'DELETE', url, headers: auth });
const post = (url: string, body?: unknown) =>
  app.inject({
    method: 'POST',
    url,
    headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

async function create(name: string): Promise<Record<string, unknown>> {
  const response = await post('/v1/campaigns', { name });
  expect(response.statusCode).toBe(201);
  return json(response);
}

const statusOf = async (id: number) =>
  (await world.db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirst())?.status;

function expectProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const body = json(response);
  expect(body).toMatchObject({ type: `/docs/errors#${code}`, status, code, request_id: response.headers['x-request-id'] });
  return body;
}

function expectFieldError(
  response: LightMyRequestResponse,
  code: 'invalid_parameter' | 'missing_parameter',
  errors: { pointer: string; location: string; code: string }[],
  detailNamesFields = true,
): Record<string, unknown> {
  const body = expectProblem(response, 400, code);
  expect(Object.keys(body).sort()).toEqual([...problemKeys, 'errors'].sort());
  const listed = body['errors'] as Record<string, unknown>[];
  expect(listed.map(({ pointer, location, code: fieldCode }) => ({ pointer, location, code: fieldCode }))).toEqual(errors);
  for (const field of listed) expect(typeof field['detail']).toBe('string');
  if (detailNamesFields) for (const { pointer } of errors) expect(body['detail']).toContain(pointer);
  return body;
}

describe('POST /v1/campaigns', () => {
  it('creates a draft campaign of the caller team: 201 with Location and the campaign', async () => {
    const response = await post('/v1/campaigns', { name: 'Spring launch' });
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = json(response);
    expect(Object.keys(body).sort()).toEqual(campaignKeys);
    expect(body).toMatchObject({ name: 'Spring launch', status: 'draft' });
    expect(body['id']).toEqual(expect.any(Number));
    expect(body['created_at']).toBe(body['updated_at']);
    expect(new Date(body['created_at'] as string).toISOString()).toBe(body['created_at']);
    expect(response.headers['location']).toBe(`/v1/campaigns/${body['id']}`);

    const row = await world.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', body['id'] as number)
      .executeTakeFirstOrThrow();
    expect(row.team_id).toBe(world.demo.teamId);

    const fetched = await get(response.headers['location'] as string);
    expect(fetched.statusCode).toBe(200);
    expect(json(fetched)).toEqual(body);
  });

  it('names an unknown body field', async () => {
    const response = await post('/v1/campaigns', { name: 'Spring', colour: 'green' });
    const body = expectFieldError(response, 'invalid_parameter', [
      { pointer: '/colour', location: 'body', code: 'invalid_parameter' },
    ]);
    expect((body['errors'] as Record<string, unknown>[])[0]?.['detail']).toBe('is not a field this operation accepts');
    expect(await world.db.selectFrom('campaigns').select('id').execute()).toEqual([]);
  });

  it('answers missing_parameter for a missing name', async () => {
    const response = await post('/v1/campaigns', {});
    const body = expectFieldError(response, 'missing_parameter', [
      { pointer: '/name', location: 'body', code: 'missing_parameter' },
    ]);
    expect((body['errors'] as Record<string, unknown>[])[0]?.['detail']).toBe('is required');
  });

  it('lists every failing field at once, missing first', async () => {
    const response = await post('/v1/campaigns', { title: 'x', colour: 'y' });
    expectFieldError(response, 'missing_parameter', [
      { pointer: '/name', location: 'body', code: 'missing_parameter' },
      { pointer: '/title', location: 'body', code: 'invalid_parameter' },
      { pointer: '/colour', location: 'body', code: 'invalid_parameter' },
    ]);
  });

  it.each([
    ['a number', 5],
    ['a boolean', true],
    ['an empty string', ''],
    ['a string over 200 characters', 'x'.repeat(201)],
    ['null', null],
    ['an array', ['a']],
  ])('refuses a name that is %s', async (_name, name) => {
    const response = await post('/v1/campaigns', { name });
    expectFieldError(response, 'invalid_parameter', [{ pointer: '/name', location: 'body', code: 'invalid_parameter' }]);
  });

  it('accepts a name of exactly 200 characters', async () => {
    expect((await create('x'.repeat(200)))['name']).toBe('x'.repeat(200));
  });

  it('refuses a body that is not an object', async () => {
    const response = await post('/v1/campaigns', ['name']);
    expectFieldError(response, 'invalid_parameter', [{ pointer: '', location: 'body', code: 'invalid_parameter' }]);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'name=Spring',
    });
    expectProblem(response, 415, 'invalid_content_type');
  });
});

describe('GET /v1/campaigns', () => {
  it('pages through the caller team campaigns only, in id order', async () => {
    const mine = [];
    for (let index = 0; index < 5; index += 1) mine.push(await create(`Mine ${index}`));
    for (let index = 0; index < 3; index += 1) await insertCampaign(world.db, world.other.teamId, `Theirs ${index}`);

    const seen: Record<string, unknown>[] = [];
    const cursors: (string | null)[] = [];
    let url = '/v1/campaigns?limit=2';
    for (let page = 0; page < 10; page += 1) {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      const body = json(response);
      expect(Object.keys(body).sort()).toEqual(['data', 'next_cursor']);
      const data = body['data'] as Record<string, unknown>[];
      expect(data.length).toBeLessThanOrEqual(2);
      seen.push(...data);
      const next = body['next_cursor'] as string | null;
      cursors.push(next);
      if (next === null) break;
      expect(next).toMatch(/^[A-Za-z0-9_-]+$/);
      url = `/v1/campaigns?limit=2&cursor=${encodeURIComponent(next)}`;
    }
    expect(cursors.map((cursor) => cursor === null)).toEqual([false, false, true]);
    expect(seen).toEqual(mine);
  });

  it('has no next page when the last page is exactly full', async () => {
    await create('One');
    await create('Two');
    const body = json(await get('/v1/campaigns?limit=2'));
    expect((body['data'] as unknown[]).length).toBe(2);
    expect(body['next_cursor']).toBeNull();
  });

  it('returns 20 campaigns by default', async () => {
    for (let index = 0; index < 21; index += 1) await insertCampaign(world.db, world.demo.teamId, `C${index}`);
    const body = json(await get('/v1/campaigns'));
    expect((body['data'] as unknown[]).length).toBe(20);
    expect(body['next_cursor']).toEqual(expect.any(String));
  });

  it('returns an empty page for a team without campaigns', async () => {
    await insertCampaign(world.db, world.other.teamId, 'Theirs');
    const response = await get('/v1/campaigns');
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({ data: [], next_cursor: null });
  });

  it.each([
    ['not base64 of a cursor', 'zzz'],
    ['a cursor with a non-numeric id', Buffer.from('id:abc').toString('base64url')],
    ['a cursor with a negative id', Buffer.from('id:-1').toString('base64url')],
    ['a cursor of another shape', Buffer.from('offset:20').toString('base64url')],
  ])('refuses %s with invalid_parameter at /cursor in the query', async (_name, cursor) => {
    const response = await get(`/v1/campaigns?cursor=${encodeURIComponent(cursor)}`);
    const body = expectFieldError(
      response,
      'invalid_parameter',
      [{ pointer: '/cursor', location: 'query', code: 'invalid_parameter' }],
      false,
    );
    expect(body['detail']).toBe(
      'One field is missing or invalid: query /cursor is not a cursor this API returned: use the next_cursor of the previous page, or leave it out.',
    );
  });

  it.each([
    ['over 100', '101'],
    ['zero', '0'],
    ['not a number', 'abc'],
    ['a fraction', '1.5'],
    ['given twice', '1&limit=2'],
  ])('refuses a limit %s, naming /limit in the query', async (_name, limit) => {
    const response = await get(`/v1/campaigns?limit=${limit}`);
    expectFieldError(response, 'invalid_parameter', [{ pointer: '/limit', location: 'query', code: 'invalid_parameter' }]);
  });

  it('accepts a limit of 100', async () => {
    expect((await get('/v1/campaigns?limit=100')).statusCode).toBe(200);
  });

  it('names an unknown query parameter', async () => {
    const response = await get('/v1/campaigns?page=2');
    expectFieldError(response, 'invalid_parameter', [{ pointer: '/page', location: 'query', code: 'invalid_parameter' }]);
  });
});

describe('GET and DELETE /v1/campaigns/:id', () => {
  it('deletes a campaign: 204 without a body, then 404', async () => {
    const campaign = await create('To delete');
    const url = `/v1/campaigns/${campaign['id']}`;
    const deleted = await del(url);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(deleted.headers['x-request-id']).toEqual(expect.any(String));

    expectProblem(await get(url), 404, 'not_found');
    expectProblem(await del(url), 404, 'not_found');
    expect(await statusOf(campaign['id'] as number)).toBeUndefined();
  });

  it('deletes the recipients of a deleted campaign', async () => {
    const campaign = await create('With recipients');
    const added = await post(`/v1/campaigns/${campaign['id']}/recipients`, { recipients: [{ email: 'a@example.com' }] });
    expect(added.statusCode).toBe(201);
    expect((await del(`/v1/campaigns/${campaign['id']}`)).statusCode).toBe(204);
    expect(await world.db.selectFrom('recipients').select('id').execute()).toEqual([]);
  });

  it.each([
    ['GET', 'abc'],
    ['GET', '1.5'],
    ['GET', '0'],
    ['GET', '-1'],
    ['GET', '2147483648'],
    ['DELETE', 'abc'],
    ['POST', 'abc/pause'],
    ['POST', 'abc/resume'],
    ['GET', 'abc/recipients'],
  ])('%s with id %s answers 400 invalid_parameter at /id in the path', async (method, rest) => {
    const response = await app.inject({ method: method as 'GET', url: `/v1/campaigns/${rest}`, headers: auth });
    expectFieldError(response, 'invalid_parameter', [{ pointer: '/id', location: 'path', code: 'invalid_parameter' }]);
  });

  it('answers a campaign of another team exactly as one that does not exist', async () => {
    const theirs = await insertCampaign(world.db, world.other.teamId, 'Theirs', 'active');
    const absent = theirs + 1000;

    const normalise = (response: LightMyRequestResponse, id: number) => {
      const { request_id: _id, time: _time, ...rest } = json(response);
      return {
        status: response.statusCode,
        headers: Object.keys(response.headers).sort(),
        ...rest,
        detail: String(rest['detail']).replace(String(id), '<id>'),
      };
    };
    const forTheirs = await get(`/v1/campaigns/${theirs}`);
    const forAbsent = await get(`/v1/campaigns/${absent}`);
    const body = expectProblem(forTheirs, 404, 'not_found');
    expect(Object.keys(body).sort()).toEqual(problemKeys);
    expect(body['detail']).toBe(`No campaign of your team has id ${theirs}.`);
    expect(normalise(forTheirs, theirs)).toEqual(normalise(forAbsent, absent));
    expect(forTheirs.body).not.toContain('Theirs');

    // Their key sees it.
    const asOwner = await app.inject({ url: `/v1/campaigns/${theirs}`, headers: bearer(world.other.apiKey) });
    expect(asOwner.statusCode).toBe(200);
    expect(json(asOwner)['name']).toBe('Theirs');
  });

  it("does not delete another team's campaign", async () => {
    const theirs = await insertCampaign(world.db, world.other.teamId, 'Theirs', 'active');
    const response = await del(`/v1/campaigns/${theirs}`);
    const body = expectProblem(response, 404, 'not_found');
    expect(body['detail']).toBe(`No campaign of your team has id ${theirs}.`);
    expect(await statusOf(theirs)).toBe('active');
  });
});

describe('POST /v1/campaigns/:id/pause and /resume', () => {
  const act = async (id: unknown, action: 'pause' | 'resume') => post(`/v1/campaigns/${id}/${action}`);

  it('moves a campaign draft → active → paused → active', async () => {
    const campaign = await create('Lifecycle');
    const id = campaign['id'] as number;

    const resumed = await act(id, 'resume');
    expect(resumed.statusCode).toBe(200);
    expect(Object.keys(json(resumed)).sort()).toEqual(campaignKeys);
    expect(json(resumed)).toMatchObject({ id, name: 'Lifecycle', status: 'active', created_at: campaign['created_at'] });
    expect(await statusOf(id)).toBe('active');

    const paused = await act(id, 'pause');
    expect(paused.statusCode).toBe(200);
    expect(json(paused)).toMatchObject({ id, status: 'paused' });
    expect(await statusOf(id)).toBe('paused');

    const again = await act(id, 'resume');
    expect(json(again)).toMatchObject({ id, status: 'active' });
  });

  it('answers a repeated pause with 200 and the same campaign, without changing it', async () => {
    const id = await insertCampaign(world.db, world.demo.teamId, 'Twice', 'active');
    const first = await act(id, 'pause');
    expect(first.statusCode).toBe(200);
    expect(json(first)['status']).toBe('paused');
    const second = await act(id, 'pause');
    expect(second.statusCode).toBe(200);
    expect(json(second)).toEqual(json(first));
  });

  it('answers a repeated resume with 200', async () => {
    const id = await insertCampaign(world.db, world.demo.teamId, 'Running', 'active');
    const response = await act(id, 'resume');
    expect(response.statusCode).toBe(200);
    expect(json(response)['status']).toBe('active');
  });

  it.each([
    ['resume', 'archived', 'Campaign <id> is archived; only draft or paused campaigns can be resumed.'],
    ['pause', 'archived', 'Campaign <id> is archived; only active campaigns can be paused.'],
    ['pause', 'draft', 'Campaign <id> is draft; only active campaigns can be paused.'],
  ] as const)('refuses to %s a campaign that is %s with 400 unspecified_error', async (action, status, detail) => {
    const id = await insertCampaign(world.db, world.demo.teamId, 'Stuck', status);
    const response = await act(id, action);
    const body = expectProblem(response, 400, 'unspecified_error');
    expect(Object.keys(body).sort()).toEqual(problemKeys);
    expect(body['title']).toBe('Request rejected');
    expect(body['detail']).toBe(detail.replace('<id>', String(id)));
    expect(await statusOf(id)).toBe(status);
  });

  it('writes the refusal as invalid_request under the oauth profile', async () => {
    const oauth = await world.app('oauth');
    const id = await insertCampaign(world.db, world.demo.teamId, 'Archived', 'archived');
    const response = await oauth.inject({ method: 'POST', url: `/v1/campaigns/${id}/resume`, headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/json');
    expect(json(response)).toEqual({
      error: 'invalid_request',
      error_description: `Campaign ${id} is archived; only draft or paused campaigns can be resumed.`,
      error_uri: '/docs/errors#invalid_request',
    });
  });

  it.each(['pause', 'resume'] as const)(
    'answers %s of a nonexistent campaign with 404 missing_dependent_data',
    async (action) => {
      const response = await act(999_999, action);
      const body = expectProblem(response, 404, 'missing_dependent_data');
      expect(Object.keys(body).sort()).toEqual(problemKeys);
      expect(body['title']).toBe('Target not found');
      expect(body['detail']).toBe(`Cannot ${action} campaign 999999: no campaign of your team has this id.`);
    },
  );

  it.each([
    ['pause', 'active'],
    ['resume', 'draft'],
    ['resume', 'paused'],
  ] as const)("does not %s another team's %s campaign", async (action, status) => {
    const theirs = await insertCampaign(world.db, world.other.teamId, 'Theirs', status);
    const before = await world.db.selectFrom('campaigns').selectAll().where('id', '=', theirs).executeTakeFirstOrThrow();
    const response = await act(theirs, action);
    const body = expectProblem(response, 404, 'missing_dependent_data');
    expect(body['detail']).toBe(`Cannot ${action} campaign ${theirs}: no campaign of your team has this id.`);
    expect(await world.db.selectFrom('campaigns').selectAll().where('id', '=', theirs).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('does not read a body', async () => {
    const id = await insertCampaign(world.db, world.demo.teamId, 'No body', 'draft');
    const response = await app.inject({ method: 'POST', url: `/v1/campaigns/${id}/resume`, headers: auth });
    expect(response.statusCode).toBe(200);
  });
});
