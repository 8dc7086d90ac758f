/**
 * JSON schemas of the reference API's successful responses. The server
 * serializes with them and the OpenAPI document at `/openapi.json` is built
 * from them, so the reference and the wire cannot drift apart.
 */

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
/** The server writes `toISOString()` times: always 24 characters. */
const timestamp = { type: 'string', format: 'date-time', maxLength: 30 } as const;
/** Cursors are the base64url of `id:<up to 10 digits>`. */
const cursor = { type: ['string', 'null'], minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;

export const campaignResponse = {
  type: 'object',
  description: 'A campaign of the caller’s team.',
  required: ['id', 'external_id', 'name', 'status', 'scheduled_at', 'sender', 'created_at', 'updated_at'],
  additionalProperties: false,
  properties: {
    id,
    external_id: { type: ['string', 'null'], minLength: 1, maxLength: 64, description: 'Your own id for it, if you gave one.' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    status: { type: 'string', enum: ['draft', 'active', 'paused', 'archived'] },
    scheduled_at: {
      ...timestamp,
      type: ['string', 'null'],
      description: 'When it starts sending, in UTC; null if not scheduled.',
    },
    sender: {
      type: ['object', 'null'],
      description: 'Who the messages come from; null for the team default.',
      required: ['email', 'name'],
      additionalProperties: false,
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        name: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
      },
    },
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const;

export const campaignPageResponse = {
  type: 'object',
  description: 'One page of campaigns, oldest first.',
  required: ['data', 'next_cursor'],
  additionalProperties: false,
  properties: {
    data: { type: 'array', maxItems: 100, items: campaignResponse },
    next_cursor: { ...cursor, description: 'Pass as `cursor` for the next page; null on the last page.' },
  },
} as const;

export const recipientResponse = {
  type: 'object',
  description: 'A recipient of a campaign.',
  required: ['id', 'email', 'name', 'created_at'],
  additionalProperties: false,
  properties: {
    id,
    email: { type: 'string', format: 'email', maxLength: 254 },
    name: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
    created_at: timestamp,
  },
} as const;

export const recipientPageResponse = {
  type: 'object',
  description: 'One page of a campaign’s recipients, oldest first.',
  required: ['data', 'next_cursor'],
  additionalProperties: false,
  properties: {
    data: { type: 'array', maxItems: 100, items: recipientResponse },
    next_cursor: { ...cursor, description: 'Pass as `cursor` for the next page; null on the last page.' },
  },
} as const;

export const addRecipientsResponse = {
  type: 'object',
  description: 'How many recipients were added, and how many were already in the campaign.',
  required: ['added', 'skipped'],
  additionalProperties: false,
  properties: {
    added: { type: 'integer', minimum: 0, maximum: 10_000 },
    skipped: { type: 'integer', minimum: 0, maximum: 10_000 },
  },
} as const;

export const meResponse = {
  type: 'object',
  description: 'The user and team the API key belongs to.',
  required: ['user', 'team'],
  additionalProperties: false,
  properties: {
    user: {
      type: 'object',
      required: ['id', 'email', 'name', 'role'],
      additionalProperties: false,
      properties: {
        id,
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', enum: ['admin', 'member'] },
      },
    },
    team: {
      type: 'object',
      required: ['id', 'name'],
      additionalProperties: false,
      properties: { id, name: { type: 'string' } },
    },
  },
} as const;

export const healthResponse = {
  type: 'object',
  description: 'The process is up and answering.',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;

export const readinessResponse = {
  type: 'object',
  description: 'The instance can take traffic: its database answers and it is not shedding load.',
  required: ['status', 'database', 'shedding', 'in_flight'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['ready'] },
    database: { type: 'string', enum: ['ok'], description: 'The database answered a query within the readiness bound.' },
    shedding: {
      type: 'boolean',
      enum: [false],
      description: 'Whether new requests are being refused with 503 (never true in a 200).',
    },
    in_flight: {
      type: 'integer',
      minimum: 0,
      maximum: 1_000_000_000,
      description: 'Requests being handled now (0 when the in-flight limit is off).',
    },
  },
} as const;
