/**
 * Campaign fields, PATCH (JSON merge patch), conditional requests (ETag,
 * If-Match, If-None-Match), external_id conflicts and the status filter:
 * every error from its real condition, in every profile, on both databases.
 */
import type { ProfileName } from '@faultline/core';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import type { KyselyPlugin, QueryId, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { bearer, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
const apps = {} as Record<ProfileName, FastifyInstance>;
const profileNames: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
let auth: Record<string, string>;

beforeAll(async () => {
  world = await openWorld();
  for (const profile of profileNames) apps[profile] = await world.app(profile);
  app = apps.problem;
  auth = bearer(world.demo.apiKey);
});

afterAll(async () => {
  await world.close();
});

beforeEach(async () => {
  await world.db.deleteFrom('campaigns').execute();
});

const campaignKeys = ['created_at', 'external_id', 'id', 'name', 'scheduled_at', 'sender', 'status', 'updated_at'];
const future = (days = 30) => new Date(Date.now() + days * 86_400_000).toISOString();
const etagPattern = /^"c\d+-v\d+"$/;

function request(
  method: NonNullable<InjectOptions['method']>,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): InjectOptions {
  return {
    method,
    url,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  };
}

const send = (options: InjectOptions, on: FastifyInstance = app) => on.inject(options);
const create = (body: unknown, headers?: Record<string, string>) => send(request('POST', '/v1/campaigns', body, headers));
const patch = (id: number, body: unknown, headers?: Record<string, string>) =>
  send(request('PATCH', `/v1/campaigns/${id}`, body, headers));
const get = (id: number | string, headers?: Record<string, string>) =>
  send(request('GET', `/v1/campaigns/${id}`, undefined, headers));
const del = (id: number, headers?: Record<string, string>) => send(request('DELETE', `/v1/campaigns/${id}`, undefined, headers));

async function created(
  body: Record<string, unknown> = { name: 'Spring' },
): Promise<{ id: number; etag: string; body: Record<string, unknown> }> {
  const response = await create(body);
  expect(response.statusCode, response.body).toBe(201);
  return { id: json(response)['id'] as number, etag: response.headers['etag'] as string, body: json(response) };
}

const row = (id: number) => world.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
const count = async () => (await world.db.selectFrom('campaigns').select('id').execute()).length;

const reasons: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed' };
/** OAuth2 renames these; everything else keeps its code. */
const oauthCodes: Record<string, string> = {
  invalid_parameter: 'invalid_request',
  missing_parameter: 'invalid_request',
  unspecified_error: 'invalid_request',
};

interface Expected {
  status: number;
  code: string;
  detail: RegExp;
  errors?: { pointer: string; location: string; code: string }[];
  headers?: Record<string, string | RegExp>;
  extensions?: Record<string, unknown>;
}

/** Checks one error response against what `profile` writes: status, content type, exact members, headers. */
function expectError(response: LightMyRequestResponse, profile: ProfileName, expected: Expected): Record<string, unknown> {
  const where = `${profile}: ${response.body}`;
  expect(response.statusCode, where).toBe(expected.status);
  const body = json(response);
  const requestId = response.headers['x-request-id'];
  expect(requestId, where).toEqual(expect.any(String));
  const fields = expected.errors === undefined ? [] : ['errors'];
  const contentType = profile === 'problem' ? 'application/problem+json' : 'application/json';
  expect(response.headers['content-type'], where).toBe(contentType);
  let detail: unknown;
  switch (profile) {
    case 'problem':
      expect(Object.keys(body).sort(), where).toEqual(
        [
          'code',
          'detail',
          'request_id',
          'status',
          'time',
          'title',
          'type',
          ...fields,
          ...Object.keys(expected.extensions ?? {}),
        ].sort(),
      );
      expect(body).toMatchObject({
        type: `/docs/errors#${expected.code}`,
        status: expected.status,
        code: expected.code,
        request_id: requestId,
        ...expected.extensions,
      });
      detail = body['detail'];
      break;
    case 'classic':
      // Seed 000's body is exactly these three members; the failing fields are named in the message.
      expect(Object.keys(body).sort(), where).toEqual(['code', 'error', 'time']);
      expect(body['code']).toBe(expected.code);
      detail = body['error'];
      for (const field of expected.errors ?? [])
        expect(String(detail).toLowerCase(), where).toContain(field.pointer.split('/').pop() as string);
      break;
    case 'message':
      expect(Object.keys(body).sort(), where).toEqual(['code', 'description', 'message', 'request_id', ...fields].sort());
      expect(body).toMatchObject({ code: expected.code, message: reasons[expected.status], request_id: requestId });
      detail = body['description'];
      break;
    case 'oauth': {
      expect(Object.keys(body).sort(), where).toEqual(['error', 'error_description', 'error_uri', ...fields].sort());
      const code = oauthCodes[expected.code] ?? expected.code;
      expect(body).toMatchObject({ error: code, error_uri: `/docs/errors#${code}` });
      // RFC 6749 allows only some characters in error_description: quotes are replaced.
      expect(String(body['error_description'])).toMatch(/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/);
      detail = String(body['error_description']);
      break;
    }
  }
  if (profile !== 'oauth') expect(detail, where).toMatch(expected.detail);
  if (expected.errors !== undefined && profile !== 'classic') {
    const listed = body['errors'] as Record<string, unknown>[];
    // A field breaking two keywords (type and enum) is listed once per keyword; the test compares the fields.
    const unique = [...new Map(listed.map((field) => [`${String(field['pointer'])} ${String(field['code'])}`, field])).values()];
    expect(
      unique.map(({ pointer, location, code }) => ({ pointer, location, code })),
      where,
    ).toEqual(expected.errors);
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    if (value instanceof RegExp) expect(response.headers[name], `${where} header ${name}`).toMatch(value);
    else expect(response.headers[name], `${where} header ${name}`).toBe(value);
  }
  return body;
}

/** Sends the same request to the app of every profile and checks each answer. */
async function expectInEveryProfile(make: () => InjectOptions, expected: Expected): Promise<void> {
  for (const profile of profileNames) expectError(await apps[profile].inject(make()), profile, expected);
}

describe('campaign fields', () => {
  it('creates with every field, answers them with an ETag, and reads them back the same', async () => {
    const response = await create({
      name: 'Spring',
      external_id: 'crm:spring-2027.A_1',
      scheduled_at: '2099-03-01T10:00:00.123456+02:00',
      sender: { email: 'news@example.com', name: 'Newsletter' },
    });
    expect(response.statusCode).toBe(201);
    const body = json(response);
    expect(Object.keys(body).sort()).toEqual(campaignKeys);
    expect(body).toMatchObject({
      name: 'Spring',
      status: 'draft',
      external_id: 'crm:spring-2027.A_1',
      scheduled_at: '2099-03-01T08:00:00.123Z',
      sender: { email: 'news@example.com', name: 'Newsletter' },
    });
    expect(response.headers['etag']).toMatch(etagPattern);
    expect(response.headers['etag']).toBe(`"c${body['id']}-v1"`);
    expect(response.headers['location']).toBe(`/v1/campaigns/${body['id']}`);

    const fetched = await get(body['id'] as number);
    expect(fetched.statusCode).toBe(200);
    expect(json(fetched)).toEqual(body);
    expect(fetched.headers['etag']).toBe(response.headers['etag']);
  });

  it('answers null for what was not given, and a sender without a name as name null', async () => {
    const { body } = await created({ name: 'Bare', sender: { email: 'a@example.com' } });
    expect(body).toMatchObject({ external_id: null, scheduled_at: null, sender: { email: 'a@example.com', name: null } });
    const { body: plain } = await created({ name: 'Plain', scheduled_at: null, sender: null });
    expect(plain).toMatchObject({ external_id: null, scheduled_at: null, sender: null });
  });

  it.each([
    ['an external_id with a space', { external_id: 'a b' }, '/external_id', 'invalid_parameter'],
    ['an external_id of 65 characters', { external_id: 'x'.repeat(65) }, '/external_id', 'invalid_parameter'],
    ['an empty external_id', { external_id: '' }, '/external_id', 'invalid_parameter'],
    ['a null external_id', { external_id: null }, '/external_id', 'invalid_parameter'],
    ['a scheduled_at without a time zone', { scheduled_at: '2099-01-01T10:00:00' }, '/scheduled_at', 'invalid_parameter'],
    ['a scheduled_at that is a date only', { scheduled_at: '2099-01-01' }, '/scheduled_at', 'invalid_parameter'],
    ['a scheduled_at on February 30', { scheduled_at: '2099-02-30T10:00:00Z' }, '/scheduled_at', 'invalid_parameter'],
    ['a scheduled_at that is a number', { scheduled_at: 4_000_000_000_000 }, '/scheduled_at', 'invalid_parameter'],
    ['a sender email that is not one', { sender: { email: 'not-an-email' } }, '/sender/email', 'invalid_parameter'],
    [
      'a sender email over 254 characters',
      { sender: { email: `${'a'.repeat(250)}@example.com` } },
      '/sender/email',
      'invalid_parameter',
    ],
    ['a sender without an email', { sender: { name: 'Ann' } }, '/sender/email', 'missing_parameter'],
    [
      'a sender with an unknown field',
      { sender: { email: 'a@example.com', reply_to: 'b@example.com' } },
      '/sender/reply_to',
      'invalid_parameter',
    ],
    [
      'a sender name of 201 characters',
      { sender: { email: 'a@example.com', name: 'n'.repeat(201) } },
      '/sender/name',
      'invalid_parameter',
    ],
    ['a sender that is a string', { sender: 'a@example.com' }, '/sender', 'invalid_parameter'],
    ['a status, which create does not take', { status: 'active' }, '/status', 'invalid_parameter'],
    ['a version, which no request takes', { version: 3 }, '/version', 'invalid_parameter'],
  ])('refuses %s, naming the field, and creates nothing', async (_name, extra, pointer, code) => {
    await expectInEveryProfile(() => request('POST', '/v1/campaigns', { name: 'Bad', ...extra }), {
      status: 400,
      code,
      detail: new RegExp(pointer),
      errors: [{ pointer, location: 'body', code }],
    });
    expect(await count()).toBe(0);
  });

  it('refuses a scheduled_at in the past with unspecified_error, in every profile', async () => {
    await expectInEveryProfile(() => request('POST', '/v1/campaigns', { name: 'Late', scheduled_at: '2020-01-01T00:00:00Z' }), {
      status: 400,
      code: 'unspecified_error',
      detail: /^scheduled_at 2020-01-01T00:00:00\.000Z is in the past; schedule the campaign after now/,
    });
    expect(await count()).toBe(0);
  });
});

describe('external_id', () => {
  it('answers a second create with the same external_id with 409 conflict naming it and the campaign that has it', async () => {
    const first = await created({ name: 'First', external_id: 'crm-1' });
    const url = `/v1/campaigns/${first.id}`;
    for (const profile of profileNames) {
      const response = await apps[profile].inject(request('POST', '/v1/campaigns', { name: 'Again', external_id: 'crm-1' }));
      expectError(response, profile, {
        status: 409,
        code: 'conflict',
        detail: new RegExp(`^Your team already uses external_id "crm-1" by campaign ${first.id} \\(${url}\\)\\.`),
        ...(profile === 'problem' ? { extensions: { existing_campaign: url } } : {}),
      });
    }
    expect(await count()).toBe(1);
    expect((await row(first.id))?.name).toBe('First');
  });

  it('lets another team use the same external_id, and a team reuse it once the campaign is deleted', async () => {
    const mine = await created({ name: 'Mine', external_id: 'shared' });
    const theirs = await send({
      ...request('POST', '/v1/campaigns', { name: 'Theirs', external_id: 'shared' }),
      headers: { ...bearer(world.other.apiKey), 'content-type': 'application/json' },
    });
    expect(theirs.statusCode).toBe(201);
    expect(json(theirs)['external_id']).toBe('shared');
    expect((await del(mine.id)).statusCode).toBe(204);
    expect((await create({ name: 'Mine again', external_id: 'shared' })).statusCode).toBe(201);
  });

  it('lets any number of campaigns go without an external_id', async () => {
    for (let index = 0; index < 3; index += 1) await created({ name: `No id ${index}` });
    expect(await count()).toBe(3);
  });

  it('creates exactly one campaign when creates with the same external_id race', async () => {
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, index) => create({ name: `Racer ${index}`, external_id: 'race' })),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = json(responses.find((response) => response.statusCode === 201) as LightMyRequestResponse);
    for (const response of responses.filter((candidate) => candidate.statusCode === 409)) {
      expect(json(response)['existing_campaign']).toBe(`/v1/campaigns/${winner['id']}`);
    }
    expect(await count()).toBe(1);
  });
});

describe('PATCH /v1/campaigns/:id', () => {
  it('merges: changes what is sent, keeps what is not, removes what is null, and raises the ETag', async () => {
    const start = await created({
      name: 'Old',
      external_id: 'p-1',
      scheduled_at: future(10),
      sender: { email: 'a@example.com', name: 'Ann' },
    });
    const when = future(20);
    const response = await patch(start.id, { name: 'New', scheduled_at: when, sender: { name: 'Annie' } });
    expect(response.statusCode).toBe(200);
    const body = json(response);
    expect(body).toEqual({
      ...start.body,
      name: 'New',
      scheduled_at: when,
      sender: { email: 'a@example.com', name: 'Annie' },
      updated_at: expect.any(String),
    });
    expect(Date.parse(body['updated_at'] as string)).toBeGreaterThanOrEqual(Date.parse(start.body['updated_at'] as string));
    expect(response.headers['etag']).toBe(`"c${start.id}-v2"`);
    expect(json(await get(start.id))).toEqual(body);

    const cleared = await patch(start.id, { scheduled_at: null, sender: { name: null } });
    expect(json(cleared)).toMatchObject({ name: 'New', scheduled_at: null, sender: { email: 'a@example.com', name: null } });
    expect(cleared.headers['etag']).toBe(`"c${start.id}-v3"`);

    const noSender = await patch(start.id, { sender: null });
    expect(json(noSender)).toMatchObject({ sender: null, external_id: 'p-1' });
    expect(noSender.headers['etag']).toBe(`"c${start.id}-v4"`);
  });

  it('answers a patch that changes nothing with 200 and the same ETag', async () => {
    const start = await created({ name: 'Same', scheduled_at: future(5) });
    const response = await patch(start.id, { name: 'Same', scheduled_at: start.body['scheduled_at'], status: 'draft' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['etag']).toBe(start.etag);
    expect(json(response)).toEqual(start.body);
    expect((await row(start.id))?.version).toBe(1);
  });

  it('archives, and then refuses to un-archive or change it, with unspecified_error in every profile', async () => {
    const { id } = await created({ name: 'Done' });
    const archived = await patch(id, { status: 'archived' });
    expect(archived.statusCode).toBe(200);
    expect(json(archived)['status']).toBe('archived');
    expect((await patch(id, { status: 'archived' })).statusCode).toBe(200);

    await expectInEveryProfile(() => request('PATCH', `/v1/campaigns/${id}`, { status: 'active' }), {
      status: 400,
      code: 'unspecified_error',
      detail: new RegExp(`^Campaign ${id} is archived, and archiving is final: it cannot become active again\\.`),
    });
    await expectInEveryProfile(() => request('PATCH', `/v1/campaigns/${id}`, { name: 'Renamed' }), {
      status: 400,
      code: 'unspecified_error',
      detail: new RegExp(`^Campaign ${id} is archived, and an archived campaign cannot be changed\\.`),
    });
    await expectInEveryProfile(() => request('POST', `/v1/campaigns/${id}/resume`), {
      status: 400,
      code: 'unspecified_error',
      detail: new RegExp(`^Campaign ${id} is archived; only draft or paused campaigns can be resumed\\.$`),
    });
    expect(await row(id)).toMatchObject({ status: 'archived', name: 'Done', version: 2 });
  });

  it.each([
    ['draft', 'paused', 'active or archived'],
    ['active', 'draft', 'paused or archived'],
    ['paused', 'draft', 'active or archived'],
  ] as const)('refuses to move a %s campaign to %s', async (from, to, allowed) => {
    const { id } = await created({ name: 'Moving' });
    if (from !== 'draft') await world.db.updateTable('campaigns').set({ status: from }).where('id', '=', id).execute();
    const response = await patch(id, { status: to });
    expectError(response, 'problem', {
      status: 400,
      code: 'unspecified_error',
      detail: new RegExp(`^Campaign ${id} is ${from}; it can become ${allowed}, not ${to}\\.$`),
    });
    expect((await row(id))?.status).toBe(from);
  });

  it('moves draft → active → paused → active → archived', async () => {
    const { id } = await created({ name: 'Lifecycle' });
    for (const status of ['active', 'paused', 'active', 'archived'] as const) {
      const response = await patch(id, { status });
      expect(response.statusCode, response.body).toBe(200);
      expect(json(response)['status']).toBe(status);
    }
    expect((await row(id))?.version).toBe(5);
  });

  it('refuses a scheduled_at in the past with unspecified_error, in every profile, and keeps the campaign', async () => {
    const { id } = await created({ name: 'Sched' });
    await expectInEveryProfile(() => request('PATCH', `/v1/campaigns/${id}`, { scheduled_at: '2001-09-09T01:46:40Z' }), {
      status: 400,
      code: 'unspecified_error',
      detail: /^scheduled_at 2001-09-09T01:46:40\.000Z is in the past/,
    });
    expect((await row(id))?.version).toBe(1);
  });

  it('asks for /sender/email when the campaign has no sender yet, in every profile', async () => {
    const { id } = await created({ name: 'No sender' });
    await expectInEveryProfile(() => request('PATCH', `/v1/campaigns/${id}`, { sender: { name: 'Ann' } }), {
      status: 400,
      code: 'missing_parameter',
      detail: /\/sender\/email is required/,
      errors: [{ pointer: '/sender/email', location: 'body', code: 'missing_parameter' }],
    });
    expect(await row(id)).toMatchObject({ sender_email: null, sender_name: null, version: 1 });
  });

  it.each([
    ['an empty body', {}, '', 'invalid_parameter'],
    ['an unknown field', { colour: 'red' }, '/colour', 'invalid_parameter'],
    ['external_id, which cannot change', { external_id: 'x' }, '/external_id', 'invalid_parameter'],
    ['an unknown status', { status: 'deleted' }, '/status', 'invalid_parameter'],
    ['a null name', { name: null }, '/name', 'invalid_parameter'],
    ['a null status', { status: null }, '/status', 'invalid_parameter'],
    ['a null sender email', { sender: { email: null } }, '/sender/email', 'invalid_parameter'],
    ['an empty name', { name: '' }, '/name', 'invalid_parameter'],
    ['a bad scheduled_at', { scheduled_at: 'tomorrow' }, '/scheduled_at', 'invalid_parameter'],
  ])('refuses %s with 400, naming it, in every profile', async (_name, body, pointer, code) => {
    const { id } = await created({ name: 'Target' });
    await expectInEveryProfile(() => request('PATCH', `/v1/campaigns/${id}`, body), {
      status: 400,
      code,
      detail: /./,
      errors: [{ pointer, location: 'body', code }],
    });
    expect((await row(id))?.version).toBe(1);
  });

  it('answers a campaign of another team, or none, with 404 not_found in every profile, If-Match or not', async () => {
    const theirs = (
      await world.db
        .insertInto('campaigns')
        .values({ team_id: world.other.teamId, name: 'Theirs', status: 'draft', created_at: future(0), updated_at: future(0) })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    for (const [id, headers] of [
      [theirs, {}],
      [theirs, { 'if-match': '*' }],
      [theirs, { 'if-match': `"c${theirs}-v1"` }],
      [999_999, { 'if-match': '"c999999-v1"' }],
    ] as const) {
      await expectInEveryProfile(() => request('PATCH', `/v1/campaigns/${id}`, { name: 'Mine now' }, headers), {
        status: 404,
        code: 'not_found',
        detail: new RegExp(`^No campaign of your team has id ${id}\\.$`),
      });
    }
    expect((await row(theirs))?.name).toBe('Theirs');
  });

  it.each(['abc', '0', '1.5', '2147483648'])('answers id %s with 400 invalid_parameter at /id in the path', async (id) => {
    await expectInEveryProfile(() => request('PATCH', `/v1/campaigns/${id}`, { name: 'x' }), {
      status: 400,
      code: 'invalid_parameter',
      detail: /\/id/,
      errors: [{ pointer: '/id', location: 'path', code: 'invalid_parameter' }],
    });
  });
});

describe('If-Match on PATCH and DELETE', () => {
  it('applies a PATCH whose If-Match names the current ETag, in a list, or is *', async () => {
    const { id, etag } = await created({ name: 'v1' });
    const second = await patch(id, { name: 'v2' }, { 'if-match': etag });
    expect(second.statusCode).toBe(200);
    expect(second.headers['etag']).toBe(`"c${id}-v2"`);
    const third = await patch(id, { name: 'v3' }, { 'if-match': `"other", ${second.headers['etag']} , ,"c${id}-v1"` });
    expect(third.statusCode).toBe(200);
    const fourth = await patch(id, { name: 'v4' }, { 'if-match': '*' });
    expect(fourth.statusCode).toBe(200);
    expect(fourth.headers['etag']).toBe(`"c${id}-v4"`);
  });

  it('answers a stale If-Match with 412 precondition_failed carrying the current ETag, in every profile, and changes nothing', async () => {
    const { id, etag } = await created({ name: 'Original' });
    const moved = await patch(id, { name: 'Moved on' });
    const current = moved.headers['etag'] as string;
    expect(current).not.toBe(etag);
    for (const make of [
      () => request('PATCH', `/v1/campaigns/${id}`, { name: 'Stale write' }, { 'if-match': etag }),
      () => request('DELETE', `/v1/campaigns/${id}`, undefined, { 'if-match': etag }),
      // If-Match compares strongly: a weak tag never matches, even the current one.
      () => request('PATCH', `/v1/campaigns/${id}`, { name: 'Weak write' }, { 'if-match': `W/${current}` }),
    ]) {
      await expectInEveryProfile(make, {
        status: 412,
        code: 'precondition_failed',
        detail: new RegExp(`^Campaign ${id} changed since you read it: its current ETag is ${current}.*GET /v1/campaigns/${id}`),
        headers: { etag: current },
      });
    }
    expect(await row(id)).toMatchObject({ name: 'Moved on', version: 2 });
  });

  it('checks If-Match before the business rules: a stale ETag is a 412 even for a refused change', async () => {
    const { id, etag } = await created({ name: 'Rules' });
    await patch(id, { status: 'archived' });
    const response = await patch(id, { status: 'active' }, { 'if-match': etag });
    expect(response.statusCode).toBe(412);
    expect(response.headers['etag']).toBe(`"c${id}-v2"`);
  });

  it.each([
    ['an unquoted tag', 'c1-v1'],
    ['an empty value', ''],
    ['only commas', ' , ,'],
    ['* in a list', '*, "c1-v1"'],
    ['a tag with a space inside', '"c1 v1"'],
    ['a lower-case weak prefix', 'w/"c1-v1"'],
  ])('answers a malformed If-Match (%s) with 400 invalid_parameter naming the header, in every profile', async (_name, value) => {
    const { id } = await created({ name: 'Header' });
    for (const method of ['PATCH', 'DELETE'] as const) {
      await expectInEveryProfile(
        () => request(method, `/v1/campaigns/${id}`, method === 'PATCH' ? { name: 'x' } : undefined, { 'if-match': value }),
        {
          status: 400,
          code: 'invalid_parameter',
          detail:
            /^One field is missing or invalid: header \/if-match must be \* or a comma-separated list of quoted entity tags/,
          errors: [{ pointer: '/if-match', location: 'header', code: 'invalid_parameter' }],
        },
      );
    }
    expect(await row(id)).toMatchObject({ name: 'Header', version: 1 });
  });

  it('answers an If-Match over 1024 characters with 400 invalid_parameter at /if-match', async () => {
    const { id } = await created({ name: 'Long' });
    const response = await patch(id, { name: 'x' }, { 'if-match': `"${'a'.repeat(1030)}"` });
    expectError(response, 'problem', {
      status: 400,
      code: 'invalid_parameter',
      detail: /if-match/,
      errors: [{ pointer: '/if-match', location: 'header', code: 'invalid_parameter' }],
    });
  });

  it('deletes with a matching If-Match or *, and answers 404 after', async () => {
    const first = await created({ name: 'One' });
    expect((await del(first.id, { 'if-match': first.etag })).statusCode).toBe(204);
    expect(await row(first.id)).toBeUndefined();
    expectError(await del(first.id, { 'if-match': '*' }), 'problem', {
      status: 404,
      code: 'not_found',
      detail: /^No campaign of your team has id/,
    });
    const second = await created({ name: 'Two' });
    expect((await del(second.id, { 'if-match': '*' })).statusCode).toBe(204);
  });

  it.each([2, 8])('lets exactly one of %i PATCHes racing with the same If-Match win; the others get 412', async (racers) => {
    const { id, etag } = await created({ name: 'Race' });
    const responses = await Promise.all(
      Array.from({ length: racers }, (_, index) => patch(id, { name: `Racer ${index}` }, { 'if-match': etag })),
    );
    const winners = responses.filter((response) => response.statusCode === 200);
    const losers = responses.filter((response) => response.statusCode !== 200);
    expect(winners).toHaveLength(1);
    for (const loser of losers) {
      expect(loser.statusCode).toBe(412);
      expect(json(loser)['code']).toBe('precondition_failed');
      expect(loser.headers['etag']).toBe(`"c${id}-v2"`);
    }
    const winner = json(winners[0] as LightMyRequestResponse);
    expect(await row(id)).toMatchObject({ name: winner['name'], version: 2 });
  });

  it('applies every one of racing PATCHes without If-Match: none is lost', async () => {
    const { id } = await created({ name: 'Crowd' });
    const racers = 6;
    const responses = await Promise.all(Array.from({ length: racers }, (_, index) => patch(id, { name: `Writer ${index}` })));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(racers).fill(200));
    const tags = responses.map((response) => response.headers['etag']);
    expect(new Set(tags).size).toBe(racers);
    expect((await row(id))?.version).toBe(1 + racers);
  });

  it('lets exactly one of a PATCH and a DELETE racing with the same If-Match win', async () => {
    const { id, etag } = await created({ name: 'Duel' });
    const [patched, deleted] = await Promise.all([
      patch(id, { name: 'Patched' }, { 'if-match': etag }),
      del(id, { 'if-match': etag }),
    ]);
    const statuses = [patched.statusCode, deleted.statusCode];
    if (deleted.statusCode === 204) {
      // The PATCH lost: it found the campaign at another version (412) or gone (404).
      expect([404, 412]).toContain(patched.statusCode);
      expect(await row(id)).toBeUndefined();
    } else {
      expect(statuses).toEqual([200, 412]);
      expect(await row(id)).toMatchObject({ name: 'Patched', version: 2 });
    }
  });
});

/**
 * Another writer slipping in between a request's read of the campaign and its
 * write: after the first `SELECT … FROM campaigns` the armed plugin answers,
 * the row is changed behind the request's back. On SQLite the write is queued
 * behind the connection the request holds, so it runs before the request's
 * UPDATE; on PostgreSQL it is awaited on another pooled connection.
 */
describe('a write between the read and the update', () => {
  let armed: { id: number; done?: Promise<unknown> } | undefined;
  let interfered: FastifyInstance;
  const campaignSelects = new Set<QueryId>();

  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }): RootOperationNode {
      const from = (node as { kind: string; from?: { froms?: { table?: { identifier?: { name?: string } } }[] } }).from;
      if (node.kind === 'SelectQueryNode' && from?.froms?.[0]?.table?.identifier?.name === 'campaigns')
        campaignSelects.add(queryId);
      return node;
    },
    async transformResult({ result, queryId }) {
      if (armed === undefined || armed.done !== undefined || !campaignSelects.delete(queryId)) return result;
      const write = world.db
        .updateTable('campaigns')
        .set((eb) => ({ name: 'Sneaky', version: eb('version', '+', 1) }))
        .where('id', '=', armed.id)
        .execute();
      armed.done = write;
      if (world.dialect === 'postgres') await write;
      return result;
    },
  };

  beforeAll(async () => {
    interfered = await buildApp({ db: world.db.withPlugin(plugin) });
    await interfered.ready();
  });

  afterAll(async () => {
    await interfered.close();
  });

  async function interfere(id: number, make: () => InjectOptions): Promise<LightMyRequestResponse> {
    armed = { id };
    try {
      const response = await interfered.inject(make());
      await armed.done;
      expect(armed.done, 'the plugin interfered').toBeDefined();
      return response;
    } finally {
      armed = undefined;
    }
  }

  it('turns a PATCH whose If-Match matched at read time into a 412 with the new ETag', async () => {
    const { id, etag } = await created({ name: 'Before' });
    const response = await interfere(id, () => request('PATCH', `/v1/campaigns/${id}`, { name: 'Mine' }, { 'if-match': etag }));
    expectError(response, 'problem', {
      status: 412,
      code: 'precondition_failed',
      detail: new RegExp(`its current ETag is "c${id}-v2"`),
      headers: { etag: `"c${id}-v2"` },
    });
    expect(await row(id)).toMatchObject({ name: 'Sneaky', version: 2 });
  });

  it('reapplies a PATCH without If-Match on top of the other write: nothing is lost', async () => {
    const { id } = await created({ name: 'Before', sender: { email: 'a@example.com' } });
    const response = await interfere(id, () => request('PATCH', `/v1/campaigns/${id}`, { sender: { name: 'Ann' } }));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['etag']).toBe(`"c${id}-v3"`);
    expect(json(response)).toMatchObject({ name: 'Sneaky', sender: { email: 'a@example.com', name: 'Ann' } });
    expect(await row(id)).toMatchObject({ name: 'Sneaky', sender_name: 'Ann', version: 3 });
  });

  it('keeps a campaign whose DELETE If-Match matched at read time, with 412', async () => {
    const { id, etag } = await created({ name: 'Before' });
    const response = await interfere(id, () => request('DELETE', `/v1/campaigns/${id}`, undefined, { 'if-match': etag }));
    expectError(response, 'problem', {
      status: 412,
      code: 'precondition_failed',
      detail: /changed since you read it/,
      headers: { etag: `"c${id}-v2"` },
    });
    expect(await row(id)).toMatchObject({ name: 'Sneaky', version: 2 });
  });
});

describe('GET with If-None-Match', () => {
  it('answers 304 with the ETag and no body when a tag matches (weak comparison, lists, *)', async () => {
    const { id, etag } = await created({ name: 'Cached' });
    for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, `W/"x" ,, W/${etag}`, '*']) {
      const response = await get(id, { 'if-none-match': value });
      expect(response.statusCode, value).toBe(304);
      expect(response.headers['etag']).toBe(etag);
      expect(response.body).toBe('');
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
    }
  });

  it('answers HEAD like GET: the ETag, and 304 when it matches', async () => {
    const { id, etag } = await created({ name: 'Head' });
    const plain = await send(request('HEAD', `/v1/campaigns/${id}`));
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['etag']).toBe(etag);
    expect(plain.body).toBe('');
    const cached = await send(request('HEAD', `/v1/campaigns/${id}`, undefined, { 'if-none-match': etag }));
    expect(cached.statusCode).toBe(304);
    expect(cached.headers['etag']).toBe(etag);
  });

  it('answers 200 with the campaign when no tag matches, e.g. after a change', async () => {
    const { id, etag } = await created({ name: 'Changes' });
    await patch(id, { name: 'Changed' });
    const response = await get(id, { 'if-none-match': etag });
    expect(response.statusCode).toBe(200);
    expect(response.headers['etag']).toBe(`"c${id}-v2"`);
    expect(json(response)['name']).toBe('Changed');
  });

  it('answers 404 for a campaign of another team whatever If-None-Match says', async () => {
    const response = await get(999_999, { 'if-none-match': '*' });
    expectError(response, 'problem', { status: 404, code: 'not_found', detail: /999999/ });
  });

  it('answers a malformed If-None-Match with 400 invalid_parameter naming the header, in every profile', async () => {
    const { id } = await created({ name: 'Bad header' });
    await expectInEveryProfile(() => request('GET', `/v1/campaigns/${id}`, undefined, { 'if-none-match': 'c1-v1' }), {
      status: 400,
      code: 'invalid_parameter',
      detail:
        /^One field is missing or invalid: header \/if-none-match must be \* or a comma-separated list of quoted entity tags/,
      errors: [{ pointer: '/if-none-match', location: 'header', code: 'invalid_parameter' }],
    });
  });
});

describe('pause and resume versions', () => {
  it('raise the ETag when they change the campaign and keep it when they repeat', async () => {
    const { id, etag } = await created({ name: 'Versions' });
    const resumed = await send(request('POST', `/v1/campaigns/${id}/resume`));
    expect(resumed.headers['etag']).toBe(`"c${id}-v2"`);
    expect(resumed.headers['etag']).not.toBe(etag);
    const again = await send(request('POST', `/v1/campaigns/${id}/resume`));
    expect(again.statusCode).toBe(200);
    expect(again.headers['etag']).toBe(`"c${id}-v2"`);
    const paused = await send(request('POST', `/v1/campaigns/${id}/pause`));
    expect(paused.headers['etag']).toBe(`"c${id}-v3"`);
    const pausedAgain = await send(request('POST', `/v1/campaigns/${id}/pause`));
    expect(pausedAgain.statusCode).toBe(200);
    expect(json(pausedAgain)).toEqual(json(paused));
    expect(pausedAgain.headers['etag']).toBe(`"c${id}-v3"`);
    // The old ETag is stale now.
    expect((await patch(id, { name: 'x' }, { 'if-match': etag })).statusCode).toBe(412);
  });
});

describe('GET /v1/campaigns?status=', () => {
  it('keeps only the campaigns in that status, across pages', async () => {
    const ids: number[] = [];
    for (let index = 0; index < 5; index += 1) ids.push((await created({ name: `C${index}` })).id);
    for (const id of ids.filter((_, index) => index % 2 === 0)) await patch(id, { status: 'active' });
    const seen: number[] = [];
    let url = '/v1/campaigns?status=active&limit=2';
    for (let page = 0; page < 5; page += 1) {
      const body = json(await send(request('GET', url)));
      seen.push(...(body['data'] as { id: number; status: string }[]).map((campaign) => campaign.id));
      for (const campaign of body['data'] as { status: string }[]) expect(campaign.status).toBe('active');
      if (body['next_cursor'] === null) break;
      url = `/v1/campaigns?status=active&limit=2&cursor=${body['next_cursor'] as string}`;
    }
    expect(seen).toEqual([ids[0], ids[2], ids[4]]);
    expect(json(await send(request('GET', '/v1/campaigns?status=archived')))).toEqual({ data: [], next_cursor: null });
  });

  it('refuses an unknown status with invalid_parameter at /status in the query, in every profile', async () => {
    await expectInEveryProfile(() => request('GET', '/v1/campaigns?status=deleted'), {
      status: 400,
      code: 'invalid_parameter',
      detail: /\/status/,
      errors: [{ pointer: '/status', location: 'query', code: 'invalid_parameter' }],
    });
  });
});

// --- Property: random creates and patches keep the state consistent ------------------------------

type Status = 'draft' | 'active' | 'paused' | 'archived';
interface Model {
  name: string;
  external_id: string | null;
  status: Status;
  scheduled_at: string | null;
  sender: { email: string; name: string | null } | null;
}

const allowedMoves: Record<Status, Status[]> = {
  draft: ['active', 'archived'],
  active: ['paused', 'archived'],
  paused: ['active', 'archived'],
  archived: [],
};

const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 10 });
const validName = fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), fc.constant('x'.repeat(200)), fc.constant('Ünïcødé 🦄'));
const validEmail = fc.tuple(word, word).map(([local, domain]) => `${local}@${domain}.example`);
/** A future time written in several RFC 3339 ways, with what the API stores for it. */
const validTime = fc
  .tuple(
    fc.integer({ min: 1, max: 5_000 }),
    fc.constantFrom('Z', 'z', '+02:00', '-05:30', '+0100'),
    fc.constantFrom('T', ' '),
    fc.boolean(),
  )
  .map(([days, zone, separator, fraction]) => {
    const instant = new Date(Date.UTC(2030, 0, 1) + days * 86_400_000 + 1234);
    const offset = zone === '+02:00' ? 120 : zone === '-05:30' ? -330 : zone === '+0100' ? 60 : 0;
    const local = new Date(instant.getTime() + offset * 60_000).toISOString();
    const text = `${local.slice(0, 10)}${separator}${local.slice(11, fraction ? 23 : 19)}${zone}`;
    const stored = fraction ? instant.toISOString() : new Date(Math.floor(instant.getTime() / 1000) * 1000).toISOString();
    return { text, stored };
  });

/** A field value and whether the schema accepts it. */
const invalidName = fc.constantFrom('', 'x'.repeat(201), 5, null, ['a'], { name: 'x' });
const invalidTime = fc.constantFrom('2099-01-01', '2099-13-01T00:00:00Z', 'soon', 0, '2099-01-01T00:00:00', 'x'.repeat(40));
const pastTime = fc.constantFrom('2000-01-01T00:00:00Z', '1999-12-31T23:59:59.999+00:00', '2020-06-01 12:00:00Z');
const invalidEmail = fc.constantFrom('nope', '@example.com', 'a@', 'a b@example.com', `${'a'.repeat(250)}@example.com`, 7);

type Patch = {
  body: Record<string, unknown>;
  schemaValid: boolean;
  past: boolean;
  stored: Partial<Record<'scheduled_at', string | null>>;
};

const patchArbitrary: fc.Arbitrary<Patch> = fc
  .record(
    {
      name: fc.oneof(
        { weight: 4, arbitrary: validName.map((value) => ({ value, ok: true })) },
        { weight: 1, arbitrary: invalidName.map((value) => ({ value, ok: false })) },
      ),
      scheduled_at: fc.oneof(
        { weight: 3, arbitrary: validTime.map(({ text, stored }) => ({ value: text, ok: true, stored, past: false })) },
        { weight: 1, arbitrary: fc.constant({ value: null, ok: true, stored: null, past: false }) },
        { weight: 1, arbitrary: pastTime.map((value) => ({ value, ok: true, stored: null, past: true })) },
        { weight: 1, arbitrary: invalidTime.map((value) => ({ value, ok: false, stored: null, past: false })) },
      ),
      sender: fc.oneof(
        { weight: 1, arbitrary: fc.constant({ value: null as unknown, ok: true }) },
        {
          weight: 4,
          arbitrary: fc
            .record(
              {
                email: fc.oneof(
                  { weight: 4, arbitrary: validEmail.map((value) => ({ value, ok: true })) },
                  { weight: 1, arbitrary: invalidEmail.map((value) => ({ value, ok: false })) },
                ),
                name: fc.oneof(
                  validName.map((value) => ({ value, ok: true })),
                  fc.constant({ value: null, ok: true }),
                  invalidName.filter((value) => value !== null).map((value) => ({ value, ok: false })),
                ),
              },
              { requiredKeys: [] },
            )
            .map((fields) => ({
              value: Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.value])) as unknown,
              ok: Object.values(fields).every((field) => field.ok),
            })),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            { value: 'a@example.com' as unknown, ok: false },
            { value: { email: 'a@example.com', extra: 1 } as unknown, ok: false },
          ),
        },
      ),
      status: fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .constantFrom<Status>('draft', 'active', 'paused', 'archived')
            .map((value) => ({ value: value as unknown, ok: true })),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom({ value: 'deleted' as unknown, ok: false }, { value: null as unknown, ok: false }),
        },
      ),
      colour: fc.constant({ value: 'red', ok: false }),
      external_id: fc.constant({ value: 'nope', ok: false }),
    },
    { requiredKeys: [] },
  )
  .map((fields) => {
    const body = Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, field.value]));
    const schemaValid = Object.keys(fields).length > 0 && Object.values(fields).every((field) => field.ok);
    const scheduled = fields.scheduled_at;
    return {
      body,
      schemaValid,
      past: scheduled?.past === true,
      stored: scheduled === undefined ? {} : { scheduled_at: scheduled.stored },
    };
  });

/** What a valid patch does to the model: the next state, or 'refused' for a business rule. */
function applyPatch(model: Model, patchToApply: Patch): Model | 'refused' {
  const body = patchToApply.body as { name?: string; status?: Status; sender?: { email?: string; name?: string | null } | null };
  const next: Model = { ...model, sender: model.sender === null ? null : { ...model.sender } };
  if (body.name !== undefined) next.name = body.name;
  if (body.status !== undefined) next.status = body.status;
  if ('scheduled_at' in patchToApply.stored) {
    const stored = patchToApply.stored.scheduled_at ?? null;
    if (patchToApply.past || stored !== model.scheduled_at) {
      if (patchToApply.past) return 'refused';
      next.scheduled_at = stored;
    }
  }
  if (body.sender === null) next.sender = null;
  else if (body.sender !== undefined) {
    const email = body.sender.email ?? model.sender?.email;
    if (email === undefined) return 'refused';
    next.sender = { email, name: 'name' in body.sender ? (body.sender.name ?? null) : (model.sender?.name ?? null) };
  }
  const same = JSON.stringify(next) === JSON.stringify(model);
  if (same) return model;
  if (model.status === 'archived') return 'refused';
  if (next.status !== model.status && !allowedMoves[model.status].includes(next.status)) return 'refused';
  return next;
}

const createArbitrary = fc.record(
  {
    name: validName,
    external_id: fc.oneof(word, fc.constant('A.b_c:d-1'), fc.constant('z'.repeat(64))),
    scheduled_at: fc.oneof(validTime, fc.constant(null)),
    sender: fc.oneof(fc.constant(null), fc.record({ email: validEmail, name: validName }, { requiredKeys: ['email'] })),
  },
  { requiredKeys: ['name'] },
);

describe('property: creates and merge patches', () => {
  it('keeps the campaign consistent: refused requests change nothing, accepted ones read back exactly', async () => {
    await fc.assert(
      fc.asyncProperty(createArbitrary, fc.array(patchArbitrary, { minLength: 1, maxLength: 8 }), async (input, patches) => {
        await world.db.deleteFrom('campaigns').execute();
        const scheduled =
          input.scheduled_at === undefined || input.scheduled_at === null ? input.scheduled_at : input.scheduled_at.text;
        const createBody = { ...input, ...(scheduled === undefined ? {} : { scheduled_at: scheduled }) };
        const createResponse = await create(createBody);
        expect(createResponse.statusCode, createResponse.body).toBe(201);
        const id = json(createResponse)['id'] as number;
        let model: Model = {
          name: input.name,
          external_id: input.external_id ?? null,
          status: 'draft',
          scheduled_at: input.scheduled_at === undefined || input.scheduled_at === null ? null : input.scheduled_at.stored,
          sender:
            input.sender === undefined || input.sender === null
              ? null
              : { email: input.sender.email, name: input.sender.name ?? null },
        };
        let version = 1;
        expect(json(createResponse)).toMatchObject(model);

        for (const step of patches) {
          const before = await row(id);
          const response = await patch(id, step.body);
          const expected = step.schemaValid ? applyPatch(model, step) : 'refused';
          if (expected === 'refused') {
            expect(response.statusCode, `${JSON.stringify(step.body)} → ${response.body}`).toBe(400);
            expect(await row(id)).toEqual(before);
            continue;
          }
          expect(response.statusCode, `${JSON.stringify(step.body)} → ${response.body}`).toBe(200);
          if (expected !== model) version += 1;
          model = expected;
          expect(response.headers['etag']).toBe(`"c${id}-v${version}"`);
          const fetched = await get(id);
          expect(json(fetched)).toEqual({ ...json(response) });
          expect(json(fetched)).toMatchObject(model);
          expect(fetched.headers['etag']).toBe(`"c${id}-v${version}"`);
        }
        expect((await row(id))?.version).toBe(version);
      }),
      { numRuns: 40 },
    );
  });

  it('creates nothing for an invalid create body', async () => {
    const invalid = fc.oneof(
      fc.record({ name: invalidName }),
      fc.record({ name: validName, external_id: fc.constantFrom('', 'has space', 'x'.repeat(65), 'é', null, 1) }),
      fc.record({ name: validName, scheduled_at: fc.oneof(invalidTime, pastTime) }),
      fc.record({
        name: validName,
        sender: fc.oneof(fc.record({ email: invalidEmail }), fc.constant({}), fc.constant('a@example.com')),
      }),
      fc.record({ name: validName, status: fc.constant('active') }),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (body) => {
        const response = await create(body);
        expect(response.statusCode, `${JSON.stringify(body)} → ${response.body}`).toBe(400);
        expect(await count()).toBe(0);
      }),
      { numRuns: 60 },
    );
  });
});
