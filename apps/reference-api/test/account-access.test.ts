/**
 * Account states and permissions: every 403 of the account contract, each
 * reached the way a team reaches it (through the admin routes where the API
 * offers one; compliance blocks and subscriptions are the operator's, so
 * those are written to the tables as the operator's tools would).
 */
import type { ProfileName } from '@faultline/core';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, insertTeam, json, keysOf, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
});

afterAll(async () => {
  await world.close();
});

/** A fresh team whose admin is the demo's shape: made through the API wherever the API can. */
interface Team {
  readonly teamId: number;
  readonly adminKey: string;
  readonly adminId: number;
}

let teamCount = 0;
async function newTeam(): Promise<Team> {
  teamCount += 1;
  const team = await insertTeam(world.db, `Access team ${teamCount}`, `admin-${teamCount}-${Date.now()}@access.example`);
  return { teamId: team.teamId, adminKey: team.apiKey, adminId: team.userId };
}

async function call(key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  return app.inject({
    method,
    url,
    headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

async function createUser(team: Team, role: 'admin' | 'member', password?: string): Promise<number> {
  teamCount += 1;
  const response = await call(team.adminKey, 'POST', '/v1/users', {
    email: `user-${teamCount}-${Date.now()}@access.example`,
    name: `User ${teamCount}`,
    role,
    ...(password === undefined ? {} : { password }),
  });
  expect(response.statusCode).toBe(201);
  return json(response)['id'] as number;
}

async function createKey(team: Team, userId: number, access: 'read_write' | 'read_only' = 'read_write'): Promise<string> {
  const response = await call(team.adminKey, 'POST', '/v1/api-keys', { label: 'test', user_id: userId, access });
  expect(response.statusCode).toBe(201);
  return json(response)['key'] as string;
}

function expectRefusal(response: LightMyRequestResponse, code: string, detail: RegExp): void {
  expect(response.statusCode).toBe(403);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const body = json(response);
  expect(body['code']).toBe(code);
  expect(body['status']).toBe(403);
  expect(body['detail']).toMatch(detail);
  expect(body['type']).toBe(`/docs/errors#${code}`);
}

describe('each account state answers with its code', () => {
  it('user_is_disabled: an admin disables a member; their key stops working, and works again once re-enabled', async () => {
    const team = await newTeam();
    const member = await createUser(team, 'member');
    const key = await createKey(team, member);
    expect((await call(key, 'GET', '/v1/campaigns')).statusCode).toBe(200);

    expect((await call(team.adminKey, 'PATCH', `/v1/users/${member}`, { disabled: true })).statusCode).toBe(200);
    expectRefusal(await call(key, 'GET', '/v1/campaigns'), 'user_is_disabled', /Your user is disabled/);

    const enabled = await call(team.adminKey, 'PATCH', `/v1/users/${member}`, { disabled: false });
    expect(json(enabled)['disabled']).toBe(false);
    expect((await call(key, 'GET', '/v1/campaigns')).statusCode).toBe(200);
  });

  it('user_not_admin: a member may use campaigns but not manage users or keys', async () => {
    const team = await newTeam();
    const key = await createKey(team, await createUser(team, 'member'));
    expect((await call(key, 'POST', '/v1/campaigns', { name: 'Mine' })).statusCode).toBe(201);
    for (const [method, url, body] of [
      ['GET', '/v1/users', undefined],
      ['POST', '/v1/users', { email: 'x@access.example', name: 'X', role: 'member' }],
      ['GET', '/v1/api-keys', undefined],
      ['POST', '/v1/api-keys', { label: 'mine' }],
      ['DELETE', '/v1/api-keys/1', undefined],
    ] as const) {
      expectRefusal(await call(key, method, url, body), 'user_not_admin', /Only administrators/);
    }
  });

  it('not_authorized: a read-only key reads but may not write, even an admin’s', async () => {
    const team = await newTeam();
    const key = await createKey(team, team.adminId, 'read_only');
    expect((await call(key, 'GET', '/v1/campaigns')).statusCode).toBe(200);
    expect((await call(key, 'GET', '/v1/api-keys')).statusCode).toBe(200);
    const refused = await call(key, 'POST', '/v1/campaigns', { name: 'Nope' });
    expectRefusal(refused, 'not_authorized', /read-only, so it cannot POST/);
    const count = await world.db
      .selectFrom('campaigns')
      .select((expression) => expression.fn.countAll().as('n'))
      .where('team_id', '=', team.teamId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('missing_team_admin: the only admin is disabled by a second admin, who then steps down', async () => {
    const team = await newTeam();
    const second = await createUser(team, 'admin');
    const secondKey = await createKey(team, second);
    expect((await call(secondKey, 'PATCH', `/v1/users/${team.adminId}`, { disabled: true })).statusCode).toBe(200);
    expect((await call(secondKey, 'PATCH', `/v1/users/${second}`, { role: 'member' })).statusCode).toBe(200);
    expectRefusal(await call(secondKey, 'GET', '/v1/campaigns'), 'missing_team_admin', /no active administrator/);
  });

  it('team_blocked and missing_subscription: the operator’s states, for every route and credential', async () => {
    const team = await newTeam();
    await world.db.updateTable('teams').set({ blocked_at: new Date().toISOString() }).where('id', '=', team.teamId).execute();
    expectRefusal(await call(team.adminKey, 'GET', '/v1/me'), 'team_blocked', /blocked for a compliance review/);
    await world.db.updateTable('teams').set({ blocked_at: null, subscription: 'lapsed' }).where('id', '=', team.teamId).execute();
    expectRefusal(await call(team.adminKey, 'GET', '/v1/campaigns'), 'missing_subscription', /subscription has lapsed/);
    await world.db.updateTable('teams').set({ subscription: 'none' }).where('id', '=', team.teamId).execute();
    expectRefusal(await call(team.adminKey, 'GET', '/v1/campaigns'), 'missing_subscription', /no paid subscription/);
    await world.db.updateTable('teams').set({ subscription: 'active' }).where('id', '=', team.teamId).execute();
    expect((await call(team.adminKey, 'GET', '/v1/campaigns')).statusCode).toBe(200);
  });

  it('authentication comes first: a wrong key on a blocked team is still 401', async () => {
    const team = await newTeam();
    await world.db.updateTable('teams').set({ blocked_at: new Date().toISOString() }).where('id', '=', team.teamId).execute();
    const wrong = `${team.adminKey.slice(0, -4)}AAAA`;
    expect((await call(wrong, 'GET', '/v1/campaigns')).statusCode).toBe(401);
  });
});

describe('the order of the checks when several hold', () => {
  it('reports user_is_disabled, team_blocked, missing_subscription, missing_team_admin, not_authorized, user_not_admin in turn', async () => {
    const team = await newTeam();
    const member = await createUser(team, 'member');
    const readOnlyMemberKey = await createKey(team, member, 'read_only');
    const set = (values: Record<string, unknown>, table: 'teams' | 'users', id: number) =>
      world.db.updateTable(table).set(values).where('id', '=', id).execute();
    // Every condition at once; then lift them one by one and watch the next take over.
    await set({ disabled_at: new Date().toISOString() }, 'users', member);
    await set({ blocked_at: new Date().toISOString(), subscription: 'lapsed' }, 'teams', team.teamId);
    await set({ disabled_at: new Date().toISOString() }, 'users', team.adminId);
    const attempt = () => call(readOnlyMemberKey, 'POST', '/v1/api-keys', { label: 'escalate' });

    const seen: string[] = [];
    const lift = [
      () => set({ disabled_at: null }, 'users', member),
      () => set({ blocked_at: null }, 'teams', team.teamId),
      () => set({ subscription: 'active' }, 'teams', team.teamId),
      () => set({ disabled_at: null }, 'users', team.adminId),
    ];
    for (const next of lift) {
      seen.push(json(await attempt())['code'] as string);
      await next();
    }
    seen.push(json(await attempt())['code'] as string);
    // Read-only lifted by using a read_write key of the same member.
    const memberKey = await createKey(team, member);
    seen.push(json(await call(memberKey, 'POST', '/v1/api-keys', { label: 'escalate' }))['code'] as string);
    expect(seen).toEqual([
      'user_is_disabled',
      'team_blocked',
      'missing_subscription',
      'missing_team_admin',
      'not_authorized',
      'user_not_admin',
    ]);
    // And nothing was issued along the way.
    const keys = await world.db.selectFrom('api_keys').select('label').where('user_id', '=', member).execute();
    expect(keys.map((key) => key.label)).not.toContain('escalate');
  });
});

describe('in every profile', () => {
  const shapes: Record<ProfileName, { keys: string[]; code: string }> = {
    problem: { keys: ['code', 'detail', 'request_id', 'status', 'time', 'title', 'type'], code: 'not_authorized' },
    classic: { keys: ['code', 'error', 'time'], code: 'not_authorized' },
    message: { keys: ['code', 'description', 'message', 'request_id'], code: 'not_authorized' },
    oauth: { keys: ['error', 'error_description', 'error_uri'], code: 'access_denied' },
  };

  it.each(Object.keys(shapes) as ProfileName[])(
    '%s: a read-only key writing gets 403 with the profile’s body',
    async (profile) => {
      const profiled = await world.app(profile);
      const team = await newTeam();
      const key = await createKey(team, team.adminId, 'read_only');
      const response = await profiled.inject({
        method: 'DELETE',
        url: '/v1/campaigns/1',
        headers: bearer(key),
      });
      expect(response.statusCode).toBe(403);
      expect(keysOf(response)).toEqual(shapes[profile].keys);
      const body = json(response);
      expect(body[profile === 'oauth' ? 'error' : 'code']).toBe(shapes[profile].code);
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
      expect(response.headers['www-authenticate']).toBeUndefined();
    },
  );

  /** Each account state set up for a fresh team; the request that meets it. */
  const states: Record<string, (team: Team) => Promise<{ key: string; url: string }>> = {
    user_is_disabled: async (team) => {
      await world.db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', team.adminId).execute();
      return { key: team.adminKey, url: '/v1/me' };
    },
    team_blocked: async (team) => {
      await world.db.updateTable('teams').set({ blocked_at: new Date().toISOString() }).where('id', '=', team.teamId).execute();
      return { key: team.adminKey, url: '/v1/me' };
    },
    missing_subscription: async (team) => {
      await world.db.updateTable('teams').set({ subscription: 'none' }).where('id', '=', team.teamId).execute();
      return { key: team.adminKey, url: '/v1/campaigns' };
    },
    missing_team_admin: async (team) => {
      const key = await createKey(team, await createUser(team, 'member'));
      await world.db.updateTable('users').set({ role: 'member' }).where('id', '=', team.adminId).execute();
      return { key, url: '/v1/campaigns' };
    },
    user_not_admin: async (team) => ({ key: await createKey(team, await createUser(team, 'member')), url: '/v1/users' }),
  };

  it.each(
    (Object.keys(shapes) as ProfileName[]).flatMap((profile) => Object.keys(states).map((code) => [profile, code] as const)),
  )('%s: %s keeps its code, status and the profile’s shape', async (profile, code) => {
    const profiled = await world.app(profile);
    const { key, url } = await (states[code] as (team: Team) => Promise<{ key: string; url: string }>)(await newTeam());
    const response = await profiled.inject({ url, headers: bearer(key) });
    expect(response.statusCode).toBe(403);
    expect(keysOf(response)).toEqual(shapes[profile].keys);
    expect(json(response)[profile === 'oauth' ? 'error' : 'code']).toBe(code);
    expect(response.headers['content-type']).toBe(profile === 'problem' ? 'application/problem+json' : 'application/json');
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
  });
});
