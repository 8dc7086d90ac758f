/**
 * The monthly recipient quota: exact admission at the edge, all or nothing,
 * exact under concurrency (two apps on two connections, as two processes
 * would be), the month rollover, and 503 when the database fails the check.
 */
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp, openDatabase, type Database } from '../src/index.js';
import { quotaResetsAt, usageMonth } from '../src/quota/monthly-recipient-quota.js';
import { bearer, insertCampaign, insertTeam, json, openWorld, type OtherTeam, type World } from './support.js';
import { freshDatabaseLocation } from './test-database.js';

let world: World;
let app: FastifyInstance;
let team: OtherTeam;
let campaignId: number;
let teams = 0;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
});

afterAll(async () => {
  await world.close();
});

beforeEach(async () => {
  teams += 1;
  team = await insertTeam(world.db, `Quota team ${teams}`, `quota-${teams}@example.com`);
  campaignId = await insertCampaign(world.db, team.teamId, 'Newsletter');
});

afterEach(() => {
  vi.useRealTimers();
});

const addTo = (target: FastifyInstance, key: string, id: number, emails: readonly string[]) =>
  target.inject({
    method: 'POST',
    url: `/v1/campaigns/${id}/recipients`,
    headers: { ...bearer(key), 'content-type': 'application/json' },
    payload: JSON.stringify({ recipients: emails.map((email) => ({ email })) }),
  });

const add = (emails: readonly string[], id = campaignId) => addTo(app, team.apiKey, id, emails);

const addresses = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}-${index}@example.com`);

async function setQuota(db: Kysely<Database>, teamId: number, quota: number, used?: number, month?: string) {
  await db.updateTable('teams').set({ monthly_recipient_quota: quota }).where('id', '=', teamId).execute();
  if (used !== undefined) {
    await db
      .insertInto('team_monthly_usage')
      .values({ team_id: teamId, month: month ?? usageMonth(new Date()), recipients_added: used })
      .execute();
  }
}

async function recipientsOf(db: Kysely<Database>, teamId: number): Promise<number> {
  const row = await db
    .selectFrom('recipients')
    .innerJoin('campaigns', 'campaigns.id', 'recipients.campaign_id')
    .select((builder) => builder.fn.countAll<number>().as('n'))
    .where('campaigns.team_id', '=', teamId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function usageOf(db: Kysely<Database>, teamId: number, month = usageMonth(new Date())): Promise<number | undefined> {
  const row = await db
    .selectFrom('team_monthly_usage')
    .select('recipients_added')
    .where('team_id', '=', teamId)
    .where('month', '=', month)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.recipients_added);
}

function expectProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  expect(response.statusCode, response.body).toBe(status);
  const body = json(response);
  expect(body).toMatchObject({ status, code });
  return body;
}

describe('the month', () => {
  it('is the calendar month in UTC, and resets at the first instant of the next', () => {
    expect(usageMonth(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(usageMonth(new Date('2026-12-01T00:00:00.000Z'))).toBe('2026-12');
    // The month of the UTC instant, whatever the offset the time was written with.
    expect(usageMonth(new Date('2026-12-01T00:30:00-05:00'))).toBe('2026-12');
    expect(usageMonth(new Date('2026-12-01T00:30:00+01:00'))).toBe('2026-11');
    expect(quotaResetsAt(new Date('2026-11-15T12:00:00Z')).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(quotaResetsAt(new Date('2026-12-31T23:59:59Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(quotaResetsAt(new Date('2028-02-01T00:00:00Z')).toISOString()).toBe('2028-03-01T00:00:00.000Z');
  });
});

describe('the monthly recipient quota', () => {
  it('admits exactly up to the quota: with 1 left, 2 add none and 1 adds 1 (quota_nearly_full)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T23:00:00Z'));
    await setQuota(world.db, team.teamId, 10, 9);

    const refused = await add(['one@example.com', 'two@example.com']);
    const body = expectProblem(refused, 429, 'exceeds_monthly_recipients');
    expect(refused.headers['content-type']).toBe('application/problem+json');
    // Not worth retrying before the reset: one hour to the start of December, UTC.
    expect(refused.headers['retry-after']).toBe('3600');
    expect(body['detail']).toBe(
      "This request would add 2 new recipients, but 1 of the 10 recipients of your team's monthly quota is left for 2026-11, " +
        'so none were added. The quota resets at 2026-12-01T00:00:00.000Z.',
    );
    expect(body).toMatchObject({ quota: 10, used: 9, remaining: 1, requested: 2, resets_at: '2026-12-01T00:00:00.000Z' });
    expect(await recipientsOf(world.db, team.teamId)).toBe(0);
    expect(await usageOf(world.db, team.teamId)).toBe(9);

    expect(json(await add(['one@example.com']))).toEqual({ added: 1, skipped: 0 });
    expect(await usageOf(world.db, team.teamId)).toBe(10);

    const full = expectProblem(await add(['two@example.com']), 429, 'exceeds_monthly_recipients');
    expect(full).toMatchObject({ quota: 10, used: 10, remaining: 0, requested: 1 });
    expect(full['detail']).toContain("none of the 10 recipients of your team's monthly quota are left for 2026-11");
    expect(await recipientsOf(world.db, team.teamId)).toBe(1);
  });

  it('counts only the recipients added: skipped addresses are free, deleting refunds nothing', async () => {
    await setQuota(world.db, team.teamId, 3);
    expect(json(await add(['a@example.com', 'b@example.com']))).toEqual({ added: 2, skipped: 0 });
    // Full quota but one: two already there and one new fits.
    expect(json(await add(['A@example.com', 'b@example.com', 'c@example.com']))).toEqual({ added: 1, skipped: 2 });
    expect(await usageOf(world.db, team.teamId)).toBe(3);
    // The quota is used up, yet addresses already there are still answered with 201.
    expect(json(await add(['a@example.com']))).toEqual({ added: 0, skipped: 1 });

    await world.db.deleteFrom('recipients').where('campaign_id', '=', campaignId).execute();
    expectProblem(await add(['a@example.com']), 429, 'exceeds_monthly_recipients');
    expect(await recipientsOf(world.db, team.teamId)).toBe(0);
    expect(await usageOf(world.db, team.teamId)).toBe(3);
  });

  it('is one quota for all campaigns of a team, and other teams are not affected', async () => {
    await setQuota(world.db, team.teamId, 4);
    const second = await insertCampaign(world.db, team.teamId, 'Second');
    expect(json(await add(addresses('first', 3)))).toEqual({ added: 3, skipped: 0 });
    expectProblem(await add(addresses('second', 2), second), 429, 'exceeds_monthly_recipients');
    expect(json(await add(addresses('first', 1), second))).toEqual({ added: 1, skipped: 0 });

    const theirs = await insertCampaign(world.db, world.other.teamId, 'Theirs');
    expect(json(await addTo(app, world.other.apiKey, theirs, addresses('theirs', 5)))).toEqual({ added: 5, skipped: 0 });
  });

  it('starts again at the new month (UTC), by the clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-31T23:59:59Z'));
    await setQuota(world.db, team.teamId, 2);
    expect(json(await add(addresses('december', 2)))).toEqual({ added: 2, skipped: 0 });
    const refused = expectProblem(await add(addresses('late', 1)), 429, 'exceeds_monthly_recipients');
    expect(refused['resets_at']).toBe('2027-01-01T00:00:00.000Z');

    vi.setSystemTime(new Date('2027-01-01T00:00:00Z'));
    expect(json(await add(addresses('january', 2)))).toEqual({ added: 2, skipped: 0 });
    expectProblem(await add(addresses('more', 1)), 429, 'exceeds_monthly_recipients');
    expect(await usageOf(world.db, team.teamId, '2026-12')).toBe(2);
    expect(await usageOf(world.db, team.teamId, '2027-01')).toBe(2);
    expect(await recipientsOf(world.db, team.teamId)).toBe(4);
  });

  it('answers 503 service_unavailable with Retry-After, and adds nothing, when the database fails the check', async () => {
    await setQuota(world.db, team.teamId, 10);
    await sql`alter table team_monthly_usage rename to team_monthly_usage_away`.execute(world.db);
    let response: LightMyRequestResponse;
    try {
      response = await add(addresses('broken', 3));
    } finally {
      await sql`alter table team_monthly_usage_away rename to team_monthly_usage`.execute(world.db);
    }
    const body = expectProblem(response, 503, 'service_unavailable');
    expect(body['detail']).toBe('The database did not complete the request, so no recipients were added. Try again shortly.');
    expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await recipientsOf(world.db, team.teamId)).toBe(0);
    expect(json(await add(addresses('broken', 3)))).toEqual({ added: 3, skipped: 0 });
  });
});

describe('the quota under concurrency', () => {
  let db1: Kysely<Database>;
  let db2: Kysely<Database>;
  let apps: FastifyInstance[];

  beforeAll(async () => {
    // Two connections to one database, each with its own app: as two processes of the API would be.
    const location = await freshDatabaseLocation(join(world.directory, 'concurrency.db'));
    db1 = await openDatabase(location);
    db2 = await openDatabase(location);
    apps = [await buildApp({ db: db1 }), await buildApp({ db: db2 })];
  });

  afterAll(async () => {
    for (const each of apps) await each.close();
    await db1.destroy();
    await db2.destroy();
  });

  it('admits exactly the quota of many parallel batches, none partly', async () => {
    const mine = await insertTeam(db1, 'Busy team', 'busy@example.com');
    await setQuota(db1, mine.teamId, 50);
    const campaigns = [await insertCampaign(db1, mine.teamId, 'One'), await insertCampaign(db1, mine.teamId, 'Two')];
    const batches = Array.from({ length: 24 }, (_, index) => addresses(`batch-${index}`, 5));
    const responses = await Promise.all(
      batches.map((batch, index) =>
        addTo(apps[index % 2] as FastifyInstance, mine.apiKey, campaigns[index % 2] as number, batch),
      ),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(14);
    expect(await recipientsOf(db1, mine.teamId)).toBe(50);
    expect(await usageOf(db1, mine.teamId)).toBe(50);
    // Every batch is there whole or not at all.
    for (const [index, batch] of batches.entries()) {
      const present = await db1.selectFrom('recipients').select('email').where('email', 'in', batch).execute();
      expect(present.length === 0 || present.length === batch.length, `batch ${index}`).toBe(true);
      expect(present.length === batch.length).toBe(responses[index]?.statusCode === 201);
    }
  });

  it('stays exact when parallel batches overlap in the same campaign, without deadlocks', async () => {
    const mine = await insertTeam(db1, 'Overlapping team', 'overlap@example.com');
    await setQuota(db1, mine.teamId, 20);
    const campaign = await insertCampaign(db1, mine.teamId, 'Shared');
    const shared = addresses('shared', 6);
    // The shared addresses in a different order in each batch, plus two of its own.
    const batches = Array.from({ length: 16 }, (_, index) => [
      ...(index % 2 === 0 ? shared : [...shared].reverse()),
      ...addresses(`own-${index}`, 2),
    ]);
    const responses = await Promise.all(
      batches.map((batch, index) => addTo(apps[index % 2] as FastifyInstance, mine.apiKey, campaign, batch)),
    );
    expect(responses.map((response) => response.statusCode).filter((status) => status !== 201 && status !== 429)).toEqual([]);
    const added = responses
      .filter((response) => response.statusCode === 201)
      .reduce((sum, response) => sum + (json(response)['added'] as number), 0);
    const present = await recipientsOf(db1, mine.teamId);
    expect(present).toBe(added);
    expect(present).toBeLessThanOrEqual(20);
    // The first batch adds 8, each later one 2, until 20: 8 + 6 × 2.
    expect(present).toBe(20);
    expect(await usageOf(db1, mine.teamId)).toBe(present);
  });
});
