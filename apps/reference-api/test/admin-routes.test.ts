/**
 * The admin routes: users and API keys of the caller's team, and nothing of
 * another team's.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
});

afterAll(async () => {
  await world.close();
});

function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, key = world.demo.apiKey) {
  return app.inject({
    method,
    url,
    headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

describe('users', () => {
  it('adds a user with a Location, lists only the team’s users, and never shows a password hash', async () => {
    const created = await send('POST', '/v1/users', {
      email: 'New.Person@Example.com',
      name: 'New person',
      role: 'member',
      password: 'a long enough password',
    });
    expect(created.statusCode).toBe(201);
    const user = json(created);
    expect(created.headers['location']).toBe(`/v1/users/${user['id']}`);
    expect(user).toEqual({
      id: expect.any(Number),
      email: 'new.person@example.com',
      name: 'New person',
      role: 'member',
      disabled: false,
      created_at: expect.any(String),
    });
    const list = json(await send('GET', '/v1/users'));
    const emails = (list['data'] as { email: string }[]).map((each) => each.email);
    expect(emails).toContain('new.person@example.com');
    expect(emails).toContain(world.demo.email);
    expect(emails).not.toContain('other@example.com');
    expect(JSON.stringify(list)).not.toContain('scrypt');
  });

  it('answers 409 conflict for an email already used, in any case and in any team, and adds nothing', async () => {
    const before = await world.db.selectFrom('users').select('id').execute();
    const response = await send('POST', '/v1/users', { email: 'OTHER@example.com', name: 'Copy', role: 'member' });
    expect(response.statusCode).toBe(409);
    expect(json(response)['code']).toBe('conflict');
    expect(json(response)['detail']).toBe('A user with the email other@example.com already exists.');
    expect(json(response)['detail']).not.toMatch(/team/i);
    expect(await world.db.selectFrom('users').select('id').execute()).toHaveLength(before.length);
  });

  it('answers 404 for another team’s user, and changes nothing', async () => {
    const response = await send('PATCH', `/v1/users/${world.other.userId}`, { disabled: true });
    expect(response.statusCode).toBe(404);
    expect(json(response)['detail']).toBe(`No user of your team has id ${world.other.userId}.`);
    const other = await world.db
      .selectFrom('users')
      .select('disabled_at')
      .where('id', '=', world.other.userId)
      .executeTakeFirstOrThrow();
    expect(other.disabled_at).toBeNull();
  });

  it.each([
    [{ email: 'x@example.com', name: 'X' }, ['/role'], 'missing_parameter'],
    [{ email: 'x@example.com', name: 'X', role: 'owner' }, ['/role'], 'invalid_parameter'],
    [{ email: 'x@example.com', name: 'X', role: 'member', password: 'short' }, ['/password'], 'invalid_parameter'],
    [{ email: 'x@example.com', name: 'X'.repeat(201), role: 'member' }, ['/name'], 'invalid_parameter'],
    [{ email: 'x@example.com', name: 'X', role: 'member', admin: true }, ['/admin'], 'invalid_parameter'],
  ])('refuses the bad user %j, naming %j', async (body, pointers, code) => {
    const response = await send('POST', '/v1/users', body);
    expect(response.statusCode).toBe(400);
    expect(json(response)['code']).toBe(code);
    expect((json(response)['errors'] as { pointer: string }[]).map((error) => error.pointer)).toEqual(pointers);
  });

  it('refuses an empty change and a non-numeric id', async () => {
    const empty = await send('PATCH', `/v1/users/${world.demo.userId}`, {});
    expect(empty.statusCode).toBe(400);
    expect(json(empty)['detail']).toMatch(/must NOT have fewer than 1 properties|at least one/);
    const wrongId = await send('PATCH', '/v1/users/abc', { name: 'X' });
    expect(wrongId.statusCode).toBe(400);
    expect((json(wrongId)['errors'] as { pointer: string }[])[0]?.pointer).toBe('/id');
  });
});

describe('API keys', () => {
  it('issues a key shown once, which works; lists it by prefix without its secret; revokes it', async () => {
    const created = await send('POST', '/v1/api-keys', { label: 'CI deploys', access: 'read_only' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const key = json(created);
    expect(key['key']).toMatch(/^flk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key['prefix']).toBe((key['key'] as string).split('_').slice(0, 2).join('_'));
    expect(key['access']).toBe('read_only');
    expect(key['user_id']).toBe(world.demo.userId);
    expect((await send('GET', '/v1/campaigns', undefined, key['key'] as string)).statusCode).toBe(200);

    const list = await send('GET', '/v1/api-keys');
    const listed = (json(list)['data'] as Record<string, unknown>[]).find((each) => each['id'] === key['id']);
    expect(listed).toEqual({ ...key, key: undefined, revoked_at: null });
    expect(list.body).not.toContain(key['key'] as string);
    expect(list.body).not.toContain(world.other.apiKey.split('_')[1] as string);

    expect((await send('DELETE', `/v1/api-keys/${key['id']}`)).statusCode).toBe(204);
    const after = await send('GET', '/v1/campaigns', undefined, key['key'] as string);
    expect(after.statusCode).toBe(401);
    expect(json(after)['code']).toBe('invalid_api_key');
    // Revoking again is a success, and the revocation time is listed.
    expect((await send('DELETE', `/v1/api-keys/${key['id']}`)).statusCode).toBe(204);
    const relisted = (json(await send('GET', '/v1/api-keys'))['data'] as Record<string, unknown>[]).find(
      (each) => each['id'] === key['id'],
    );
    expect(relisted?.['revoked_at']).toEqual(expect.any(String));
  });

  it('cannot revoke or issue for another team: 404 and missing_dependent_data, and the other key still works', async () => {
    const revoke = await send('DELETE', `/v1/api-keys/${world.other.apiKeyId}`);
    expect(revoke.statusCode).toBe(404);
    expect(json(revoke)['code']).toBe('not_found');
    const issue = await send('POST', '/v1/api-keys', { label: 'theirs', user_id: world.other.userId });
    expect(issue.statusCode).toBe(404);
    expect(json(issue)['code']).toBe('missing_dependent_data');
    expect((await send('GET', '/v1/me', undefined, world.other.apiKey)).statusCode).toBe(200);
  });

  it('refuses an unknown access level, naming the field', async () => {
    const response = await send('POST', '/v1/api-keys', { label: 'x', access: 'admin' });
    expect(response.statusCode).toBe(400);
    expect((json(response)['errors'] as { pointer: string }[])[0]?.pointer).toBe('/access');
  });
});
