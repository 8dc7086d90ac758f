import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { issueApiKey } from '../authentication/api-keys.js';
import { hashPassword } from '../authentication/passwords.js';
import type { Database, KeyAccess, Subscription, UserRole } from '../database/schema.js';
import type { DemoCredentials } from './demo-data.js';

/** An API key that meets one account state on its next request, and the code it will get. */
export interface ScenarioCredential {
  readonly apiKey: string;
  readonly expect: string;
}

/** What `npm run fixtures` prints: a credential for each state a script may want to reach. */
export interface Scenarios {
  readonly team_blocked: ScenarioCredential;
  readonly missing_subscription: ScenarioCredential;
  readonly missing_team_admin: ScenarioCredential;
  readonly user_is_disabled: ScenarioCredential;
  readonly user_not_admin: ScenarioCredential;
  readonly read_only: ScenarioCredential;
  /** A healthy team with exactly one recipient left this month, and a campaign to add it to. */
  readonly quota_nearly_full: ScenarioCredential & { readonly campaignId: number; readonly quota: number };
}

export interface Fixtures {
  /** The healthy demo admin's key. */
  readonly apiKey: string;
  readonly teamId: number;
  readonly scenarios: Scenarios;
  /** A campaign of another team: every route answers for it as if it did not exist. */
  readonly otherTeamCampaignId: number;
  /** A member of the demo team who logs in with `POST /v1/sessions`. */
  readonly session: { readonly email: string; readonly password: string };
}

/** The teams the scenarios live in, found again by name on the next run. */
const teamNames = {
  blocked: 'Scenario: blocked team',
  lapsed: 'Scenario: lapsed subscription',
  adminless: 'Scenario: no active admin',
  quota: 'Scenario: quota nearly full',
  other: 'Scenario: another team',
} as const;

const scenarioQuota = 100;

/**
 * Makes (or finds) a team for each account state and issues fresh keys for
 * them; only hashes are stored, so keys from an earlier run cannot be shown
 * again. The states are re-asserted on every run, so a scenario a script
 * changed (a quota spent, a user re-enabled) is ready again.
 */
export async function ensureScenarios(db: Kysely<Database>, demo: DemoCredentials, now = new Date()): Promise<Fixtures> {
  const sessionPassword = randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(sessionPassword);
  return db.transaction().execute(async (transaction) => {
    const at = now.toISOString();

    const blocked = await team(transaction, teamNames.blocked, { blocked_at: at, subscription: 'active' }, at);
    const blockedAdmin = await user(transaction, blocked, 'blocked-admin@scenarios.example', 'admin', null, at);

    const lapsed = await team(transaction, teamNames.lapsed, { blocked_at: null, subscription: 'lapsed' }, at);
    const lapsedAdmin = await user(transaction, lapsed, 'lapsed-admin@scenarios.example', 'admin', null, at);

    const adminless = await team(transaction, teamNames.adminless, { blocked_at: null, subscription: 'active' }, at);
    await user(transaction, adminless, 'gone-admin@scenarios.example', 'admin', at, at);
    const adminlessMember = await user(transaction, adminless, 'left-behind@scenarios.example', 'member', null, at);

    const disabledMember = await user(transaction, demo.teamId, 'disabled-member@scenarios.example', 'member', at, at);
    const member = await user(transaction, demo.teamId, 'member@scenarios.example', 'member', null, at);
    const sessionUser = await user(transaction, demo.teamId, 'session-user@scenarios.example', 'member', null, at);
    await transaction.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', sessionUser).execute();

    const quotaTeam = await team(
      transaction,
      teamNames.quota,
      { blocked_at: null, subscription: 'active', monthly_recipient_quota: scenarioQuota },
      at,
    );
    const quotaAdmin = await user(transaction, quotaTeam, 'quota-admin@scenarios.example', 'admin', null, at);
    const quotaCampaign = await campaign(transaction, quotaTeam, 'Nearly full', at);
    await setMonthlyUsage(transaction, quotaTeam, now, scenarioQuota - 1);

    const other = await team(transaction, teamNames.other, { blocked_at: null, subscription: 'active' }, at);
    await user(transaction, other, 'other-admin@scenarios.example', 'admin', null, at);
    const otherCampaign = await campaign(transaction, other, 'Not yours', at);

    return {
      apiKey: demo.apiKey,
      teamId: demo.teamId,
      scenarios: {
        team_blocked: { apiKey: await key(transaction, blockedAdmin, 'read_write', at), expect: 'team_blocked' },
        missing_subscription: { apiKey: await key(transaction, lapsedAdmin, 'read_write', at), expect: 'missing_subscription' },
        missing_team_admin: { apiKey: await key(transaction, adminlessMember, 'read_write', at), expect: 'missing_team_admin' },
        user_is_disabled: { apiKey: await key(transaction, disabledMember, 'read_write', at), expect: 'user_is_disabled' },
        user_not_admin: { apiKey: await key(transaction, member, 'read_write', at), expect: 'user_not_admin' },
        read_only: { apiKey: await key(transaction, demo.userId, 'read_only', at), expect: 'not_authorized' },
        quota_nearly_full: {
          apiKey: await key(transaction, quotaAdmin, 'read_write', at),
          expect: 'exceeds_monthly_recipients',
          campaignId: quotaCampaign,
          quota: scenarioQuota,
        },
      },
      otherTeamCampaignId: otherCampaign,
      session: { email: 'session-user@scenarios.example', password: sessionPassword },
    };
  });
}

type Writer = Transaction<Database>;

async function team(
  db: Writer,
  name: string,
  state: { blocked_at: string | null; subscription: Subscription; monthly_recipient_quota?: number },
  at: string,
): Promise<number> {
  const found = await db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirst();
  if (found !== undefined) {
    await db.updateTable('teams').set(state).where('id', '=', found.id).execute();
    return found.id;
  }
  const created = await db
    .insertInto('teams')
    .values({ name, created_at: at, ...state })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

async function user(
  db: Writer,
  teamId: number,
  email: string,
  role: UserRole,
  disabledAt: string | null,
  at: string,
): Promise<number> {
  const found = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (found !== undefined) {
    await db.updateTable('users').set({ team_id: teamId, role, disabled_at: disabledAt }).where('id', '=', found.id).execute();
    return found.id;
  }
  const name = email.split('@')[0] ?? email;
  const created = await db
    .insertInto('users')
    .values({ team_id: teamId, email, name, role, created_at: at, disabled_at: disabledAt, password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

async function key(db: Writer, userId: number, access: KeyAccess, at: string): Promise<string> {
  const issued = issueApiKey();
  await db
    .insertInto('api_keys')
    .values({
      user_id: userId,
      public_id: issued.publicId,
      secret_hash: issued.secretHash,
      label: 'Fixtures',
      access,
      created_at: at,
      revoked_at: null,
    })
    .execute();
  return issued.key;
}

async function campaign(db: Writer, teamId: number, name: string, at: string): Promise<number> {
  const found = await db.selectFrom('campaigns').select('id').where('team_id', '=', teamId).orderBy('id').executeTakeFirst();
  if (found !== undefined) return found.id;
  const created = await db
    .insertInto('campaigns')
    .values({ team_id: teamId, name, status: 'draft', created_at: at, updated_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

/** Sets what the team spent this calendar month (UTC), whatever it was. */
async function setMonthlyUsage(db: Writer, teamId: number, now: Date, used: number): Promise<void> {
  const month = now.toISOString().slice(0, 7);
  await db
    .insertInto('team_monthly_usage')
    .values({ team_id: teamId, month, recipients_added: used })
    .onConflict((conflict) => conflict.columns(['team_id', 'month']).doUpdateSet({ recipients_added: used }))
    .execute();
}
