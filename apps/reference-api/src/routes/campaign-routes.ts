import { builtinCatalog } from '@faultline/core';
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Campaign, CampaignStatus, Database } from '../database/schema.js';
import {
  campaignIdParams,
  campaignPageResponse,
  campaignResponse,
  createCampaignBody,
  listQuery,
} from '@faultline/reference-contract';
import { decodeCursor, pageOf } from './pagination.js';
import type { RouteContext } from './route-context.js';

interface IdParams {
  id: number;
}

/** The campaign as clients see it. */
export function presentCampaign(campaign: Campaign) {
  return {
    id: campaign.id,
    name: campaign.name,
    status: campaign.status,
    created_at: campaign.created_at,
    updated_at: campaign.updated_at,
  };
}

/**
 * A campaign of the caller's team, or undefined. A campaign of another team
 * is looked for with the team in the query, so it is indistinguishable from
 * one that does not exist.
 */
export function findCampaign(db: Kysely<Database>, teamId: number, id: number): Promise<Campaign | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).where('team_id', '=', teamId).executeTakeFirst();
}

/** Which status a transition starts from, and where it leads. */
const transitions: Record<'pause' | 'resume', { from: readonly CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['draft', 'paused'], to: 'active' },
};

export const campaignRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/campaigns',
    {
      schema: {
        operationId: 'listCampaigns',
        summary: 'List campaigns',
        tags: ['campaigns'],
        querystring: listQuery,
        response: { 200: { ...campaignPageResponse, description: 'One page of campaigns, oldest first.' } },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor);
      let query = db
        .selectFrom('campaigns')
        .selectAll()
        .where('team_id', '=', request.principal.teamId)
        .orderBy('id', 'asc')
        .limit(request.query.limit + 1);
      if (after !== undefined) query = query.where('id', '>', after);
      return pageOf(await query.execute(), request.query.limit, presentCampaign);
    },
  );

  app.post<{ Body: { name: string } }>(
    '/campaigns',
    {
      schema: {
        operationId: 'createCampaign',
        summary: 'Create a campaign',
        tags: ['campaigns'],
        body: createCampaignBody,
        response: { 201: { ...campaignResponse, description: 'The campaign, created as a draft; `Location` is its URL.' } },
      },
    },
    async (request, reply) => {
      const now = new Date().toISOString();
      const campaign = await db
        .insertInto('campaigns')
        .values({ team_id: request.principal.teamId, name: request.body.name, status: 'draft', created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      return reply.code(201).header('location', `/v1/campaigns/${campaign.id}`).send(presentCampaign(campaign));
    },
  );

  app.get<{ Params: IdParams }>(
    '/campaigns/:id',
    {
      schema: {
        operationId: 'getCampaign',
        summary: 'Get a campaign',
        tags: ['campaigns'],
        params: campaignIdParams,
        response: { 200: { ...campaignResponse, description: 'The campaign.' } },
      },
    },
    async (request) => {
      const campaign = await findCampaign(db, request.principal.teamId, request.params.id);
      if (campaign === undefined) throw notFound(request.params.id);
      return presentCampaign(campaign);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/campaigns/:id',
    {
      schema: {
        operationId: 'deleteCampaign',
        summary: 'Delete a campaign',
        tags: ['campaigns'],
        params: campaignIdParams,
        response: { 204: { type: 'null', description: 'Deleted, with its recipients.' } },
      },
    },
    async (request, reply) => {
      const result = await db
        .deleteFrom('campaigns')
        .where('id', '=', request.params.id)
        .where('team_id', '=', request.principal.teamId)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) throw notFound(request.params.id);
      return reply.code(204).send();
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: IdParams }>(
      `/campaigns/:id/${action}`,
      {
        schema: {
          operationId: `${action}Campaign`,
          summary: action === 'pause' ? 'Pause an active campaign' : 'Start or resume a campaign',
          tags: ['campaigns'],
          params: campaignIdParams,
          response: {
            200: {
              ...campaignResponse,
              description: `The campaign, ${transitions[action].to}; repeating the call is a success.`,
            },
          },
        },
      },
      async (request) => {
        const campaign = await findCampaign(db, request.principal.teamId, request.params.id);
        if (campaign === undefined) {
          throw builtinCatalog.error('missing_dependent_data', {
            detail: `Cannot ${action} campaign ${request.params.id}: no campaign of your team has this id.`,
          });
        }
        const { from, to } = transitions[action];
        // Repeating a transition that already happened is a success, so a client may safely retry it.
        if (campaign.status === to) return presentCampaign(campaign);
        if (!from.includes(campaign.status)) {
          throw builtinCatalog.error('unspecified_error', {
            detail: `Campaign ${campaign.id} is ${campaign.status}; only ${from.join(' or ')} campaigns can be ${action}d.`,
          });
        }
        const updated = await db
          .updateTable('campaigns')
          .set({ status: to, updated_at: new Date().toISOString() })
          .where('id', '=', campaign.id)
          .where('status', '=', campaign.status)
          .returningAll()
          .executeTakeFirst();
        if (updated === undefined) {
          throw builtinCatalog.error('conflict', {
            detail: `Campaign ${campaign.id} changed while it was being ${action}d; fetch it and try again.`,
          });
        }
        return presentCampaign(updated);
      },
    );
  }
};

function notFound(id: number) {
  return builtinCatalog.error('not_found', { detail: `No campaign of your team has id ${id}.` });
}
