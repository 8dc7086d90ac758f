/**
 * JSON schemas of the account routes: sessions, users and API keys. Shared by
 * the server, which validates and serializes with them, and the client.
 */

const id = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;
const timestamp = { type: 'string', format: 'date-time', maxLength: 30 } as const;
const email = { type: 'string', format: 'email', minLength: 3, maxLength: 254 } as const;
const personName = { type: 'string', minLength: 1, maxLength: 200 } as const;
/** Long enough to be worth hashing, short enough that scrypt's cost stays bounded. */
const password = { type: 'string', minLength: 12, maxLength: 256 } as const;
const role = { type: 'string', enum: ['admin', 'member'] } as const;
const keyAccess = { type: 'string', enum: ['read_write', 'read_only'] } as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id },
} as const;

export const createSessionBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  // Any length up to the bound: a wrong password gets the same answer as an unknown email.
  properties: { email, password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export const sessionResponse = {
  type: 'object',
  description: 'A new session; send `token` as `Authorization: Bearer <token>` until `expires_at`.',
  required: ['token', 'expires_at', 'user_id'],
  additionalProperties: false,
  properties: {
    token: { type: 'string', pattern: '^fls_[A-Za-z0-9_-]{43}$', maxLength: 47 },
    expires_at: timestamp,
    user_id: id,
  },
} as const;

export const userResponse = {
  type: 'object',
  description: 'A user of the caller’s team.',
  required: ['id', 'email', 'name', 'role', 'disabled', 'created_at'],
  additionalProperties: false,
  properties: { id, email, name: personName, role, disabled: { type: 'boolean' }, created_at: timestamp },
} as const;

export const userListResponse = {
  type: 'object',
  description: 'Every user of the caller’s team, oldest first.',
  required: ['data'],
  additionalProperties: false,
  properties: { data: { type: 'array', maxItems: 1000, items: userResponse } },
} as const;

export const createUserBody = {
  type: 'object',
  required: ['email', 'name', 'role'],
  additionalProperties: false,
  properties: { email, name: personName, role, password },
} as const;

export const updateUserBody = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { name: personName, role, disabled: { type: 'boolean' }, password },
} as const;

export const apiKeyResponse = {
  type: 'object',
  description: 'An API key of the caller’s team, without its secret.',
  required: ['id', 'user_id', 'label', 'access', 'prefix', 'created_at', 'revoked_at'],
  additionalProperties: false,
  properties: {
    id,
    user_id: id,
    label: personName,
    access: keyAccess,
    prefix: { type: 'string', description: 'The public start of the key, to recognise it.', maxLength: 21 },
    created_at: timestamp,
    revoked_at: { type: ['string', 'null'], format: 'date-time', maxLength: 30 },
  },
} as const;

export const createdApiKeyResponse = {
  ...apiKeyResponse,
  description: 'The new API key. `key` is shown this once; only a hash of it is kept.',
  required: [...apiKeyResponse.required, 'key'],
  properties: { ...apiKeyResponse.properties, key: { type: 'string', maxLength: 80 } },
} as const;

export const apiKeyListResponse = {
  type: 'object',
  description: 'Every API key of the caller’s team, revoked ones included, oldest first.',
  required: ['data'],
  additionalProperties: false,
  properties: { data: { type: 'array', maxItems: 10000, items: apiKeyResponse } },
} as const;

export const createApiKeyBody = {
  type: 'object',
  required: ['label'],
  additionalProperties: false,
  properties: {
    label: personName,
    access: { ...keyAccess, default: 'read_write' },
    user_id: { ...id, description: 'Whose key it is; the caller by default.' },
  },
} as const;

export type UserRoleInput = 'admin' | 'member';
export type KeyAccessInput = 'read_write' | 'read_only';

export interface CreateSessionInput {
  email: string;
  password: string;
}
export interface CreateUserInput {
  email: string;
  name: string;
  role: UserRoleInput;
  password?: string;
}
export interface UpdateUserInput {
  name?: string;
  role?: UserRoleInput;
  disabled?: boolean;
  password?: string;
}
export interface CreateApiKeyInput {
  label: string;
  access?: KeyAccessInput;
  user_id?: number;
}
