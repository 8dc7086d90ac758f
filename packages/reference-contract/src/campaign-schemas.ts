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

export const createCampaignBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
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

/** The body of `POST /v1/campaigns`. */
export interface CreateCampaignInput {
  name: string;
}

/** One recipient of `POST /v1/campaigns/:id/recipients`. */
export interface NewRecipient {
  email: string;
  name?: string;
}

/** A campaign as the API returns it. */
export interface Campaign {
  id: number;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
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
