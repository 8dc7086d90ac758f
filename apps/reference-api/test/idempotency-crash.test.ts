/**
 * Idempotent requests across processes: a reference-API process SIGKILLed
 * between its commit and its answer (the proxy kills it the instant the
 * answer's first bytes reach it) and started again answers the retry with
 * the replay; two processes on one database (and one Redis) share their
 * keys. On SQLite (a file) and on PostgreSQL (the `postgres` project).
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, NetworkError } from '@faultline/client';
import { startRedisServer } from '@faultline/test-services';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DatabaseLocation } from '../src/index.js';
import { usageMonth } from '../src/quota/monthly-recipient-quota.js';
import { apiEnvironment, ApiProcesses, killProcess, requireReferenceApiBuild, type ApiProcess } from './api-process.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { insertCampaign, insertTeam } from './support.js';
import { freshDatabaseLocation } from './test-database.js';

let directory: string;
let location: DatabaseLocation;
let db: Kysely<Database>;
let apiKey: string;
let teamId: number;
const processes = new ApiProcesses();
const proxies: FaultProxy[] = [];

/** Starts the built reference API on the test's database (and `environment`); team rate limits off too. */
function startApi(environment: Readonly<Record<string, string>> = {}): Promise<ApiProcess> {
  return processes.start(directory, { ...apiEnvironment(location), TEAM_RATE_LIMITS: 'off', ...environment });
}

beforeAll(async () => {
  requireReferenceApiBuild({ file: 'idempotency/answer-in-transaction.js', what: 'idempotent requests' });
  directory = mkdtempSync(join(tmpdir(), 'faultline-idempotency-crash-'));
  location = await freshDatabaseLocation(join(directory, 'crash.db'));
  db = await openDatabase(location);
  const team = await insertTeam(db, 'Crash retry team', 'crash-retry@example.com');
  apiKey = team.apiKey;
  teamId = team.teamId;
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await processes.killAll();
  await db?.destroy();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

describe('a process killed between its commit and its answer', () => {
  it('answers the retry after its restart with the replay: one batch, one charge', { timeout: 120_000 }, async () => {
    const campaignId = await insertCampaign(db, teamId, 'Killed mid-answer');
    let api = await startApi();
    const proxy = await startFaultProxy(api.port);
    proxies.push(proxy);
    const killed = api.child;
    // SIGKILL the instant the answer's first bytes arrive: the transaction has committed, no answer leaves.
    proxy.cutNextAnswers(1, () => killed.kill('SIGKILL'));
    const key = `crash-${Date.now()}`;
    const recipients = Array.from({ length: 200 }, (_, index) => ({ email: `killed-${index}@example.com` }));
    const client = createClient({ baseUrl: proxy.url, apiKey, retry: { maxAttempts: 1 } });
    const path = `/v1/campaigns/${campaignId}/recipients`;
    await expect(client.post(path, { body: { recipients }, idempotencyKey: key })).rejects.toBeInstanceOf(NetworkError);
    await once(killed, 'exit');
    expect(killed.signalCode).toBe('SIGKILL');

    api = await startApi();
    proxy.setUpstream(api.port);
    const retried = await fetch(`${proxy.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ recipients }),
    });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    // The first run's answer: a second run would have found all 200 there and said skipped: 200.
    expect(await retried.json()).toEqual({ added: 200, skipped: 0 });
    const count = await db
      .selectFrom('recipients')
      .select((builder) => builder.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(200);
    const usage = await db
      .selectFrom('team_monthly_usage')
      .select('recipients_added')
      .where('team_id', '=', teamId)
      .where('month', '=', usageMonth(new Date()))
      .executeTakeFirstOrThrow();
    expect(Number(usage.recipients_added)).toBe(200);
    await killProcess(api.child);
  });
});

describe('two processes on one database', () => {
  it(
    'share their keys: the second replays the first one’s answer, and a reused key is refused by either',
    { timeout: 120_000 },
    async () => {
      const [first, second] = await Promise.all([startApi(), startApi()]);
      const send = (api: ApiProcess, body: unknown) =>
        fetch(`${api.url}/v1/campaigns`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': 'two-processes' },
          body: JSON.stringify(body),
        });
      const created = await send(first, { name: 'Shared key' });
      expect(created.status).toBe(201);
      const replayed = await send(second, { name: 'Shared key' });
      expect(replayed.status).toBe(201);
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(await replayed.json()).toEqual(await created.json());
      const reused = await send(second, { name: 'Another campaign' });
      expect(reused.status).toBe(422);
      const rows = await db
        .selectFrom('campaigns')
        .select('id')
        .where('team_id', '=', teamId)
        .where('name', '=', 'Shared key')
        .execute();
      expect(rows).toHaveLength(1);
      await Promise.all([killProcess(first.child), killProcess(second.child)]);
    },
  );
});

describe('two processes on one database and one Redis', () => {
  it(
    'share their keys: twenty requests with one key, alternating between them, run once; all get its answer',
    { timeout: 120_000 },
    async () => {
      const redis = await startRedisServer();
      try {
        // Rate limits counted in the shared Redis too, as a deployment of several processes runs.
        const shared = { REDIS_URL: redis.url, RATE_LIMITS: 'burst=1000/1m' };
        const [first, second] = await Promise.all([startApi(shared), startApi(shared)]);
        const key = `two-processes-redis-${Date.now()}`;
        const send = (api: ApiProcess) =>
          fetch(`${api.url}/v1/campaigns`, {
            method: 'POST',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify({ name: 'Shared through Redis' }),
          });
        const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => send(index % 2 === 0 ? first : second)));
        const bodies = await Promise.all(answers.map((answer) => answer.text()));
        // The claim is the transaction of the work: a late request waits for its commit and replays it.
        expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 201));
        expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === null)).toHaveLength(1);
        expect(new Set(bodies).size).toBe(1);
        // Both processes answered, and both counted the caller in the one Redis.
        expect(answers.every((answer) => answer.headers.get('ratelimit') !== null)).toBe(true);
        const later = await send(second);
        expect(later.headers.get('idempotent-replayed')).toBe('true');
        expect(await later.text()).toBe(bodies[0]);
        const reused = await fetch(`${first.url}/v1/campaigns`, {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ name: 'Something else' }),
        });
        expect(reused.status).toBe(422);
        expect(((await reused.json()) as { code: string }).code).toBe('idempotency_key_reused');
        const rows = await db
          .selectFrom('campaigns')
          .select('id')
          .where('team_id', '=', teamId)
          .where('name', '=', 'Shared through Redis')
          .execute();
        expect(rows).toHaveLength(1);
        await Promise.all([killProcess(first.child), killProcess(second.child)]);
      } finally {
        await redis.close();
      }
    },
  );
});
