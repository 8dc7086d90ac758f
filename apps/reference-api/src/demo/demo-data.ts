import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { issueApiKey, parseApiKey, secretMatches } from '../authentication/api-keys.js';
import type { Database } from '../database/schema.js';

/** What scripts need to use the demo account. */
export interface DemoCredentials {
  readonly apiKey: string;
  readonly teamId: number;
  readonly userId: number;
  readonly email: string;
}

const demoEmail = 'demo@example.com';

/**
 * Creates the demo team, admin and API key if they are missing, and returns
 * their credentials. Only a hash of the key is in the database, so the key
 * itself is kept in a local file next to it (mode 0600): demo data, on the
 * developer's machine. When that file is lost, a new key is issued.
 */
export async function ensureDemoData(
  db: Kysely<Database>,
  credentialsFile: string,
): Promise<{ credentials: DemoCredentials; created: boolean }> {
  const saved = readSaved(credentialsFile);
  const user = await db.selectFrom('users').select(['id', 'team_id']).where('email', '=', demoEmail).executeTakeFirst();
  // The saved key counts only if this database knows it: the file may come from another
  // database (`sqlite::memory:` and the default file share data/), or the key was revoked.
  if (user !== undefined && saved !== undefined && saved.userId === user.id && (await isLiveKey(db, user.id, saved.apiKey)))
    return { credentials: saved, created: false };

  const credentials = await db.transaction().execute(async (transaction) => {
    const now = new Date().toISOString();
    let owner = user;
    if (owner === undefined) {
      const team = await transaction
        .insertInto('teams')
        .values({ name: 'Demo team', created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const created = await transaction
        .insertInto('users')
        .values({ team_id: team.id, email: demoEmail, name: 'Demo admin', role: 'admin', created_at: now })
        .returning(['id', 'team_id'])
        .executeTakeFirstOrThrow();
      owner = created;
    }
    const key = issueApiKey();
    await transaction
      .insertInto('api_keys')
      .values({
        user_id: owner.id,
        public_id: key.publicId,
        secret_hash: key.secretHash,
        label: 'Demo key',
        created_at: now,
        revoked_at: null,
      })
      .execute();
    return { apiKey: key.key, teamId: owner.team_id, userId: owner.id, email: demoEmail };
  });
  writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  // `mode` applies only when the file is created; an existing file keeps its permissions otherwise.
  chmodSync(credentialsFile, 0o600);
  return { credentials, created: true };
}

/** True when `apiKey` is an unrevoked key of this user in this database. */
async function isLiveKey(db: Kysely<Database>, userId: number, apiKey: string): Promise<boolean> {
  const parts = parseApiKey(apiKey);
  if (parts === undefined) return false;
  const row = await db
    .selectFrom('api_keys')
    .select('secret_hash')
    .where('public_id', '=', parts.publicId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined && secretMatches(parts.secret, row.secret_hash);
}

function readSaved(file: string): DemoCredentials | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoCredentials>;
    return typeof value.apiKey === 'string' && typeof value.userId === 'number' ? (value as DemoCredentials) : undefined;
  } catch {
    return undefined;
  }
}
