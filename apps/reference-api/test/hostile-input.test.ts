/**
 * Inputs a hostile or careless client sends that once reached the database or
 * the event loop: each is now a 4xx catalog error naming what is wrong, and
 * nothing is written.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { clientNetwork } from '../src/authentication/client-network.js';
import { registerApp } from './oauth-support.js';
import { bearer, insertCampaign, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await world.close();
});

const send = (method: 'POST' | 'PATCH', url: string, body: unknown, key = world.demo.apiKey) =>
  app.inject({ method, url, headers: { ...bearer(key), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

const pointers = (body: Record<string, unknown>) =>
  (body['errors'] as { pointer: string; location: string }[]).map((error) => `${error.location} ${error.pointer}`);

describe('the NUL character, which PostgreSQL text cannot hold', () => {
  it.each([
    ['POST', '/v1/campaigns', { name: 'a\u0000b' }, ['body /name']],
    ['POST', '/v1/users', { email: 'nul@example.com', name: 'N\u0000', role: 'member' }, ['body /name']],
    ['POST', '/v1/api-keys', { label: '\u0000' }, ['body /label']],
  ] as const)('%s %s is refused with 400 naming the field', async (method, url, body, named) => {
    const before = await world.db.selectFrom('campaigns').select('id').execute();
    const response = await send(method, url, body);
    expect(response.statusCode).toBe(400);
    expect(json(response)['code']).toBe('invalid_parameter');
    expect(pointers(json(response))).toEqual(named);
    expect(json(response)['detail']).toMatch(/NUL character/);
    expect(await world.db.selectFrom('campaigns').select('id').execute()).toEqual(before);
  });

  it('names every recipient field that holds one, and adds none', async () => {
    const campaign = await insertCampaign(world.db, world.demo.teamId, 'NUL recipients');
    const response = await send('POST', `/v1/campaigns/${campaign}/recipients`, {
      recipients: [
        { email: 'ok@example.com', name: 'fine' },
        { email: 'b@example.com', name: 'x\u0000y' },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(pointers(json(response))).toEqual(['body /recipients/1/name']);
    expect(await world.db.selectFrom('recipients').select('id').where('campaign_id', '=', campaign).execute()).toEqual([]);
  });

  it('refuses a body nested 100,000 levels deep with 413 before anything walks it', async () => {
    const deep = `${'['.repeat(100_000)}"x\\u0000"${']'.repeat(100_000)}`;
    const expected = {
      // Logging in reads at most 4 KiB; elsewhere the JSON parser counts the depth first.
      '/v1/sessions': 'The body is larger than the 4096 bytes this endpoint accepts.',
      '/v1/campaigns':
        'The body nests arrays and objects deeper than 32 levels, the most this server reads (jsonLimits.maxDepth).',
    };
    for (const [url, detail] of Object.entries(expected)) {
      const response = await app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
        payload: deep,
      });
      expect(response.statusCode, url).toBe(413);
      expect(json(response), url).toMatchObject({ code: 'request_too_large', detail });
    }
  });

  it('at the OAuth endpoints, an unknown client_id with a NUL is just unknown', async () => {
    const token = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials&client_id=app_%00&client_secret=x',
    });
    expect(token.statusCode).toBe(401);
    expect(json(token)['error']).toBe('invalid_client');
    const page = await app.inject({ url: '/oauth/authorize?response_type=code&client_id=app_%00&state=s' });
    expect(page.statusCode).toBe(400);
    expect(page.headers['location']).toBeUndefined();
  });
});

describe('other inputs', () => {
  it('refuses a forged cursor past the 32-bit ids with 400, not a database error', async () => {
    const cursor = Buffer.from('id:9999999999').toString('base64url');
    for (const url of [
      '/v1/campaigns',
      `/v1/campaigns/${await insertCampaign(world.db, world.demo.teamId, 'Cursor')}/recipients`,
    ]) {
      const response = await app.inject({ url: `${url}?cursor=${cursor}`, headers: bearer(world.demo.apiKey) });
      expect(response.statusCode, url).toBe(400);
      expect(pointers(json(response)), url).toEqual(['query /cursor']);
    }
  });

  it('refuses a batch of far more than 10,000 tiny items by its count, before the schema sees it', async () => {
    const campaign = await insertCampaign(world.db, world.demo.teamId, 'Flood');
    // 600,000 items in under 5 MiB: checking each against the schema would hold the loop for seconds.
    const payload = `{"recipients":[${Array(600_000).fill('{}').join(',')}]}`;
    const response = await app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaign}/recipients`,
      headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(413);
    expect(json(response)).toMatchObject({
      code: 'request_too_large',
      detail: 'An array in the body has more than 20000 items, the most this server reads in one array (jsonLimits.maxItems).',
    });
    // Within the parser's limit, the route still counts the batch before checking each item.
    const over = await app.inject({
      method: 'POST',
      url: `/v1/campaigns/${campaign}/recipients`,
      headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
      payload: `{"recipients":[${Array(15_000).fill('{}').join(',')}]}`,
    });
    expect(over.statusCode).toBe(400);
    expect(json(over)['detail']).toBe('One field is missing or invalid: body /recipients must NOT have more than 10000 items.');
    expect(pointers(json(over))).toEqual(['body /recipients']);
  });

  it('registers only canonical, printable redirect URIs', async () => {
    for (const uri of [
      'https://client.example/cb\n',
      'https://例え.jp/cb',
      'https://Client.Example/cb',
      'https://client.example',
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/oauth-apps',
        headers: bearer(world.demo.apiKey),
        payload: {
          name: 'Odd',
          client_type: 'confidential',
          redirect_uris: [uri],
          allowed_scopes: ['campaigns:read'],
          grant_types: ['authorization_code'],
        },
      });
      expect(response.statusCode, uri).toBe(400);
      expect(pointers(json(response)), uri).toEqual(['body /redirect_uris/0']);
    }
    await expect(
      registerApp(app, world.demo.apiKey, { redirect_uris: ['https://client.example/cb?x=1'] }),
    ).resolves.toBeDefined();
  });
});

describe('races and credentials', () => {
  it('two identical pause calls at once both succeed', async () => {
    const campaign = await insertCampaign(world.db, world.demo.teamId, 'Twice', 'active');
    const pause = () =>
      app.inject({ method: 'POST', url: `/v1/campaigns/${campaign}/pause`, headers: bearer(world.demo.apiKey) });
    const answers = await Promise.all([pause(), pause(), pause(), pause()]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200]);
    expect(answers.map((answer) => json(answer)['status'])).toEqual(['paused', 'paused', 'paused', 'paused']);
  });

  it('a new password ends the user’s sessions', async () => {
    const password = 'the first password';
    const created = await send('POST', '/v1/users', { email: 'rotate@example.com', name: 'Rotate', role: 'member', password });
    const id = json(created)['id'] as number;
    const login = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      remoteAddress: '10.7.0.1',
      payload: { email: 'rotate@example.com', password },
    });
    const token = json(login)['token'] as string;
    expect((await app.inject({ url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    expect((await send('PATCH', `/v1/users/${id}`, { password: 'the second password' })).statusCode).toBe(200);
    const after = await app.inject({ url: '/v1/me', headers: bearer(token) });
    expect(json(after)['code']).toBe('session_expired');
  });

  it('limits login attempts per account from any address: the 21st in 15 minutes is 429', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 21; attempt += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        remoteAddress: `10.8.${attempt}.1`,
        payload: { email: 'target@example.com', password: `guess ${attempt}` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses[20]).toBe(429);
  });

  it('keeps a token sent in the query out of the log', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = await buildApp({ db: world.db, logger: { level: 'info', stream } });
    try {
      const secret = `fla_${'s'.repeat(43)}`;
      const response = await logged.inject({ url: `/v1/campaigns?limit=5&access_token=${secret}&code=abc` });
      expect(response.statusCode).toBe(400);
      const log = lines.join('');
      expect(log).toContain('/v1/campaigns?limit=5&access_token=[redacted]&code=[redacted]');
      expect(log).not.toContain(secret);
    } finally {
      await logged.close();
    }
  });

  it('counts an IPv6 client by its /64', () => {
    expect(clientNetwork('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd:12::/64');
    expect(clientNetwork('2001:db8:abcd:12:ffff::9')).toBe('2001:db8:abcd:12::/64');
    expect(clientNetwork('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(clientNetwork('192.0.2.7')).toBe('192.0.2.7');
  });
});
