import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../src/index.js';
import { bearer, json, openWorld, type World } from './support.js';
import { testDialect } from './test-database.js';

const bareChallenge = 'Bearer realm="faultline", Basic realm="faultline", charset="UTF-8"';
const invalidTokenChallenge = 'Bearer realm="faultline", error="invalid_token", Basic realm="faultline", charset="UTF-8"';
const problemKeys = ['code', 'detail', 'request_id', 'status', 'time', 'title', 'type'];

let world: World;
let app: FastifyInstance;

beforeAll(async () => {
  // A database file, so the test can also look at the bytes on disk.
  world = await openWorld({ file: true });
  app = await world.app();
});

afterAll(async () => {
  await world.close();
});

const me = (headers: Record<string, string> = {}) => app.inject({ url: '/v1/me', headers });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

function expectProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const body = json(response);
  expect(Object.keys(body).sort()).toEqual(problemKeys);
  expect(body).toMatchObject({ type: `/docs/errors#${code}`, status, code, request_id: response.headers['x-request-id'] });
  return body;
}

/** The body without what differs on every response. */
function stable(response: LightMyRequestResponse): Record<string, unknown> {
  const { request_id: _id, time: _time, ...rest } = json(response);
  return rest;
}

describe('requests without credentials', () => {
  it('answers 401 unauthorized_request with a bare challenge and no error attribute', async () => {
    const response = await me();
    const body = expectProblem(response, 401, 'unauthorized_request');
    expect(body['title']).toBe('Authentication required');
    expect(body['detail']).toBe(
      'No credentials were sent. Send an API key as "Authorization: Bearer <key>" or as the password of HTTP Basic authentication, or a session token as "Authorization: Bearer <token>".',
    );
    const challenge = response.headers['www-authenticate'];
    expect(challenge).toBe(bareChallenge);
    expect(challenge).toContain('Bearer realm="faultline"');
    expect(challenge).not.toContain('error=');
  });

  it.each([
    ['an empty header', ''],
    ['only spaces', '   '],
  ])('treats %s as no credentials', async (_name, authorization) => {
    const response = await me({ authorization });
    expectProblem(response, 401, 'unauthorized_request');
    expect(response.headers['www-authenticate']).toBe(bareChallenge);
  });

  it('checks credentials before reading the body: a malformed body without a key is a 401, not a 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expectProblem(response, 401, 'unauthorized_request');
    expect(await world.db.selectFrom('campaigns').select('id').execute()).toEqual([]);
  });

  it('protects every /v1 route', async () => {
    for (const [method, url] of [
      ['GET', '/v1/campaigns'],
      ['POST', '/v1/campaigns'],
      ['GET', '/v1/campaigns/1'],
      ['DELETE', '/v1/campaigns/1'],
      ['POST', '/v1/campaigns/1/pause'],
      ['POST', '/v1/campaigns/1/resume'],
      ['GET', '/v1/campaigns/1/recipients'],
      ['POST', '/v1/campaigns/1/recipients'],
    ] as const) {
      const response = await app.inject({ method, url });
      expect({ method, url, status: response.statusCode, code: json(response)['code'] }).toEqual({
        method,
        url,
        status: 401,
        code: 'unauthorized_request',
      });
    }
  });
});

describe('unsupported schemes', () => {
  it.each([
    ['Digest', 'Digest username="demo", realm="faultline"'],
    ['Token', 'Token flk_0000000000000000_0000000000000000000000000000000000000000000'],
    ['no scheme, only the key', 'flk_0000000000000000_0000000000000000000000000000000000000000000'],
    ['Bearer without a key', 'Bearer'],
    ['Bearer followed by spaces', 'Bearer    '],
    ['Basic without a colon', `Basic ${Buffer.from('no-colon-here').toString('base64')}`],
    ['Basic with an empty user and password', `Basic ${Buffer.from(':').toString('base64')}`],
  ])('answers 401 unauthorized_request for %s', async (_name, authorization) => {
    const response = await me({ authorization });
    const body = expectProblem(response, 401, 'unauthorized_request');
    expect(body['detail']).toBe('The Authorization header is not "Bearer <credential>" or "Basic <credentials>".');
    expect(response.headers['www-authenticate']).toBe(bareChallenge);
  });

  it('accepts a real key under a scheme of any case', async () => {
    expect((await me({ authorization: `bEaReR ${world.demo.apiKey}` })).statusCode).toBe(200);
  });
});

describe('bad keys', () => {
  const wrongSecret = (key: string) => {
    const [prefix, publicId] = key.split('_');
    const secret = issueApiKey().key.split('_').slice(2).join('_');
    return `${prefix}_${publicId}_${secret}`;
  };

  const cases: [string, () => Promise<string>][] = [
    ['a malformed key', async () => 'not-a-key'],
    ['a key cut short', async () => world.demo.apiKey.slice(0, -1)],
    ['a key with one character too many', async () => `${world.demo.apiKey}x`],
    ['an unknown key of the right shape', async () => issueApiKey().key],
    ['the wrong secret for a real public id', async () => wrongSecret(world.demo.apiKey)],
    [
      'a revoked key',
      async () => {
        const key = issueApiKey();
        await world.db
          .insertInto('api_keys')
          .values({
            user_id: world.demo.userId,
            public_id: key.publicId,
            secret_hash: key.secretHash,
            label: 'To revoke',
            created_at: new Date().toISOString(),
            revoked_at: null,
          })
          .execute();
        expect((await me(bearer(key.key))).statusCode).toBe(200);
        await world.db
          .updateTable('api_keys')
          .set({ revoked_at: new Date().toISOString() })
          .where('public_id', '=', key.publicId)
          .execute();
        return key.key;
      },
    ],
  ];

  it.each(cases)('answers 401 invalid_api_key with error="invalid_token" for %s', async (_name, makeKey) => {
    const key = await makeKey();
    for (const headers of [bearer(key), basic('', key), basic(key, '')]) {
      const response = await me(headers);
      const body = expectProblem(response, 401, 'invalid_api_key');
      expect(body['detail']).toBe('The API key is not valid: it was mistyped, cut short, or revoked.');
      expect(response.headers['www-authenticate']).toBe(invalidTokenChallenge);
      expect(response.headers['www-authenticate']).toContain('Bearer realm="faultline", error="invalid_token"');
    }
  });

  it('answers every bad key alike, so a caller cannot tell which part was wrong', async () => {
    const answers = [];
    for (const [, makeKey] of cases) answers.push(stable(await me(bearer(await makeKey()))));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });
});

describe('good keys', () => {
  const demoMe = () => ({
    user: { id: world.demo.userId, email: 'demo@example.com', name: 'Demo admin', role: 'admin' },
    team: { id: world.demo.teamId, name: 'Demo team' },
  });

  it('accepts the key as a Bearer token', async () => {
    const response = await me(bearer(world.demo.apiKey));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(json(response)).toEqual(demoMe());
  });

  it('accepts the key as the password of HTTP Basic', async () => {
    for (const user of ['', 'anything', 'demo@example.com']) {
      const response = await me(basic(user, world.demo.apiKey));
      expect(response.statusCode).toBe(200);
      expect(json(response)).toEqual(demoMe());
    }
  });

  it('accepts the key as the user of HTTP Basic with an empty password', async () => {
    const response = await me(basic(world.demo.apiKey, ''));
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual(demoMe());
  });

  it('prefers the password when HTTP Basic carries a user and a password', async () => {
    // The key is in the user name; the password, which wins, is not a key.
    const response = await me(basic(world.demo.apiKey, 'wrong'));
    expectProblem(response, 401, 'invalid_api_key');
  });

  it("names the other team's user for the other team's key", async () => {
    const response = await me(bearer(world.other.apiKey));
    expect(response.statusCode).toBe(200);
    expect(json(response)).toEqual({
      user: { id: world.other.userId, email: 'other@example.com', name: 'Other team admin', role: 'admin' },
      team: { id: world.other.teamId, name: 'Other team' },
    });
  });
});

describe('key storage', () => {
  it('stores a SHA-256 of the secret and never the key itself', async () => {
    const rows = await world.db.selectFrom('api_keys').selectAll().execute();
    const demoPublicId = world.demo.apiKey.split('_')[1];
    const demoSecret = world.demo.apiKey.split('_').slice(2).join('_');
    const demoRow = rows.find((row) => row.public_id === demoPublicId);
    expect(demoRow).toBeDefined();
    expect(demoRow?.secret_hash).toBe(createHash('sha256').update(demoSecret).digest('hex'));

    for (const row of rows) {
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      for (const key of [world.demo.apiKey, world.other.apiKey]) {
        const secret = key.split('_').slice(2).join('_');
        for (const value of Object.values(row)) {
          expect(String(value)).not.toContain(key);
          expect(String(value)).not.toContain(secret);
        }
      }
    }
  });

  // PostgreSQL's files belong to its server; the rows themselves are checked above on both engines.
  it.runIf(testDialect === 'sqlite')('leaves no plaintext key anywhere in the database files', async () => {
    const files = ['test.db', 'test.db-wal'].map((name) => join(world.directory, name)).filter((file) => existsSync(file));
    expect(files).toContain(join(world.directory, 'test.db'));
    for (const file of files) {
      const bytes = readFileSync(file).toString('latin1');
      // The database does hold the public id: the file is not trivially empty.
      expect(
        files.some((each) =>
          readFileSync(each)
            .toString('latin1')
            .includes(world.demo.apiKey.split('_')[1] as string),
        ),
      ).toBe(true);
      for (const key of [world.demo.apiKey, world.other.apiKey]) {
        expect(bytes).not.toContain(key);
        expect(bytes).not.toContain(key.split('_').slice(2).join('_'));
      }
    }
  });
});
