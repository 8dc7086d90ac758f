import { builtinCatalog, type ApiError } from '@faultline/core';
import { answerHeaders } from '@faultline/idempotency';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database/schema.js';
import { recordAnswer } from './database-idempotency-store.js';

/** What a write route answers: the status, its own headers, and the payload its response schema serializes. */
export interface RouteAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Undefined for an answer without a body. */
  readonly payload?: unknown;
}

const jsonType = 'application/json; charset=utf-8';
const asIs = (body: unknown): string => body as string;

/**
 * Runs a write route's work in one transaction and sends its answer. When the
 * request holds an `Idempotency-Key`, the answer is written in that same
 * transaction, exactly as it will be sent (serialized by the route's response
 * schema): a crash before the commit leaves neither the work nor its record,
 * one after it leaves both, and the retry gets the answer replayed.
 *
 * An error thrown by `work` rolls it back; the idempotency plugin then stores
 * or releases that error answer (see `Idempotency.keeps`).
 */
export async function answerInTransaction(
  request: FastifyRequest,
  reply: FastifyReply,
  db: Kysely<Database>,
  work: (transaction: Transaction<Database>) => Promise<RouteAnswer>,
): Promise<FastifyReply> {
  const claim = request.idempotencyClaim;
  const body = await db.transaction().execute(async (transaction) => {
    const answer = await work(transaction);
    reply.code(answer.status);
    for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
    if (answer.payload !== undefined) reply.type(jsonType);
    const serialized = answer.payload === undefined ? '' : String(reply.serialize(answer.payload));
    if (claim !== undefined && !claim.settled) {
      const stored = await recordAnswer(
        transaction,
        claim.completion({ status: answer.status, headers: answerHeaders(reply.getHeaders()), body: serialized }),
      );
      // The claim expired and another request took the key: this work must not commit beside that one's.
      if (!stored) throw claimLost();
    }
    return serialized;
  });
  claim?.markRecorded();
  return body === '' ? reply.send() : reply.serializer(asIs).send(body);
}

function claimLost(): ApiError {
  return builtinCatalog.error('idempotency_key_in_use', {
    detail:
      'This request took longer than its hold on the Idempotency-Key, and another request with the key started meanwhile, so this one was undone. Retry the same request to get that one’s answer.',
    retryAt: new Date(Date.now() + 1000),
  });
}
