/**
 * Crash safety of bulk adds: a real reference-API process is killed with
 * SIGKILL while it adds 10,000 recipients, at fixed delays after the request
 * is sent and while its transaction is seen open, then started again. The
 * batch committed before is all there, the killed batch is there whole or
 * not at all, and the monthly usage equals the recipients actually present.
 * A campaign killed during a change is as it was or wholly changed. On SQLite
 * and on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type DatabaseLocation } from '../src/index.js';
import { usageMonth } from '../src/quota/monthly-recipient-quota.js';
import { apiEnvironment, ApiProcesses, killProcess, requireReferenceApiBuild, type ApiProcess } from './api-process.js';
import { insertCampaign, insertTeam } from './support.js';
import { freshDatabaseLocation } from './test-database.js';

const batchSize = 10_000;

let directory: string;
let location: DatabaseLocation;
let apiKey: string;
let teamId: number;
let campaignId: number;
const processes = new ApiProcesses();

/** Starts the built reference API on the test's database. */
function startApi(): Promise<ApiProcess> {
  return processes.start(directory, apiEnvironment(location));
}

interface Sent {
  /** Resolves once the whole body is written. */
  readonly written: Promise<void>;
  /** The status, or undefined when the connection died first. */
  readonly status: Promise<number | undefined>;
}

/** POSTs a batch of recipients, without waiting for the answer. */
function addRecipients(url: string, prefix: string, count: number): Sent {
  const body = JSON.stringify({
    recipients: Array.from({ length: count }, (_, index) => ({
      email: `${prefix}-${index}@example.com`,
      name: `${prefix} ${index}`,
    })),
  });
  let written!: () => void;
  const writtenPromise = new Promise<void>((resolve) => (written = resolve));
  const status = new Promise<number | undefined>((resolve) => {
    const sent = request(
      `${url}/v1/campaigns/${campaignId}/recipients`,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
        response.on('error', () => resolve(undefined));
      },
    );
    sent.on('error', () => {
      written();
      resolve(undefined);
    });
    sent.end(body, () => written());
  });
  return { written: writtenPromise, status };
}

/**
 * Whether a write transaction is open right now: SQLite's write lock is taken
 * (BEGIN IMMEDIATE fails at once), or on PostgreSQL the team's usage row is
 * locked (FOR UPDATE NOWAIT fails). The add takes both first and keeps them to
 * its commit.
 */
async function writeInProgress(): Promise<boolean> {
  if (location.kind === 'sqlite') {
    const probe = new SqliteDatabase(location.path);
    try {
      probe.pragma('busy_timeout = 0');
      probe.exec('BEGIN IMMEDIATE');
      probe.exec('ROLLBACK');
      return false;
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true) return true;
      throw error;
    } finally {
      probe.close();
    }
  }
  const client = new pg.Client({ connectionString: location.url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT 1 FROM team_monthly_usage WHERE team_id = $1 AND month = $2 FOR UPDATE NOWAIT', [
      teamId,
      usageMonth(new Date()),
    ]);
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') return true;
    throw error;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end();
  }
}

/** Recipients of the campaign whose address starts with `prefix-`, the team's total, and its usage this month. */
async function census(prefix: string): Promise<{ batch: number; total: number; usage: number }> {
  const db = await openDatabase(location);
  try {
    const batch = await db
      .selectFrom('recipients')
      .select((builder) => builder.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaignId)
      .where('email', 'like', `${prefix}-%`)
      .executeTakeFirstOrThrow();
    const total = await db
      .selectFrom('recipients')
      .select((builder) => builder.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow();
    const usage = await db
      .selectFrom('team_monthly_usage')
      .select('recipients_added')
      .where('team_id', '=', teamId)
      .where('month', '=', usageMonth(new Date()))
      .executeTakeFirst();
    return { batch: Number(batch.n), total: Number(total.n), usage: Number(usage?.recipients_added ?? 0) };
  } finally {
    await db.destroy();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a reference-API process killed during a bulk add', () => {
  beforeAll(async () => {
    // The processes run the build (`npx tsc -b`); one without the quota would not count usage.
    requireReferenceApiBuild({ file: 'quota/monthly-recipient-quota.js', what: 'the monthly quota' });
    directory = mkdtempSync(join(tmpdir(), 'faultline-crash-safety-'));
    location = await freshDatabaseLocation(join(directory, 'crash.db'));
    // The team, its key and campaign, written before the process starts; a quota that never refuses.
    const db: Kysely<Database> = await openDatabase(location);
    try {
      const team = await insertTeam(db, 'Crash team', 'crash@example.com');
      await db.updateTable('teams').set({ monthly_recipient_quota: 1_000_000 }).where('id', '=', team.teamId).execute();
      apiKey = team.apiKey;
      teamId = team.teamId;
      campaignId = await insertCampaign(db, team.teamId, 'Crash campaign');
    } finally {
      await db.destroy();
    }
  });

  afterAll(async () => {
    await processes.killAll();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it(
    'keeps the committed batch, and the killed batch whole or not at all, with the usage to match',
    { timeout: 180_000 },
    async () => {
      let api = await startApi();
      const committed = addRecipients(api.url, 'committed', 1_000);
      expect(await committed.status).toBe(201);

      // Fixed delays after the body is sent, then kills as soon as the transaction is seen open (plus a little).
      const kills: ({ afterMs: number } | { inTransactionPlusMs: number })[] = [
        { afterMs: 0 },
        { afterMs: 150 },
        { afterMs: 500 },
        { inTransactionPlusMs: 0 },
        { inTransactionPlusMs: 40 },
      ];
      const outcomes: string[] = [];
      let seenOpen = 0;
      for (const [round, when] of kills.entries()) {
        const prefix = `killed-${round}`;
        const sent = addRecipients(api.url, prefix, batchSize);
        let answered = false;
        void sent.status.then(() => (answered = true));
        await sent.written;
        if ('afterMs' in when) {
          await sleep(when.afterMs);
        } else {
          const deadline = Date.now() + 20_000;
          let open = false;
          while (!open && !answered && Date.now() < deadline) {
            open = await writeInProgress();
            if (!open) await Promise.race([sleep(1), sent.status]);
          }
          if (open) seenOpen += 1;
          await sleep(when.inTransactionPlusMs);
        }
        await killProcess(api.child);
        const status = await sent.status;

        api = await startApi();
        // On PostgreSQL the killed process's session may hold its locks a moment longer; the next round starts without them.
        const deadline = Date.now() + 20_000;
        while ((await writeInProgress()) && Date.now() < deadline) await sleep(10);
        const after = await census(prefix);
        outcomes.push(`${JSON.stringify(when)}: ${after.batch === 0 ? 'absent' : 'present'} (status ${status})`);
        expect(after.batch === 0 || after.batch === batchSize, `${prefix}: ${after.batch} of ${batchSize}`).toBe(true);
        if (status === 201) expect(after.batch).toBe(batchSize);
        const committedNow = await census('committed');
        expect(committedNow.batch).toBe(1_000);
        expect(after.usage).toBe(after.total);
      }

      // The process still adds after all this, and counts right.
      const last = addRecipients(api.url, 'after', 10);
      expect(await last.status).toBe(201);
      const final = await census('after');
      expect(final.batch).toBe(10);
      expect(final.usage).toBe(final.total);
      await killProcess(api.child);

      // Killed straight after sending, nothing can have committed; at least one kill landed inside the transaction.
      expect(outcomes[0], outcomes.join('\n')).toMatch(/absent/);
      expect(seenOpen, outcomes.join('\n')).toBeGreaterThan(0);
    },
  );

  it('leaves a campaign killed during a change either as it was or wholly changed', { timeout: 120_000 }, async () => {
    const readCampaign = async () => {
      const db = await openDatabase(location);
      try {
        const row = await db
          .selectFrom('campaigns')
          .select(['name', 'sender_email', 'sender_name', 'version'])
          .where('id', '=', campaignId)
          .executeTakeFirstOrThrow();
        return { ...row, version: Number(row.version) };
      } finally {
        await db.destroy();
      }
    };
    let api = await startApi();
    for (const [round, afterMs] of [0, 2, 10].entries()) {
      const before = await readCampaign();
      const patch = JSON.stringify({
        name: `Name ${round}`,
        sender: { email: `sender-${round}@example.com`, name: `Sender ${round}` },
      });
      const running = api;
      const status = await new Promise<number | undefined>((resolve) => {
        const sent = request(
          `${running.url}/v1/campaigns/${campaignId}`,
          {
            method: 'PATCH',
            agent: false,
            headers: {
              authorization: `Bearer ${apiKey}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(patch),
            },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode));
            response.on('error', () => resolve(undefined));
          },
        );
        sent.on('error', () => resolve(undefined));
        sent.end(patch, () => void sleep(afterMs).then(() => killProcess(running.child)));
      });
      await killProcess(running.child);
      api = await startApi();
      const after = await readCampaign();
      const changed = {
        name: `Name ${round}`,
        sender_email: `sender-${round}@example.com`,
        sender_name: `Sender ${round}`,
        version: before.version + 1,
      };
      if (status === 200) expect(after).toEqual(changed);
      else expect([before, changed]).toContainEqual(after);
    }
    await killProcess(api.child);
  });
});
