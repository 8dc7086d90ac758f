/**
 * The monthly recipient quota: every team may add `teams.monthly_recipient_quota`
 * recipients per calendar month (UTC). What counts is recipients actually
 * added: addresses a campaign already has are skipped and cost nothing, and
 * deleting recipients gives nothing back.
 *
 * The count lives in `team_monthly_usage`, one row per team and month, and is
 * charged in the same transaction as the insert, so a batch is added and
 * counted together or not at all. {@link lockMonthlyUsage} runs first: its
 * upsert takes the row's write lock (PostgreSQL holds a row lock until the
 * transaction ends; SQLite takes the database's single write lock), so the
 * batches of one team are charged one after another, also across processes,
 * and two batches never both see room for the last recipients.
 */
import { builtinCatalog, type ApiError } from '@faultline/core';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../database/schema.js';

/** Where the quota reads the time; tests pass their own. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** The month a time falls in, UTC, as stored in `team_monthly_usage.month`: `2026-11`. */
export function usageMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** The longest wait for a reset, in seconds: from the first instant of a 31-day month to the next. */
export const longestQuotaWaitSeconds = 31 * 24 * 60 * 60;

/** When the quota of the month of `now` resets: the first instant of the next month, UTC. */
export function quotaResetsAt(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
}

/** A team's quota and what it used in one month. */
export interface MonthlyUsage {
  readonly teamId: number;
  readonly month: string;
  readonly quota: number;
  readonly used: number;
}

/**
 * Makes sure the team has a usage row for the month of `now` and locks it until
 * the transaction ends; returns the quota and what is used so far. Call it
 * first in the transaction that adds recipients, before the inserts.
 */
export async function lockMonthlyUsage(transaction: Transaction<Database>, teamId: number, now: Date): Promise<MonthlyUsage> {
  const month = usageMonth(now);
  // An upsert that always writes: the row is created, or its lock taken, in one statement on both engines.
  // PostgreSQL's ON CONFLICT DO UPDATE works on the latest committed version, so `used` is current.
  const usage = await transaction
    .insertInto('team_monthly_usage')
    .values({ team_id: teamId, month, recipients_added: 0 })
    .onConflict((conflict) =>
      conflict.columns(['team_id', 'month']).doUpdateSet({ recipients_added: sql<number>`team_monthly_usage.recipients_added` }),
    )
    .returning('recipients_added')
    .executeTakeFirstOrThrow();
  const team = await transaction
    .selectFrom('teams')
    .select('monthly_recipient_quota')
    .where('id', '=', teamId)
    .executeTakeFirstOrThrow();
  return { teamId, month, quota: Number(team.monthly_recipient_quota), used: Number(usage.recipients_added) };
}

/**
 * Charges `added` recipients to the month locked by {@link lockMonthlyUsage},
 * or throws `exceeds_monthly_recipients` when they do not fit; the caller's
 * transaction then rolls back and nothing of the batch stays. The update
 * checks the quota itself, so the charge is exact even if the lock were missing.
 */
export async function chargeMonthlyRecipients(
  transaction: Transaction<Database>,
  usage: MonthlyUsage,
  added: number,
  now: Date,
): Promise<void> {
  if (added === 0) return;
  if (usage.used + added > usage.quota) throw exceedsMonthlyRecipients(usage, added, now);
  const result = await transaction
    .updateTable('team_monthly_usage')
    .set({ recipients_added: sql<number>`recipients_added + ${added}` })
    .where('team_id', '=', usage.teamId)
    .where('month', '=', usage.month)
    .where(
      sql<boolean>`recipients_added + ${added} <= (select monthly_recipient_quota from teams where teams.id = ${usage.teamId})`,
    )
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return;
  // Only reachable if another writer changed the row despite the lock: read it again to explain.
  const current = await transaction
    .selectFrom('team_monthly_usage')
    .innerJoin('teams', 'teams.id', 'team_monthly_usage.team_id')
    .select(['team_monthly_usage.recipients_added', 'teams.monthly_recipient_quota'])
    .where('team_monthly_usage.team_id', '=', usage.teamId)
    .where('team_monthly_usage.month', '=', usage.month)
    .executeTakeFirst();
  throw exceedsMonthlyRecipients(
    {
      ...usage,
      used: Number(current?.recipients_added ?? usage.used),
      quota: Number(current?.monthly_recipient_quota ?? usage.quota),
    },
    added,
    now,
  );
}

/** 429 `exceeds_monthly_recipients`: how many are left, the quota, and when it resets (`Retry-After`). */
export function exceedsMonthlyRecipients(usage: MonthlyUsage, requested: number, now: Date): ApiError {
  const remaining = Math.max(0, usage.quota - usage.used);
  const resetsAt = quotaResetsAt(now);
  const left =
    remaining === 0
      ? `none of the ${usage.quota} recipients of your team's monthly quota are left`
      : `${remaining} of the ${usage.quota} recipients of your team's monthly quota ${remaining === 1 ? 'is' : 'are'} left`;
  return builtinCatalog.error('exceeds_monthly_recipients', {
    detail:
      `This request would add ${requested} new recipient${requested === 1 ? '' : 's'}, but ${left} for ${usage.month}, ` +
      `so none were added. The quota resets at ${resetsAt.toISOString()}.`,
    retryAt: resetsAt,
    extensions: {
      quota: usage.quota,
      used: usage.used,
      remaining,
      requested,
      resets_at: resetsAt.toISOString(),
    },
  });
}
