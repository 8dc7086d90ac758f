import { builtinCatalog, fieldValidationError } from '@faultline/core';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { Campaign, CampaignStatus, CampaignsTable, Database } from '../database/schema.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import {
  campaignIdParams,
  campaignPageResponse,
  campaignResponse,
  createCampaignBody,
  listCampaignsQuery,
  updateCampaignBody,
  type CreateCampaignInput,
  type UpdateCampaignInput,
} from '@faultline/reference-contract';
import {
  campaignEtag,
  conditionalHeaders,
  ifMatchHolds,
  ifNoneMatchMatches,
  parseEntityTags,
  preconditionFailed,
  type EntityTags,
} from './conditional-requests.js';
import { decodeCursor, pageOf } from './pagination.js';
import { parseDateTime } from './date-time.js';
import type { RouteContext } from './route-context.js';
import { locationHeader } from '../contract/route-contract.js';
import { answerInTransaction, type RouteAnswer } from '../idempotency/answer-in-transaction.js';

interface IdParams {
  id: number;
}

/** The campaign as clients see it. */
export function presentCampaign(campaign: Campaign) {
  return {
    id: campaign.id,
    external_id: campaign.external_id,
    name: campaign.name,
    status: campaign.status,
    scheduled_at: campaign.scheduled_at,
    sender: campaign.sender_email === null ? null : { email: campaign.sender_email, name: campaign.sender_name },
    created_at: campaign.created_at,
    updated_at: campaign.updated_at,
  };
}

/**
 * A campaign of the caller's team, or undefined. A campaign of another team
 * is looked for with the team in the query, so it is indistinguishable from
 * one that does not exist.
 */
export function findCampaign(
  db: Kysely<Database> | Transaction<Database>,
  teamId: number,
  id: number,
): Promise<Campaign | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).where('team_id', '=', teamId).executeTakeFirst();
}

/** The campaign as an answer: its `ETag`, and any other header (`Location` of a new one). */
function campaignAnswer(campaign: Campaign, status = 200, headers: Record<string, string> = {}): RouteAnswer {
  return { status, headers: { ...headers, etag: campaignEtag(campaign) }, payload: presentCampaign(campaign) };
}

/** Which status a transition starts from, and where it leads. */
const transitions: Record<'pause' | 'resume', { from: readonly CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['draft', 'paused'], to: 'active' },
};

/** Where `PATCH` may move a campaign's status; archived is final. */
const patchTransitions: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['active', 'archived'],
  active: ['paused', 'archived'],
  paused: ['active', 'archived'],
  archived: [],
};

/**
 * How often a write without `If-Match` re-reads and reapplies itself when
 * another write got in between. Each lost round means another write won, so
 * this only runs out under more concurrent writers of one campaign than this;
 * then the answer is a 409 conflict.
 */
const maxAttempts = 20;

/** Thrown inside a write's transaction when another write changed the campaign first: rolled back, and tried again. */
const lostRace = new Error('The campaign changed since it was read.');

const campaignHeaders = {
  ETag: {
    type: 'string',
    maxLength: 40,
    pattern: '^"c[0-9]+-v[0-9]+"$',
    description: 'The version of the campaign, a strong entity tag such as `"c12-v3"`; send it in `If-Match` or `If-None-Match`.',
  },
} as const;

const withEtag = <T extends object>(schema: T, description: string) => ({ ...schema, description, headers: campaignHeaders });

export const campaignRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  const sendCampaign = (reply: FastifyReply, campaign: Campaign, status = 200) =>
    reply.code(status).header('etag', campaignEtag(campaign)).send(presentCampaign(campaign));

  app.get<{ Querystring: { limit: number; cursor?: string; status?: CampaignStatus } }>(
    '/campaigns',
    {
      schema: {
        operationId: 'listCampaigns',
        summary: 'List campaigns',
        description:
          'One page of your team’s campaigns, oldest first; `status` keeps only those in one status. Keep the same `status` when you follow `next_cursor`.',
        tags: ['campaigns'],
        querystring: listCampaignsQuery,
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
      if (request.query.status !== undefined) query = query.where('status', '=', request.query.status);
      return pageOf(await query.execute(), request.query.limit, presentCampaign);
    },
  );

  app.post<{ Body: CreateCampaignInput }>(
    '/campaigns',
    {
      config: { errors: ['unspecified_error', 'conflict'] },
      schema: {
        operationId: 'createCampaign',
        summary: 'Create a campaign',
        description:
          'Creates a draft campaign. `external_id` is your own id for it: a second campaign with the same one in your team is a 409 `conflict` naming the campaign that has it, so a create retried with the same `external_id` never makes two. `scheduled_at` must be in the future.',
        tags: ['campaigns'],
        body: createCampaignBody,
        response: {
          201: {
            ...withEtag(campaignResponse, 'The campaign, created as a draft; `Location` is its URL, `ETag` its version.'),
            headers: { ...campaignHeaders, Location: locationHeader },
          },
        },
      },
    },
    async (request, reply) => {
      const { name, external_id: externalId = null, sender = null } = request.body;
      const sent = request.body.scheduled_at ?? null;
      const scheduledAt = futureTime(sent === null ? null : parseDateTime(sent, '/scheduled_at'));
      const now = new Date().toISOString();
      try {
        return await answerInTransaction(request, reply, db, async (transaction) => {
          const campaign = await transaction
            .insertInto('campaigns')
            .values({
              team_id: request.principal.teamId,
              name,
              status: 'draft',
              external_id: externalId,
              scheduled_at: scheduledAt,
              sender_email: sender?.email ?? null,
              sender_name: sender?.name ?? null,
              created_at: now,
              updated_at: now,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return campaignAnswer(campaign, 201, { location: `/v1/campaigns/${campaign.id}` });
        });
      } catch (error) {
        if (
          externalId === null ||
          !isUniqueViolation(error, { index: 'campaigns_external_id', columns: ['team_id', 'external_id'] })
        )
          throw error;
        // After the rollback: PostgreSQL runs nothing more in a transaction a statement failed in.
        const existing = await db
          .selectFrom('campaigns')
          .select('id')
          .where('team_id', '=', request.principal.teamId)
          .where('external_id', '=', externalId)
          .executeTakeFirst();
        const where = existing === undefined ? '' : ` by campaign ${existing.id} (/v1/campaigns/${existing.id})`;
        throw builtinCatalog.error('conflict', {
          detail: `Your team already uses external_id "${externalId}"${where}. Fetch that campaign instead of creating it again, or choose another external_id.`,
          cause: error,
          ...(existing === undefined ? {} : { extensions: { existing_campaign: `/v1/campaigns/${existing.id}` } }),
        });
      }
    },
  );

  app.get<{ Params: IdParams; Headers: { 'if-none-match'?: string } }>(
    '/campaigns/:id',
    {
      config: { errors: ['not_found'] },
      schema: {
        operationId: 'getCampaign',
        summary: 'Get a campaign',
        description:
          'The campaign and its `ETag`. With `If-None-Match` naming the current ETag (weak comparison, lists and `*` allowed), 304 without a body.',
        tags: ['campaigns'],
        params: campaignIdParams,
        headers: conditionalHeaders.ifNoneMatch,
        response: {
          200: withEtag(campaignResponse, 'The campaign.'),
          304: {
            type: 'null',
            description: 'Not modified: the `If-None-Match` names the current version.',
            headers: campaignHeaders,
          },
        },
      },
    },
    async (request, reply) => {
      const ifNoneMatch = parseEntityTags(request.headers['if-none-match'], 'if-none-match');
      const campaign = await findCampaign(db, request.principal.teamId, request.params.id);
      if (campaign === undefined) throw notFound(request.params.id);
      const etag = campaignEtag(campaign);
      if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, etag)) return reply.code(304).header('etag', etag).send();
      return sendCampaign(reply, campaign);
    },
  );

  app.patch<{ Params: IdParams; Body: UpdateCampaignInput; Headers: { 'if-match'?: string } }>(
    '/campaigns/:id',
    {
      config: { errors: ['missing_parameter', 'unspecified_error', 'not_found', 'conflict', 'precondition_failed'] },
      schema: {
        operationId: 'updateCampaign',
        summary: 'Change a campaign',
        description: [
          'A JSON merge patch (RFC 7396) sent as `application/json`: members you leave out stay, `null` removes `scheduled_at` or `sender`, and `sender` merges member by member.',
          '`status` may go draft → active, active ⇄ paused, or to archived, which is final: an archived campaign cannot change any more.',
          '`If-Match` is optional: with it (the `ETag` of your last read, or `*`) the change applies only if nobody changed the campaign since, otherwise 412 `precondition_failed` with the current `ETag`; without it, the change applies to the current version, last writer wins.',
          'A patch that changes nothing answers 200 and keeps the ETag.',
          'An `If-Match` that is neither `*` nor a list of quoted entity tags is a 400 `invalid_parameter` naming the header, not a 412.',
        ].join(' '),
        tags: ['campaigns'],
        params: campaignIdParams,
        headers: conditionalHeaders.ifMatch,
        body: updateCampaignBody,
        response: { 200: withEtag(campaignResponse, 'The campaign as changed, with its new `ETag`.') },
      },
    },
    async (request, reply) => {
      const ifMatch = parseEntityTags(request.headers['if-match'], 'if-match');
      const { teamId } = request.principal;
      const { id } = request.params;
      for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
        // Read outside the transaction, so another write may get in between; the version check below sees it.
        const campaign = await current(db, teamId, id, ifMatch);
        const changes = changesOf(campaign, request.body);
        const sent = await answerInTransaction(request, reply, db, async (transaction) => {
          if (changes === undefined) return campaignAnswer(campaign);
          const updated = await transaction
            .updateTable('campaigns')
            .set((eb) => ({ ...changes, updated_at: new Date().toISOString(), version: eb('version', '+', 1) }))
            .where('id', '=', id)
            .where('team_id', '=', teamId)
            .where('version', '=', campaign.version)
            .returningAll()
            .executeTakeFirst();
          // Another write got in between: read again; with an If-Match naming the old version that is a 412.
          if (updated === undefined) throw lostRace;
          return campaignAnswer(updated);
        }).then(
          () => true,
          (error: unknown) => (error === lostRace ? false : Promise.reject(error)),
        );
        if (sent) return reply;
      }
      throw changedTooOften(id);
    },
  );

  app.delete<{ Params: IdParams; Headers: { 'if-match'?: string } }>(
    '/campaigns/:id',
    {
      config: { errors: ['not_found', 'conflict', 'precondition_failed'] },
      schema: {
        operationId: 'deleteCampaign',
        summary: 'Delete a campaign',
        description:
          'Deletes the campaign and its recipients. With `If-Match`, only if the campaign is still at that version (or exists, for `*`); otherwise 412 `precondition_failed` with the current `ETag`.',
        tags: ['campaigns'],
        params: campaignIdParams,
        headers: conditionalHeaders.ifMatch,
        response: { 204: { type: 'null', description: 'Deleted, with its recipients.' } },
      },
    },
    async (request, reply) => {
      const ifMatch = parseEntityTags(request.headers['if-match'], 'if-match');
      const { teamId } = request.principal;
      const { id } = request.params;
      for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
        let query = db.deleteFrom('campaigns').where('id', '=', id).where('team_id', '=', teamId);
        if (ifMatch !== undefined) query = query.where('version', '=', (await current(db, teamId, id, ifMatch)).version);
        const result = await query.executeTakeFirst();
        if (result.numDeletedRows > 0n) return reply.code(204).send();
        if (ifMatch === undefined) throw notFound(id);
      }
      throw changedTooOften(id);
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post<{ Params: IdParams }>(
      `/campaigns/:id/${action}`,
      {
        config: { errors: ['unspecified_error', 'missing_dependent_data', 'conflict'] },
        schema: {
          operationId: `${action}Campaign`,
          summary: action === 'pause' ? 'Pause an active campaign' : 'Start or resume a campaign',
          description:
            action === 'pause'
              ? 'Pauses an active campaign. Idempotent: pausing a paused campaign answers 200 with it, unchanged (same `ETag`), so a retry is safe.'
              : 'Starts a draft or resumes a paused campaign. Idempotent: resuming an active campaign answers 200 with it, unchanged (same `ETag`). An archived campaign cannot be resumed.',
          tags: ['campaigns'],
          params: campaignIdParams,
          response: {
            200: withEtag(campaignResponse, `The campaign, ${transitions[action].to}; repeating the call is a success.`),
          },
        },
      },
      async (request, reply) =>
        answerInTransaction(request, reply, db, async (transaction) => {
          const campaign = await findCampaign(transaction, request.principal.teamId, request.params.id);
          if (campaign === undefined) {
            throw builtinCatalog.error('missing_dependent_data', {
              detail: `Cannot ${action} campaign ${request.params.id}: no campaign of your team has this id.`,
            });
          }
          const { from, to } = transitions[action];
          // Repeating a transition that already happened is a success, so a client may safely retry it.
          if (campaign.status === to) return campaignAnswer(campaign);
          if (!from.includes(campaign.status)) {
            throw builtinCatalog.error('unspecified_error', {
              detail: `Campaign ${campaign.id} is ${campaign.status}; only ${from.join(' or ')} campaigns can be ${action}d.`,
            });
          }
          const updated = await transaction
            .updateTable('campaigns')
            .set((eb) => ({ status: to, updated_at: new Date().toISOString(), version: eb('version', '+', 1) }))
            .where('id', '=', campaign.id)
            .where('version', '=', campaign.version)
            .returningAll()
            .executeTakeFirst();
          if (updated === undefined) {
            // Lost a race: if the winner made the same transition (the same call sent twice), that is this call's success too.
            const now = await findCampaign(transaction, request.principal.teamId, campaign.id);
            if (now?.status === to) return campaignAnswer(now);
            throw builtinCatalog.error('conflict', {
              detail: `Campaign ${campaign.id} changed while it was being ${action}d; fetch it and try again.`,
            });
          }
          return campaignAnswer(updated);
        }),
    );
  }
};

/** The campaign, if it exists and `If-Match` (when sent) names its current version: 404 or 412 otherwise. */
async function current(
  db: Kysely<Database> | Transaction<Database>,
  teamId: number,
  id: number,
  ifMatch: EntityTags | undefined,
): Promise<Campaign> {
  const campaign = await findCampaign(db, teamId, id);
  // A missing campaign is a 404 whatever the preconditions say (RFC 9110 section 13.2.1).
  if (campaign === undefined) throw notFound(id);
  const etag = campaignEtag(campaign);
  if (ifMatch !== undefined && !ifMatchHolds(ifMatch, etag)) throw preconditionFailed(id, etag);
  return campaign;
}

/**
 * The columns a merge patch changes, or undefined when it changes nothing.
 * Throws the business rules it breaks as `unspecified_error`, and a sender
 * left without an email as `missing_parameter`.
 */
function changesOf(campaign: Campaign, patch: UpdateCampaignInput): Updateable<CampaignsTable> | undefined {
  const next = {
    name: patch.name ?? campaign.name,
    status: patch.status ?? campaign.status,
    scheduled_at: campaign.scheduled_at,
    sender_email: campaign.sender_email,
    sender_name: campaign.sender_name,
  };
  if (patch.scheduled_at !== undefined) {
    const scheduledAt = patch.scheduled_at === null ? null : parseDateTime(patch.scheduled_at, '/scheduled_at');
    // Sending the time it already has is no change, even once that time has passed.
    if (scheduledAt !== campaign.scheduled_at) next.scheduled_at = futureTime(scheduledAt);
  }
  if (patch.sender === null) {
    next.sender_email = null;
    next.sender_name = null;
  } else if (patch.sender !== undefined) {
    next.sender_email = patch.sender.email ?? campaign.sender_email;
    if (patch.sender.name !== undefined) next.sender_name = patch.sender.name;
    if (next.sender_email === null) {
      throw fieldValidationError(
        [
          {
            pointer: '/sender/email',
            location: 'body',
            code: 'missing_parameter',
            detail: `is required: campaign ${campaign.id} has no sender yet`,
          },
        ],
        { catalog: builtinCatalog },
      );
    }
  }
  const changed = (Object.keys(next) as (keyof typeof next)[]).filter((column) => next[column] !== campaign[column]);
  if (changed.length === 0) return undefined;
  if (campaign.status === 'archived') {
    throw builtinCatalog.error('unspecified_error', {
      detail:
        next.status === 'archived'
          ? `Campaign ${campaign.id} is archived, and an archived campaign cannot be changed. Create a new campaign instead.`
          : `Campaign ${campaign.id} is archived, and archiving is final: it cannot become ${next.status} again. Create a new campaign instead.`,
    });
  }
  if (next.status !== campaign.status && !patchTransitions[campaign.status].includes(next.status)) {
    throw builtinCatalog.error('unspecified_error', {
      detail: `Campaign ${campaign.id} is ${campaign.status}; it can become ${patchTransitions[campaign.status].join(' or ')}, not ${next.status}.`,
    });
  }
  return Object.fromEntries(changed.map((column) => [column, next[column]]));
}

/** A time read by `parseDateTime`, refused when not in the future. */
function futureTime(normalised: string | null): string | null {
  if (normalised === null) return null;
  if (Date.parse(normalised) <= Date.now()) {
    throw builtinCatalog.error('unspecified_error', {
      detail: `scheduled_at ${normalised} is in the past; schedule the campaign after now (${new Date().toISOString()}), or send null to leave it unscheduled.`,
    });
  }
  return normalised;
}

function notFound(id: number) {
  return builtinCatalog.error('not_found', { detail: `No campaign of your team has id ${id}.` });
}

function changedTooOften(id: number) {
  return builtinCatalog.error('conflict', {
    detail: `Campaign ${id} kept changing while this request tried to apply; fetch it and try again.`,
  });
}
