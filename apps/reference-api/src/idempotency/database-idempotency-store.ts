import type { Completion, ExistingRecord, IdempotencyStore, NewClaim } from '@faultline/idempotency';
import type { Kysely, Transaction } from 'kysely';
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
  #lastSweep = 0;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async claim(claim: NewClaim): Promise<ExistingRecord | undefined> {
    this.#sweep(claim.now);
    const row = {
      fingerprint: claim.fingerprint,
      state: 'running' as const,
      token: claim.token,
      expires_at: claim.expiresAt,
      answer: null,
    };
    // Three rounds: a record can vanish (released, swept) or be taken over between two statements.
    for (let round = 0; round < 3; round += 1) {
      const inserted = await this.#db
        .insertInto('idempotency_records')
        .values({ id: claim.id, ...row })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted !== undefined) return undefined;
      const found = await this.#db
        .selectFrom('idempotency_records')
        .select(['fingerprint', 'state', 'token', 'expires_at', 'answer'])
        .where('id', '=', claim.id)
        .executeTakeFirst();
      if (found === undefined) continue;
      const expiresAt = Number(found.expires_at);
      if (expiresAt > claim.now) {
        return found.state === 'done'
          ? { state: 'done', fingerprint: found.fingerprint, expiresAt, answer: found.answer ?? '' }
          : { state: 'running', fingerprint: found.fingerprint, expiresAt };
      }
      // Expired: a dead claim or a forgotten answer. Taken over only if it is still the record just read.
      const taken = await this.#db
        .updateTable('idempotency_records')
        .set(row)
        .where('id', '=', claim.id)
        .where('token', '=', found.token)
        .where('expires_at', '<=', claim.now)
        .returning('id')
        .executeTakeFirst();
      if (taken !== undefined) return undefined;
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

  /** Deletes expired records once a minute at most, without holding up the claim. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < sweepIntervalMs) return;
    this.#lastSweep = now;
    this.#db
      .deleteFrom('idempotency_records')
      .where('expires_at', '<=', now)
      .execute()
      .catch(() => {
        // The next sweep tries again; expired records are ignored meanwhile.
      });
  }
}

/**
 * Writes a request's answer over its claim, in `executor`: the database, or
 * the transaction of the work the answer records. Resolves false when the
 * claim is no longer this request's (it expired and another request took the
 * key): the caller then rolls its transaction back.
 */
export async function recordAnswer(executor: Kysely<Database> | Transaction<Database>, completion: Completion): Promise<boolean> {
  const result = await executor
    .updateTable('idempotency_records')
    .set({ state: 'done', answer: completion.answer, expires_at: completion.expiresAt })
    .where('id', '=', completion.id)
    .where('token', '=', completion.token)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
