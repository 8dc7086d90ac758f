import type { Completion, ExistingRecord, IdempotencyStore, NewClaim } from '@faultline/idempotency';
import { CompiledQuery, sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../database/schema.js';

/** How often expired records are swept from the table, at most. */
const sweepIntervalMs = 60_000;

/**
 * Idempotency records in the application's own database (SQLite or
 * PostgreSQL), so every process on it shares the keys and, above all, a
 * route can write its answer in the transaction of its work with
 * {@link recordAnswer}: a crash leaves both or neither.
 *
 * A claim is one INSERT … ON CONFLICT DO NOTHING, atomic on both engines; an
 * expired record is taken over by an UPDATE that names the record it read.
 */
export class DatabaseIdempotencyStore implements IdempotencyStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async claim(claim: NewClaim): Promise<ExistingRecord | undefined> {
    sweepExpiredRecords(this.#db, claim.now);
    // Three rounds: a record can vanish (released, swept) or be taken over between two statements.
    // Written as SQL, the same on both engines: this runs on every request with a key, and building it
    // with Kysely's query builder would cost more than running it.
    for (let round = 0; round < 3; round += 1) {
      const inserted = await sql<{
        id: string;
      }>`insert into idempotency_records (id, fingerprint, state, token, expires_at, answer)
        values (${claim.id}, ${claim.fingerprint}, 'running', ${claim.token}, ${claim.expiresAt}, null)
        on conflict (id) do nothing returning id`.execute(this.#db);
      if (inserted.rows.length > 0) return undefined;
      const found = (
        await sql<{ fingerprint: string; state: string; token: string; expires_at: number | string; answer: string | null }>`
          select fingerprint, state, token, expires_at, answer from idempotency_records where id = ${claim.id}`.execute(this.#db)
      ).rows[0];
      if (found === undefined) continue;
      const expiresAt = Number(found.expires_at);
      if (expiresAt > claim.now) {
        return found.state === 'done'
          ? { state: 'done', fingerprint: found.fingerprint, expiresAt, answer: found.answer ?? '' }
          : { state: 'running', fingerprint: found.fingerprint, expiresAt };
      }
      // Expired: a dead claim or a forgotten answer. Taken over only if it is still the record just read.
      const taken = await sql<{ id: string }>`update idempotency_records
        set fingerprint = ${claim.fingerprint}, state = 'running', token = ${claim.token}, expires_at = ${claim.expiresAt}, answer = null
        where id = ${claim.id} and token = ${found.token} and expires_at <= ${claim.now} returning id`.execute(this.#db);
      if (taken.rows.length > 0) return undefined;
    }
    throw new Error('The idempotency record kept changing while it was being claimed.');
  }

  complete(completion: Completion): Promise<boolean> {
    return recordAnswer(this.#db, completion);
  }

  async release(id: string, token: string): Promise<void> {
    await this.#db
      .deleteFrom('idempotency_records')
      .where('id', '=', id)
      .where('token', '=', token)
      .where('state', '=', 'running')
      .execute();
  }
}

/** When each database's expired records were last swept. */
const lastSweeps = new WeakMap<Kysely<Database>, number>();

/**
 * Deletes expired records (dead claims, forgotten answers) once a minute at
 * most per database, without holding up the request that called it. Every
 * request with a key calls it, whether its key is claimed by the store or in
 * the transaction of its work, so the table holds about a day of answers.
 */
export function sweepExpiredRecords(db: Kysely<Database>, now: number): void {
  if (now - (lastSweeps.get(db) ?? 0) < sweepIntervalMs) return;
  lastSweeps.set(db, now);
  db.deleteFrom('idempotency_records')
    .where('expires_at', '<=', now)
    .execute()
    .catch(() => {
      // The next sweep tries again; expired records are ignored meanwhile.
    });
}

/**
 * Writes a request's answer over its claim, in `executor`: the database, or
 * the transaction of the work the answer records. Resolves false when the
 * claim is no longer this request's (it expired and another request took the
 * key): the caller then rolls its transaction back.
 */
export async function recordAnswer(executor: Kysely<Database> | Transaction<Database>, completion: Completion): Promise<boolean> {
  const result =
    await sql`update idempotency_records set state = 'done', answer = ${completion.answer}, expires_at = ${completion.expiresAt}
    where id = ${completion.id} and token = ${completion.token} and state = 'running'`.execute(executor);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * A statement run on every request with a key, compiled once per dialect
 * (the placeholders differ: `?` on SQLite, `$1` on PostgreSQL) rather than
 * built and compiled by Kysely each time; only its parameters change.
 */
function compiledOnce<P extends readonly unknown[]>(build: (...parameters: P) => RawBuilder<unknown>) {
  const texts = new WeakMap<object, string>();
  return <R>(executor: Kysely<Database> | Transaction<Database>, ...parameters: P) => {
    const { adapter } = executor.getExecutor();
    let text = texts.get(adapter);
    if (text === undefined) {
      text = build(...parameters).compile(executor).sql;
      texts.set(adapter, text);
    }
    return executor.executeQuery<R>(CompiledQuery.raw(text, parameters as unknown as unknown[]));
  };
}

const selectRecord = compiledOnce(
  (id: string) => sql`select fingerprint, state, expires_at, answer from idempotency_records where id = ${id}`,
);

/**
 * The live record of a key, read in `executor` (the transaction of the work, or the database), or undefined.
 * Expired records count as none.
 */
export async function readRecord(
  executor: Kysely<Database> | Transaction<Database>,
  id: string,
  now: number,
): Promise<ExistingRecord | undefined> {
  const found = (
    await selectRecord<{ fingerprint: string; state: string; expires_at: number | string; answer: string | null }>(executor, id)
  ).rows[0];
  if (found === undefined || Number(found.expires_at) <= now) return undefined;
  const expiresAt = Number(found.expires_at);
  return found.state === 'done'
    ? { state: 'done', fingerprint: found.fingerprint, expiresAt, answer: found.answer ?? '' }
    : { state: 'running', fingerprint: found.fingerprint, expiresAt };
}

const insertDone = compiledOnce(
  (id: string, fingerprint: string, token: string, expiresAt: number, answer: string, now: number) =>
    sql`insert into idempotency_records (id, fingerprint, state, token, expires_at, answer)
    values (${id}, ${fingerprint}, 'done', ${token}, ${expiresAt}, ${answer})
    on conflict (id) do update set fingerprint = excluded.fingerprint, state = 'done', token = excluded.token,
      expires_at = excluded.expires_at, answer = excluded.answer
    where idempotency_records.expires_at <= ${now}`,
);

/**
 * Writes a finished request's record in the transaction of its work, over an
 * expired record of the key if there is one. Resolves false when a live
 * record is there: another request with the key committed first (on
 * PostgreSQL this waits for it), and this transaction must roll back.
 */
export async function insertDoneRecord(
  transaction: Transaction<Database>,
  completion: Completion,
  now: number,
): Promise<boolean> {
  const { id, fingerprint, expiresAt, answer } = completion;
  // No token: a token guards a running claim, and this record is born done. The count of rows written, not
  // RETURNING: a live record makes the upsert write none, and SQLite then builds no result.
  const written = await insertDone(transaction, id, fingerprint, '', expiresAt, answer, now);
  return Number(written.numAffectedRows ?? 0) === 1;
}
