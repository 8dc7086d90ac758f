/**
 * Adding recipients, property-based: random sequences of batches (valid ones,
 * ones with a bad address, with an address repeated, with too many items)
 * against a small monthly quota. After every request the answer is what a
 * simple model predicts, the recipients in the database are exactly the sum of
 * the `added` figures of the 201s, the usage row says the same, and it never
 * goes past the quota.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRecipientsPerRequest } from '@faultline/reference-contract';
import { usageMonth } from '../src/quota/monthly-recipient-quota.js';
import { bearer, insertCampaign, insertTeam, json, openWorld, type World } from './support.js';

/** `FUZZ_SEED=<seed printed by a failure>` replays a failing run; `FUZZ_RUNS=<n>` runs the property n times. */
const seed = process.env['FUZZ_SEED'] === undefined ? {} : { seed: Number(process.env['FUZZ_SEED']) };
const runs = Number(process.env['FUZZ_RUNS'] ?? 40);

let world: World;
let app: FastifyInstance;
let teams = 0;

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
});

afterAll(async () => {
  await world.close();
});

type Batch =
  | { readonly kind: 'valid'; readonly campaign: number; readonly emails: readonly string[] }
  | { readonly kind: 'bad'; readonly campaign: number; readonly emails: readonly string[] }
  | { readonly kind: 'repeat'; readonly campaign: number; readonly emails: readonly string[] }
  | { readonly kind: 'oversize'; readonly campaign: number };

/** A small pool, so batches often meet addresses already added. */
const pool = Array.from({ length: 12 }, (_, index) => `person-${index}@example.com`);

const casing = (email: string, pattern: number) =>
  [...email].map((char, index) => ((pattern >> (index % 8)) & 1 ? char.toUpperCase() : char)).join('');

const validEmails = fc
  .uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { minLength: 1, maxLength: 6 })
  .chain((indexes) =>
    fc.tuple(
      ...indexes.map((index) => fc.integer({ min: 0, max: 255 }).map((pattern) => casing(pool[index] as string, pattern))),
    ),
  );

const campaignIndex = fc.integer({ min: 0, max: 1 });

const batch: fc.Arbitrary<Batch> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('valid' as const), campaign: campaignIndex, emails: validEmails }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(campaignIndex, validEmails, fc.constantFrom('not an email', 'x@', '@example.com', 'a b@example.com', ''), fc.nat())
      .map(([campaign, emails, bad, at]): Batch => {
        const copy = [...emails];
        copy.splice(at % (copy.length + 1), 0, bad);
        return { kind: 'bad', campaign, emails: copy };
      }),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(campaignIndex, validEmails, fc.nat(), fc.nat()).map(([campaign, emails, which, at]): Batch => {
      const copy = [...emails];
      copy.splice(at % (copy.length + 1), 0, (emails[which % emails.length] as string).toUpperCase());
      return { kind: 'repeat', campaign, emails: copy };
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('oversize' as const), campaign: campaignIndex }) },
);

function payloadOf(sent: Batch): string {
  const emails =
    sent.kind === 'oversize'
      ? Array.from({ length: maxRecipientsPerRequest + 1 }, (_, index) => `bulk-${index}@example.com`)
      : sent.emails;
  return JSON.stringify({ recipients: emails.map((email) => ({ email })) });
}

describe('adding recipients against a small monthly quota', () => {
  it(
    'answers as the model says, and the database holds exactly the recipients reported added, never over the quota',
    { timeout: process.env['FUZZ_RUNS'] === undefined ? 120_000 : 3_600_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 10 }),
          fc.array(batch, { minLength: 1, maxLength: 8 }),
          async (quota, batches) => {
            teams += 1;
            const team = await insertTeam(world.db, `Property team ${teams}`, `property-${teams}@example.com`);
            await world.db.updateTable('teams').set({ monthly_recipient_quota: quota }).where('id', '=', team.teamId).execute();
            const campaigns = [
              await insertCampaign(world.db, team.teamId, 'A'),
              await insertCampaign(world.db, team.teamId, 'B'),
            ];
            const present = campaigns.map(() => new Set<string>());
            let reportedAdded = 0;

            for (const sent of batches) {
              const response = await app.inject({
                method: 'POST',
                url: `/v1/campaigns/${campaigns[sent.campaign]}/recipients`,
                headers: { ...bearer(team.apiKey), 'content-type': 'application/json' },
                payload: payloadOf(sent),
              });
              const body = json(response);
              const there = present[sent.campaign] as Set<string>;
              if (sent.kind !== 'valid') {
                expect(response.statusCode, response.body).toBe(400);
                expect(body['code']).toBe('invalid_parameter');
              } else {
                const fresh = [...new Set(sent.emails.map((email) => email.toLowerCase()))].filter((email) => !there.has(email));
                if (reportedAdded + fresh.length > quota) {
                  expect(response.statusCode, response.body).toBe(429);
                  expect(body).toMatchObject({
                    code: 'exceeds_monthly_recipients',
                    quota,
                    used: reportedAdded,
                    remaining: quota - reportedAdded,
                    requested: fresh.length,
                  });
                } else {
                  expect(response.statusCode, response.body).toBe(201);
                  expect(body).toEqual({ added: fresh.length, skipped: sent.emails.length - fresh.length });
                  reportedAdded += body['added'] as number;
                  for (const email of fresh) there.add(email);
                }
              }

              const counted = await world.db
                .selectFrom('recipients')
                .innerJoin('campaigns', 'campaigns.id', 'recipients.campaign_id')
                .select((builder) => builder.fn.countAll<number>().as('n'))
                .where('campaigns.team_id', '=', team.teamId)
                .executeTakeFirstOrThrow();
              const usage = await world.db
                .selectFrom('team_monthly_usage')
                .select('recipients_added')
                .where('team_id', '=', team.teamId)
                .where('month', '=', usageMonth(new Date()))
                .executeTakeFirst();
              expect(Number(counted.n)).toBe(reportedAdded);
              expect(Number(usage?.recipients_added ?? 0)).toBe(reportedAdded);
              expect(reportedAdded).toBeLessThanOrEqual(quota);
            }
          },
        ),
        { numRuns: runs, ...seed },
      );
    },
  );
});
