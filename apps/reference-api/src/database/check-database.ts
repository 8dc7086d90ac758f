import { sql, type Kysely } from 'kysely';
import { dialectOf } from './open-database.js';
import type { Database } from './schema.js';

/**
 * Whether the database can serve requests now, within `timeoutMs`: resolves
 * when it can, rejects with the reason when it cannot. On SQLite it takes
 * the write lock for an empty transaction, since reads go on while another
 * process holds that lock but no request that writes does; on PostgreSQL it
 * runs `select 1`. The check itself stays bounded by the database timeouts
 * after its caller has stopped waiting.
 *
 * @example
 * await checkDatabase(db, 1000); // throws when the database is locked, stalled or gone
 */
export async function checkDatabase(db: Kysely<Database>, timeoutMs: number): Promise<void> {
  const check =
    dialectOf(db) === 'sqlite'
      ? db.transaction().execute(async (transaction) => void (await sql`select 1`.execute(transaction)))
      : sql`select 1`.execute(db).then(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`The database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check, late]);
  } finally {
    clearTimeout(timer);
    // A check that loses the race still settles later; its failure is already reported.
    check.catch(() => {});
  }
}
