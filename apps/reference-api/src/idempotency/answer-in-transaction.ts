import { answerHeaders, idempotencyErrors, type Claim, type ExistingRecord } from '@faultline/idempotency';
import { sendReplay } from '@faultline/fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database/schema.js';
import { insertDoneRecord, readRecord, sweepExpiredRecords } from './database-idempotency-store.js';

/** What a write route answers: the status, its own headers, and the payload its response schema serializes. */
export interface RouteAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Undefined for an answer without a body. */
  readonly payload?: unknown;
}

const jsonType = 'application/json; charset=utf-8';
const asIs = (body: unknown): string => body as string;

/** Thrown inside the transaction when another request with the key committed first: roll back, answer with its answer. */
const beaten = new Error('Another request with this Idempotency-Key committed first.');

/**
 * Runs a write route's work in one transaction and sends its answer. When the
 * request carries an `Idempotency-Key`, the key is claimed in that same
 * transaction: its record is read first (a replay or a reused key answers
 * from it, without the work), and the answer is written beside the work,
 * exactly as it will be sent (serialized by the route's response schema), by
 * an insert that fails if a live record of the key committed meanwhile. A
 * crash before the commit leaves neither the work nor its record (nor a claim
 * to wait out), one after it leaves both, and the retry gets the answer
 * replayed. Two requests with one key at once: the second to commit finds the
 * first's record, rolls back, and answers with the first's answer.
 *
 * An error thrown by `work` rolls it back, and nothing is recorded: no work
 * was done, so a retry runs again. Resolves once the answer is sent.
 */
export async function answerInTransaction(
  request: FastifyRequest,
  reply: FastifyReply,
  db: Kysely<Database>,
  work: (transaction: Transaction<Database>) => Promise<RouteAnswer>,
): Promise<void> {
  const claim = request.idempotencyClaim;
  if (claim === undefined || claim.settled) {
    const body = await db.transaction().execute(async (transaction) => serialize(reply, await work(transaction)));
    send(reply, body);
    return;
  }
  const now = Date.now();
  sweepExpiredRecords(db, now);
  let outcome: { body: string } | { found: ExistingRecord };
  try {
    outcome = await db.transaction().execute(async (transaction) => {
      // Read in the transaction, not before it: most keys are fresh, and one connection (one lock on SQLite,
      // one pool checkout on PostgreSQL) per request costs less than two. A replay commits an empty transaction.
      const found = await readRecord(transaction, claim.id, now);
      if (found !== undefined) return { found };
      const answer = await work(transaction);
      const body = serialize(reply, answer);
      const completion = claim.completion({ status: answer.status, headers: answerHeaders(reply.getHeaders()), body });
      if (!(await insertDoneRecord(transaction, completion, Date.now()))) throw beaten;
      return { body };
    });
  } catch (error) {
    // Whatever failed here (a unique external_id, a lost race), if a request with the key committed meanwhile,
    // its answer is this request's answer.
    const found = await readRecord(db, claim.id, Date.now());
    if (found === undefined) throw error;
    outcome = { found };
  }
  claim.markRecorded();
  if ('body' in outcome) send(reply, outcome.body);
  else answerFromRecord(reply, claim, outcome.found);
}

/** The answer a record found for the key gives: its replay, or 422 for another request's key (409 while it runs). */
function answerFromRecord(reply: FastifyReply, claim: Claim, found: ExistingRecord): void {
  const judged = claim.judge(found);
  // The status and headers set for the work that was rolled back are not this answer's.
  reply.removeHeader('location');
  reply.removeHeader('etag');
  reply.removeHeader('cache-control');
  if (judged.kind !== 'replay') throw idempotencyErrors.refused(reply.server.faultline.catalog, judged);
  sendReplay(reply, judged.answer);
}

function serialize(reply: FastifyReply, answer: RouteAnswer): string {
  reply.code(answer.status);
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  if (answer.payload === undefined) return '';
  reply.type(jsonType);
  return String(reply.serialize(answer.payload));
}

/**
 * Sends the answer. Returns nothing on purpose: a Fastify reply is a thenable
 * that settles when the response has gone, so returning one from an async
 * function would make its caller wait for that, and resolve with undefined.
 */
function send(reply: FastifyReply, body: string): void {
  if (body === '') reply.send();
  else reply.serializer(asIs).send(body);
}
