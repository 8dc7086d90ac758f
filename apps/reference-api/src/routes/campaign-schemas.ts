/** JSON schemas of the campaign and recipient routes; Fastify validates requests against them. */

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
