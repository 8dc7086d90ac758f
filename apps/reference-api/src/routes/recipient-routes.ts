import { builtinCatalog } from '@faultline/core';
import type { FastifyPluginAsync } from 'fastify';
import type { Recipient } from '../database/schema.js';
import {
  addRecipientsBody,
  addRecipientsResponse,
  campaignIdParams,
  listQuery,
  recipientPageResponse,
} from '@faultline/reference-contract';
import { findCampaign } from './campaign-routes.js';
import { decodeCursor, pageOf } from './pagination.js';
import type { RouteContext } from './route-context.js';

interface IdParams {
  id: number;
}

interface NewRecipient {
  email: string;
  name?: string;
}

/** Room for 10,000 recipients with long names and addresses. */
const recipientsBodyLimit = 5 * 1024 * 1024;
/** SQLite allows 32,766 bound values per statement; 4 columns a row leaves room for 500 rows a batch. */
const insertBatch = 500;

function presentRecipient(recipient: Recipient) {
  return { id: recipient.id, email: recipient.email, name: recipient.name, created_at: recipient.created_at };
}

export const recipientRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get<{ Params: IdParams; Querystring: { limit: number; cursor?: string } }>(
    '/campaigns/:id/recipients',
    {
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
      schema: {
        operationId: 'addRecipients',
        summary: 'Add recipients to a campaign',
        tags: ['recipients'],
        params: campaignIdParams,
        body: addRecipientsBody,
        response: {
          201: { ...addRecipientsResponse, description: 'Added in one transaction; addresses already there are skipped.' },
        },
      },
      bodyLimit: recipientsBodyLimit,
    },
    async (request, reply) => {
      const campaign = await findCampaign(db, request.principal.teamId, request.params.id);
      if (campaign === undefined) throw missingCampaign(request.params.id);
      const now = new Date().toISOString();
      const rows = request.body.recipients.map((recipient) => ({
        campaign_id: campaign.id,
        email: recipient.email.toLowerCase(),
        name: recipient.name ?? null,
        created_at: now,
      }));
      // One transaction: the batch is added whole or not at all.
      const added = await db.transaction().execute(async (transaction) => {
        let count = 0;
        for (let start = 0; start < rows.length; start += insertBatch) {
          const result = await transaction
            .insertInto('recipients')
            .values(rows.slice(start, start + insertBatch))
            .onConflict((conflict) => conflict.columns(['campaign_id', 'email']).doNothing())
            .executeTakeFirst();
          count += Number(result.numInsertedOrUpdatedRows ?? 0n);
        }
        return count;
      });
      return reply.code(201).send({ added, skipped: rows.length - added });
    },
  );
};

function missingCampaign(id: number) {
  return builtinCatalog.error('missing_dependent_data', {
    detail: `No campaign of your team has id ${id}, so it has no recipients.`,
  });
}
