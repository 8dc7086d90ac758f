import { builtinCatalog, fieldValidationError, isApiError, type FieldErrorInput } from '@faultline/core';
import { isPartialValidation, partialValidationNote, validationFieldErrors } from '@faultline/fastify';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Recipient } from '../database/schema.js';
import {
  addRecipientsBody,
  addRecipientsResponse,
  campaignIdParams,
  listQuery,
  maxRecipientsPerRequest,
  recipientPageResponse,
} from '@faultline/reference-contract';
import { findCampaign } from './campaign-routes.js';
import { chargeMonthlyRecipients, lockMonthlyUsage, systemClock, type Clock } from '../quota/monthly-recipient-quota.js';
import { decodeCursor, pageOf } from './pagination.js';
import type { RouteContext } from './route-context.js';
import { answerInTransaction } from '../idempotency/answer-in-transaction.js';

interface IdParams {
  id: number;
}

interface NewRecipient {
  email: string;
  name?: string;
}

/** Room for 10,000 recipients with long names and addresses. */
const recipientsBodyLimit = 5 * 1024 * 1024;
/**
 * Rows per INSERT: 4 bound values a row, so 2,000 a statement, well within SQLite's 32,766 and
 * PostgreSQL's 65,535; 10,000 recipients take 20 statements.
 */
const insertBatch = 500;

function presentRecipient(recipient: Recipient) {
  return { id: recipient.id, email: recipient.email, name: recipient.name, created_at: recipient.created_at };
}

/** What the recipient routes are given: the database, and a clock for the quota's month (the system's by default). */
export interface RecipientRouteOptions extends RouteContext {
  readonly clock?: Clock;
}

export const recipientRoutes: FastifyPluginAsync<RecipientRouteOptions> = async (app, { db, clock = systemClock }) => {
  app.get<{ Params: IdParams; Querystring: { limit: number; cursor?: string } }>(
    '/campaigns/:id/recipients',
    {
      config: { errors: ['missing_dependent_data'] },
      schema: {
        operationId: 'listRecipients',
        summary: 'List a campaign’s recipients',
        tags: ['recipients'],
        params: campaignIdParams,
        querystring: listQuery,
        response: { 200: { ...recipientPageResponse, description: 'One page of recipients, oldest first.' } },
      },
    },
    async (request) => {
      const campaign = await findCampaign(db, request.principal.teamId, request.params.id);
      if (campaign === undefined) throw missingCampaign(request.params.id);
      const after = decodeCursor(request.query.cursor);
      let query = db
        .selectFrom('recipients')
        .selectAll()
        .where('campaign_id', '=', campaign.id)
        .orderBy('id', 'asc')
        .limit(request.query.limit + 1);
      if (after !== undefined) query = query.where('id', '>', after);
      return pageOf(await query.execute(), request.query.limit, presentRecipient);
    },
  );

  app.post<{ Params: IdParams; Body: { recipients: NewRecipient[] } }>(
    '/campaigns/:id/recipients',
    {
      config: { errors: ['missing_dependent_data', 'exceeds_monthly_recipients', 'service_unavailable'] },
      schema: {
        operationId: 'addRecipients',
        summary: 'Add recipients to a campaign',
        description:
          'Adds the batch in one transaction, whole or not at all. Addresses the campaign already has are skipped; ' +
          'an address twice in the batch (ignoring case) is refused with the other invalid items, each named by its ' +
          'JSON pointer. The recipients added count against the team’s monthly quota (calendar month, UTC).',
        tags: ['recipients'],
        params: campaignIdParams,
        body: addRecipientsBody,
        response: {
          201: { ...addRecipientsResponse, description: 'Added in one transaction; addresses already there are skipped.' },
        },
      },
      bodyLimit: recipientsBodyLimit,
      // The handler reports schema failures itself, together with the addresses repeated in the batch.
      attachValidation: true,
      // A 5 MiB body can hold hundreds of thousands of tiny items: refused by their count before the
      // schema checks each one, which would hold the event loop for seconds.
      preValidation: refuseOversizedBatch,
    },
    async (request, reply) => {
      refuseInvalidItems(request);
      const now = clock();
      const createdAt = now.toISOString();
      const sent = request.body.recipients.length;
      try {
        const campaign = await findCampaign(db, request.principal.teamId, request.params.id);
        if (campaign === undefined) throw missingCampaign(request.params.id);
        const rows = request.body.recipients.map((recipient) => ({
          campaign_id: campaign.id,
          email: recipient.email.toLowerCase(),
          name: recipient.name ?? null,
          created_at: createdAt,
        }));
        // One transaction: the batch is added and charged to the quota whole, or not at all, with its answer
        // recorded for the request's Idempotency-Key, so a retried batch is never added or charged twice.
        return await answerInTransaction(request, reply, db, async (transaction) => {
          const usage = await lockMonthlyUsage(transaction, campaign.team_id, now);
          let added = 0;
          for (let start = 0; start < rows.length; start += insertBatch) {
            const result = await transaction
              .insertInto('recipients')
              .values(rows.slice(start, start + insertBatch))
              .onConflict((conflict) => conflict.columns(['campaign_id', 'email']).doNothing())
              .executeTakeFirst();
            added += Number(result.numInsertedOrUpdatedRows ?? 0n);
          }
          await chargeMonthlyRecipients(transaction, usage, added, now);
          return { status: 201, payload: { added, skipped: sent - added } };
        });
      } catch (error) {
        if (isApiError(error)) throw error;
        if (isForeignKeyViolation(error)) throw missingCampaign(request.params.id);
        // Fail closed: a database that cannot check the quota adds nothing, and the client may retry shortly.
        request.log.error({ err: error }, 'Adding recipients failed in the database');
        throw builtinCatalog.error('service_unavailable', {
          detail: 'The database did not complete the request, so no recipients were added. Try again shortly.',
          retryAt: new Date(Date.now() + retryAfterDatabaseFailureMs),
        });
      }
    },
  );
};

/** How long a client should wait after the database failed a request. */
const retryAfterDatabaseFailureMs = 5_000;

/**
 * Refuses the batch with every invalid item in one answer: the schema's
 * failures and each address that repeats an earlier one of the batch (ignoring
 * case), by JSON pointer, worded and counted as any field error, with at most
 * the plugin's `maxFieldErrors` (100) listed and the total in the detail.
 */
function refuseInvalidItems(request: FastifyRequest<{ Params: IdParams; Body: { recipients: NewRecipient[] } }>): void {
  const failed = request.validationError;
  // A failing path or query is answered as usual, with the body's failures after it.
  if (failed !== undefined && failed.validationContext !== 'body') throw failed;
  const schemaFields = validationFieldErrors(request);
  const reported = new Set(schemaFields.map((field) => field.pointer));
  const repeats = repeatedAddresses(request.body as unknown).filter((repeat) => !reported.has(repeat.pointer));
  if (schemaFields.length === 0 && repeats.length === 0) return;
  // Each pointer is read once, not once per comparison: a batch of 10,000 failures sorts in milliseconds.
  const fields = [...schemaFields, ...repeats]
    .map((field, order) => ({ field, index: itemIndex(field.pointer), order }))
    .sort((a, b) => a.index - b.index || a.order - b.order)
    .map(({ field }) => field);
  const error = fieldValidationError(fields, request.server.faultline);
  if (!isPartialValidation(request)) throw error;
  // A batch too large to check in full lists the schema's first failure only: the client is told so.
  throw request.server.faultline.catalog.error(error.code, {
    detail: error.detail + partialValidationNote,
    errors: error.errors,
  });
}

/** Each address of the batch that an earlier one repeats, ignoring case, as a field error at its pointer. */
function repeatedAddresses(body: unknown): FieldErrorInput[] {
  const recipients = typeof body === 'object' && body !== null ? (body as { recipients?: unknown }).recipients : undefined;
  if (!Array.isArray(recipients)) return [];
  const first = new Map<string, number>();
  const repeats: FieldErrorInput[] = [];
  recipients.forEach((recipient: unknown, index) => {
    const email = typeof recipient === 'object' && recipient !== null ? (recipient as { email?: unknown }).email : undefined;
    if (typeof email !== 'string') return;
    const key = email.toLowerCase();
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return;
    }
    repeats.push({
      pointer: `/recipients/${index}/email`,
      location: 'body',
      detail: `repeats the address of /recipients/${earlier}/email (addresses are compared ignoring case)`,
    });
  });
  return repeats;
}

/** The recipient a pointer is about, so the answer lists items in order; fields outside the list come first. */
function itemIndex(pointer: string): number {
  const match = /^\/recipients\/(\d+)(\/|$)/.exec(pointer);
  return match === null ? -1 : Number(match[1]);
}

/** The campaign went away between the lookup and the insert. */
function isForeignKeyViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

function refuseOversizedBatch(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  const recipients = (request.body as { recipients?: unknown } | undefined)?.recipients;
  if (Array.isArray(recipients) && recipients.length > maxRecipientsPerRequest) {
    done(
      fieldValidationError(
        [
          {
            pointer: '/recipients',
            location: 'body',
            // Ajv's words for the schema's maxItems: the answer is the same whichever check caught it.
            detail: `must NOT have more than ${maxRecipientsPerRequest} items`,
          },
        ],
        request.server.faultline,
      ),
    );
    return;
  }
  done();
}

function missingCampaign(id: number) {
  return builtinCatalog.error('missing_dependent_data', {
    detail: `No campaign of your team has id ${id}, so it has no recipients.`,
  });
}
