/**
 * JSON schemas of the campaign and recipient routes. The server validates
 * requests against them; the client can check input against the same ones
 * before sending.
 */

export const campaignIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

/** The statuses of a campaign; see the transitions in the API reference. */
export const campaignStatuses = ['draft', 'active', 'paused', 'archived'] as const;

/** `GET /v1/campaigns`: a page, optionally only the campaigns in one status. */
export const listCampaignsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...listQuery.properties,
    status: { type: 'string', enum: campaignStatuses, description: 'Only the campaigns in this status.' },
  },
} as const;

const campaignName = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** The client's own id for a campaign: 1 to 64 of `A-Za-z0-9._:-`, unique within the team. */
export const externalIdPattern = '^[A-Za-z0-9._:-]+$';

// No minLength: the pattern already refuses an empty string, and a field is reported once.
const externalId = {
  type: 'string',
  maxLength: 64,
  pattern: externalIdPattern,
  description: 'Your own id for the campaign, unique within your team; a second campaign with it is a 409 conflict.',
} as const;

/** RFC 3339 date-time with a time zone; null (or absent) means not scheduled. */
const scheduledAt = {
  type: ['string', 'null'],
  format: 'date-time',
  maxLength: 35,
  description: 'When the campaign starts sending: an RFC 3339 date-time with a time zone, in the future; null for none.',
} as const;

const senderEmail = { type: 'string', format: 'email', maxLength: 254 } as const;
const senderName = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const createCampaignBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: campaignName,
    external_id: externalId,
    scheduled_at: scheduledAt,
    sender: {
      type: ['object', 'null'],
      required: ['email'],
      additionalProperties: false,
      description: 'Who the messages come from; null for the team default.',
      properties: { email: senderEmail, name: senderName },
    },
  },
} as const;

/**
 * `PATCH /v1/campaigns/:id`, a JSON merge patch (RFC 7396): absent members
 * stay, null removes, `sender` merges member by member.
 */
export const updateCampaignBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: {
    name: campaignName,
    scheduled_at: scheduledAt,
    sender: {
      type: ['object', 'null'],
      additionalProperties: false,
      description: 'Merged into the current sender; null removes it. A campaign without a sender needs `email`.',
      properties: { email: senderEmail, name: { ...senderName, type: ['string', 'null'] } },
    },
    status: {
      type: 'string',
      enum: campaignStatuses,
      description: 'draft → active, paused → active, active → paused, and anything → archived, which is final.',
    },
  },
} as const;

/** The most recipients one request may add. */
export const maxRecipientsPerRequest = 10_000;

export const addRecipientsBody = {
  type: 'object',
  required: ['recipients'],
  additionalProperties: false,
  properties: {
    recipients: {
      type: 'array',
      minItems: 1,
      maxItems: maxRecipientsPerRequest,
      items: {
        type: 'object',
        required: ['email'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', format: 'email', maxLength: 254 },
          name: { type: 'string', minLength: 1, maxLength: 200 },
        },
      },
    },
  },
} as const;

export type CampaignStatus = (typeof campaignStatuses)[number];

/** The body of `POST /v1/campaigns`. */
export interface CreateCampaignInput {
  name: string;
  external_id?: string;
  scheduled_at?: string | null;
  sender?: { email: string; name?: string } | null;
}

/** The body of `PATCH /v1/campaigns/:id`: only the members to change; null removes. */
export interface UpdateCampaignInput {
  name?: string;
  scheduled_at?: string | null;
  sender?: { email?: string; name?: string | null } | null;
  status?: CampaignStatus;
}

/** One recipient of `POST /v1/campaigns/:id/recipients`. */
export interface NewRecipient {
  email: string;
  name?: string;
}

/** A campaign as the API returns it. */
export interface Campaign {
  id: number;
  external_id: string | null;
  name: string;
  status: CampaignStatus;
  /** UTC, as `toISOString()` writes it. */
  scheduled_at: string | null;
  sender: { email: string; name: string | null } | null;
  created_at: string;
  updated_at: string;
}

/** A recipient as the API returns it. */
export interface Recipient {
  id: number;
  email: string;
  name: string | null;
  created_at: string;
}

/** One page of a list. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
