import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer, insertCampaign, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let auth: Record<string, string>;
let campaignId: number;

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
  // Deleting recipients refunds nothing; the tests start each with a fresh month instead.
  await world.db.deleteFrom('team_monthly_usage').execute();
  campaignId = await insertCampaign(world.db, world.demo.teamId, 'Newsletter', 'draft');
});

const add = (id: number, body: unknown, headers: Record<string, string> = auth) =>
  app.inject({
    method: 'POST',
    url: `/v1/campaigns/${id}/recipients`,
    headers: { ...headers, 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });

const list = (id: number, query = '', headers: Record<string, string> = auth) =>
  app.inject({ url: `/v1/campaigns/${id}/recipients${query}`, headers });

async function count(id: number): Promise<number> {
  const row = await world.db
    .selectFrom('recipients')
    .select((builder) => builder.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const body = json(response);
  expect(body).toMatchObject({ type: `/docs/errors#${code}`, status, code });
  return body;
}

function fieldErrors(body: Record<string, unknown>) {
  return (body['errors'] as Record<string, unknown>[]).map(({ pointer, location, code }) => ({ pointer, location, code }));
}

const email = (index: number) => `recipient-${String(index).padStart(5, '0')}@example.com`;

describe('POST /v1/campaigns/:id/recipients', () => {
  it('adds recipients: 201 with how many were added and skipped', async () => {
    const response = await add(campaignId, {
      recipients: [{ email: 'ada@example.com', name: 'Ada' }, { email: 'grace@example.com' }],
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual({ added: 2, skipped: 0 });

    const listed = json(await list(campaignId));
    expect(listed['next_cursor']).toBeNull();
    const data = listed['data'] as Record<string, unknown>[];
    expect(data.map((recipient) => Object.keys(recipient).sort())).toEqual([
      ['created_at', 'email', 'id', 'name'],
      ['created_at', 'email', 'id', 'name'],
    ]);
    expect(data.map(({ email: address, name }) => ({ email: address, name }))).toEqual([
      { email: 'ada@example.com', name: 'Ada' },
      { email: 'grace@example.com', name: null },
    ]);
  });

  it('skips addresses the campaign already has, ignoring case', async () => {
    expect(json(await add(campaignId, { recipients: [{ email: 'ada@example.com' }] }))).toEqual({ added: 1, skipped: 0 });

    const response = await add(campaignId, {
      recipients: [{ email: 'ADA@Example.com' }, { email: 'new@example.com' }],
    });
    expect(response.statusCode).toBe(201);
    expect(json(response)).toEqual({ added: 1, skipped: 1 });

    const emails = (json(await list(campaignId))['data'] as Record<string, unknown>[]).map((recipient) => recipient['email']);
    expect(emails).toEqual(['ada@example.com', 'new@example.com']);
  });

  it('refuses an address repeated within the batch, ignoring case, naming each repeat, and adds none', async () => {
    const response = await add(campaignId, {
      recipients: [
        { email: 'new@example.com' },
        { email: 'other@example.com' },
        { email: 'new@example.com', name: 'Again' },
        { email: 'New@Example.COM' },
        { email: 'OTHER@example.com' },
      ],
    });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrors(body)).toEqual([
      { pointer: '/recipients/2/email', location: 'body', code: 'invalid_parameter' },
      { pointer: '/recipients/3/email', location: 'body', code: 'invalid_parameter' },
      { pointer: '/recipients/4/email', location: 'body', code: 'invalid_parameter' },
    ]);
    expect((body['errors'] as Record<string, unknown>[]).map((error) => error['detail'])).toEqual([
      'repeats the address of /recipients/0/email (addresses are compared ignoring case)',
      'repeats the address of /recipients/0/email (addresses are compared ignoring case)',
      'repeats the address of /recipients/1/email (addresses are compared ignoring case)',
    ]);
    expect(body['detail']).toBe(
      '3 fields are missing or invalid: body /recipients/2/email repeats the address of /recipients/0/email (addresses are compared ignoring case); ' +
        'body /recipients/3/email repeats the address of /recipients/0/email (addresses are compared ignoring case); ' +
        'body /recipients/4/email repeats the address of /recipients/1/email (addresses are compared ignoring case).',
    );
    expect(await count(campaignId)).toBe(0);
  });

  it('names invalid and repeated addresses together, in order of the items', async () => {
    const response = await add(campaignId, {
      recipients: [
        { email: 'a@example.com' },
        { email: 'not an email' },
        { email: 'A@example.com' },
        { email: 'b@example.com', phone: '1' },
        { email: 'x@' },
      ],
    });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrors(body)).toEqual([
      { pointer: '/recipients/1/email', location: 'body', code: 'invalid_parameter' },
      { pointer: '/recipients/2/email', location: 'body', code: 'invalid_parameter' },
      { pointer: '/recipients/3/phone', location: 'body', code: 'invalid_parameter' },
      { pointer: '/recipients/4/email', location: 'body', code: 'invalid_parameter' },
    ]);
    expect(await count(campaignId)).toBe(0);
  });

  it('names at most 100 invalid items, and says how many there are', async () => {
    const recipients = Array.from({ length: 10_000 }, (_, index) =>
      index % 2 === 0 ? { email: `bad-${index}` } : { email: 'same@example.com' },
    );
    const body = expectProblem(await add(campaignId, { recipients }), 400, 'invalid_parameter');
    const errors = fieldErrors(body);
    expect(errors).toHaveLength(100);
    expect(errors.slice(0, 3).map((error) => error.pointer)).toEqual([
      '/recipients/0/email',
      '/recipients/2/email',
      '/recipients/3/email',
    ]);
    // 5,000 invalid addresses and 4,999 repeats of the first valid one.
    expect(body['detail']).toMatch(/^9999 fields are missing or invalid: .* \(and 9989 more\)\.$/);
    expect(await count(campaignId)).toBe(0);
  });

  it('says a batch too large to check in full lists the first failing field only, with the repeats', async () => {
    // 9,000 items of three members each and an unknown one: 36,001 values, over the 32,000 checked in full.
    const recipients = Array.from({ length: 9000 }, (_, index) => ({
      email: index === 8999 ? 'recipient-00000@example.com' : email(index),
      name: 'N',
      note: 'an unknown member',
    }));
    const body = expectProblem(await add(campaignId, { recipients }), 400, 'invalid_parameter');
    // The schema's first failure, and the address item 8,999 repeats.
    expect(fieldErrors(body).map((error) => error.pointer)).toEqual(['/recipients/0/note', '/recipients/8999/email']);
    expect(body['detail']).toMatch(
      /^2 fields are missing or invalid: .*\. The body is too large to check every field in one pass: this is the first failure found, others may follow\.$/,
    );
    expect(await count(campaignId)).toBe(0);
  });

  it('lets two campaigns hold the same address', async () => {
    const second = await insertCampaign(world.db, world.demo.teamId, 'Second');
    expect(json(await add(campaignId, { recipients: [{ email: 'ada@example.com' }] }))).toEqual({ added: 1, skipped: 0 });
    expect(json(await add(second, { recipients: [{ email: 'ada@example.com' }] }))).toEqual({ added: 1, skipped: 0 });
  });

  it('names each invalid email by its index, and adds none of the batch', async () => {
    const response = await add(campaignId, {
      recipients: [{ email: 'fine@example.com' }, { email: 'also-fine@example.com' }, { email: 'not an email' }, { email: 'x@' }],
    });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrors(body)).toEqual([
      { pointer: '/recipients/2/email', location: 'body', code: 'invalid_parameter' },
      { pointer: '/recipients/3/email', location: 'body', code: 'invalid_parameter' },
    ]);
    expect(body['detail']).toContain('/recipients/2/email');
    expect(await count(campaignId)).toBe(0);
  });

  it('names a missing email and an unknown field', async () => {
    const response = await add(campaignId, { recipients: [{ email: 'a@example.com' }, { name: 'No address', phone: '1' }] });
    const body = expectProblem(response, 400, 'missing_parameter');
    expect(fieldErrors(body)).toEqual([
      { pointer: '/recipients/1/email', location: 'body', code: 'missing_parameter' },
      { pointer: '/recipients/1/phone', location: 'body', code: 'invalid_parameter' },
    ]);
    expect(await count(campaignId)).toBe(0);
  });

  it.each([
    ['an empty list', { recipients: [] }, 'invalid_parameter', '/recipients'],
    ['no list', {}, 'missing_parameter', '/recipients'],
    ['a list that is an object', { recipients: { email: 'a@example.com' } }, 'invalid_parameter', '/recipients'],
    [
      'an email over 254 characters',
      { recipients: [{ email: `${'a'.repeat(250)}@example.com` }] },
      'invalid_parameter',
      '/recipients/0/email',
    ],
    ['an empty name', { recipients: [{ email: 'a@example.com', name: '' }] }, 'invalid_parameter', '/recipients/0/name'],
  ])('refuses %s', async (_name, body, code, pointer) => {
    const response = await add(campaignId, body);
    const problem = expectProblem(response, 400, code);
    expect(fieldErrors(problem).map((field) => field.pointer)).toContain(pointer);
    expect(await count(campaignId)).toBe(0);
  });

  it('adds 10,000 recipients in one request of more than 1 MiB, and lists them all', async () => {
    const recipients = Array.from({ length: 10_000 }, (_, index) => ({
      email: email(index),
      name: `Recipient number ${index} with a fairly long name, to make the body large`,
    }));
    const payload = JSON.stringify({ recipients });
    // Bigger than the app-wide 1 MiB limit, within the 5 MiB this route allows.
    expect(Buffer.byteLength(payload)).toBeGreaterThan(1024 * 1024);

    const response = await add(campaignId, payload);
    expect(response.statusCode).toBe(201);
    expect(json(response)).toEqual({ added: 10_000, skipped: 0 });
    expect(await count(campaignId)).toBe(10_000);

    const seen: string[] = [];
    let query = '?limit=100';
    for (let page = 0; page < 101; page += 1) {
      const body = json(await list(campaignId, query));
      seen.push(...(body['data'] as Record<string, string>[]).map((recipient) => recipient['email'] as string));
      if (body['next_cursor'] === null) break;
      query = `?limit=100&cursor=${encodeURIComponent(body['next_cursor'] as string)}`;
    }
    expect(seen).toHaveLength(10_000);
    expect(seen).toEqual(recipients.map((recipient) => recipient.email));

    // The same batch again adds nothing.
    expect(json(await add(campaignId, payload))).toEqual({ added: 0, skipped: 10_000 });
    expect(await count(campaignId)).toBe(10_000);
  });

  it('refuses 10,001 recipients and adds none', async () => {
    const recipients = Array.from({ length: 10_001 }, (_, index) => ({ email: email(index) }));
    const response = await add(campaignId, { recipients });
    const body = expectProblem(response, 400, 'invalid_parameter');
    expect(fieldErrors(body)).toEqual([{ pointer: '/recipients', location: 'body', code: 'invalid_parameter' }]);
    expect((body['errors'] as Record<string, unknown>[])[0]?.['detail']).toBe('must NOT have more than 10000 items');
    expect(await count(campaignId)).toBe(0);
  });

  it('refuses a body over the 5 MiB of this route with 413 request_too_large', async () => {
    const payload = JSON.stringify({ recipients: [{ email: 'a@example.com', name: 'x'.repeat(5 * 1024 * 1024) }] });
    const body = expectProblem(await add(campaignId, payload), 413, 'request_too_large');
    expect(body['detail']).toBe(`The body is larger than the ${5 * 1024 * 1024} bytes this endpoint accepts.`);
    expect(await count(campaignId)).toBe(0);
  });

  it("refuses to add to another team's campaign with 404 missing_dependent_data, and inserts nothing", async () => {
    const theirs = await insertCampaign(world.db, world.other.teamId, 'Theirs', 'active');
    const response = await add(theirs, { recipients: [{ email: 'intruder@example.com' }] });
    const body = expectProblem(response, 404, 'missing_dependent_data');
    expect(body['detail']).toBe(`No campaign of your team has id ${theirs}, so it has no recipients.`);
    expect(await count(theirs)).toBe(0);

    // Answered exactly as a campaign that does not exist.
    const absent = await add(theirs + 1000, { recipients: [{ email: 'intruder@example.com' }] });
    expectProblem(absent, 404, 'missing_dependent_data');
    expect(String(json(absent)['detail']).replace(String(theirs + 1000), '<id>')).toBe(
      String(body['detail']).replace(String(theirs), '<id>'),
    );

    // Their own key may add to it.
    expect(json(await add(theirs, { recipients: [{ email: 'member@example.com' }] }, bearer(world.other.apiKey)))).toEqual({
      added: 1,
      skipped: 0,
    });
  });
});

describe('GET /v1/campaigns/:id/recipients', () => {
  it("does not list another team's recipients", async () => {
    const theirs = await insertCampaign(world.db, world.other.teamId, 'Theirs');
    await world.db
      .insertInto('recipients')
      .values({ campaign_id: theirs, email: 'secret@example.com', name: null, created_at: new Date().toISOString() })
      .execute();
    const response = await list(theirs);
    expectProblem(response, 404, 'missing_dependent_data');
    expect(response.body).not.toContain('secret@example.com');
  });

  it('pages with limit and cursor, and refuses a bad cursor', async () => {
    await add(campaignId, { recipients: [0, 1, 2].map((index) => ({ email: email(index) })) });
    const first = json(await list(campaignId, '?limit=2'));
    expect((first['data'] as unknown[]).length).toBe(2);
    const second = json(await list(campaignId, `?limit=2&cursor=${first['next_cursor']}`));
    expect((second['data'] as Record<string, unknown>[]).map((recipient) => recipient['email'])).toEqual([email(2)]);
    expect(second['next_cursor']).toBeNull();

    const bad = expectProblem(await list(campaignId, '?cursor=nope'), 400, 'invalid_parameter');
    expect(fieldErrors(bad)).toEqual([{ pointer: '/cursor', location: 'query', code: 'invalid_parameter' }]);
    const tooMany = expectProblem(await list(campaignId, '?limit=101'), 400, 'invalid_parameter');
    expect(fieldErrors(tooMany)).toEqual([{ pointer: '/limit', location: 'query', code: 'invalid_parameter' }]);
  });
});
