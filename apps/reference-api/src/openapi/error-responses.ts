import {
  builtinCatalog,
  fieldValidationError,
  profiles,
  statusName,
  writeErrorResponse,
  type ApiErrorOptions,
  type Catalog,
  type ErrorContext,
  type FieldErrorInput,
  type ProfileName,
} from '@faultline/core';
import { internalErrorDetail } from '@faultline/fastify';

/** What the error part of the OpenAPI document is written from. */
export interface ErrorDocsOptions {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly docsUrl: string;
}

/** Fixed, so the document is the same on every start and examples can be compared. */
export const exampleRequestId = '4da10e5a-e480-4eef-9451-a701275679af';
const exampleNow = Date.parse('2026-11-22T07:51:02.457Z');

/**
 * What the reference API really says for each code it throws, so an example
 * reads like the response a client will get.
 */
const exampleErrors: Readonly<Record<string, ApiErrorOptions>> = {
  invalid_request: { detail: 'The body cannot be parsed: Unexpected end of JSON input' },
  // Worded by the function the server words field errors with.
  missing_parameter: fieldErrorsExample({ pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' }),
  invalid_parameter: fieldErrorsExample({ pointer: '/id', location: 'path', detail: 'must be integer' }),
  unspecified_error: { detail: 'Campaign 42 is archived; only draft or paused campaigns can be resumed.' },
  unauthorized_request: {
    detail:
      'No credentials were sent. Send an API key as "Authorization: Bearer <key>" or as the password of HTTP Basic authentication, or a session token as "Authorization: Bearer <token>".',
  },
  invalid_api_key: { detail: 'The API key is not valid: it was mistyped, cut short, or revoked.' },
  not_found: { detail: 'No campaign of your team has id 42.' },
  missing_dependent_data: { detail: 'Cannot pause campaign 42: no campaign of your team has this id.' },
  conflict: { detail: 'Campaign 42 changed while it was being paused; fetch it and try again.' },
  method_not_allowed: {
    detail: 'PUT is not allowed on /v1/campaigns/42. Use DELETE, GET, HEAD.',
    headers: { allow: 'DELETE, GET, HEAD' },
  },
  request_too_large: { detail: 'The body is larger than the 1048576 bytes this endpoint accepts.' },
  invalid_content_type: {
    detail: 'The body was sent as "text/plain", which this endpoint does not read. Send it as one of: application/json.',
  },
  internal_error: { detail: internalErrorDetail(exampleRequestId) },
  service_unavailable: { detail: 'The database is not answering.', retryAt: new Date(exampleNow + 5000) },
  // As rateLimitHook writes it, for the policies `npm start` applies by default.
  limit_reached: {
    detail: 'Rate limit "burst" (50 per 1 s) reached; try again after 2026-11-22T07:51:02.477Z.',
    retryAt: new Date(exampleNow + 20),
    headers: {
      'ratelimit-policy': '"burst";q=50;w=1, "hourly";q=10000;w=3600, "team";q=100;w=1, "team-h";q=20000;w=3600',
      // The team's policies are counted once the key's admit the request: a refusal by the key's shows only those.
      ratelimit: '"burst";r=0;t=1, "hourly";r=9950;t=18',
    },
    extensions: { policy: 'burst' },
  },
};

/** The detail and `errors[]` the server writes for one failing field. */
function fieldErrorsExample(field: FieldErrorInput): ApiErrorOptions {
  const { detail, errors } = fieldValidationError([field], { catalog: builtinCatalog });
  return { detail, errors };
}

/** The media type of a profile without its parameters, as OpenAPI keys content. */
export function mediaTypeOf(profile: ProfileName): string {
  return profiles[profile].contentType.split(';')[0] as string;
}

/** The schema name of each profile's body. */
export const bodySchemaNames: Readonly<Record<ProfileName, string>> = {
  problem: 'Problem',
  classic: 'ClassicError',
  message: 'MessageError',
  oauth: 'OAuthError',
};

/** The example of `code` in `profile`, written by the same function the server answers with. */
export function errorExample(code: string, { catalog, profile, docsUrl }: ErrorDocsOptions, context: ErrorContext = 'api') {
  const error = catalog.error(code, exampleErrors[code] ?? { detail: catalog.get(code).description });
  const response = writeErrorResponse(error, {
    catalog,
    profile,
    docsUrl,
    context,
    requestId: exampleRequestId,
    now: exampleNow,
  });
  if (response === undefined) throw new TypeError(`The catalog has no entry for ${code}.`);
  const entry = catalog.get(code);
  return {
    status: response.status,
    code: response.code,
    headers: response.headers,
    example: {
      summary: `${response.code}: ${entry.title}`,
      description: `${entry.description} ${entry.action}`,
      value: JSON.parse(response.body) as unknown,
    },
  };
}

/** The name of the shared example of `code` in `profile`. */
export function exampleName(code: string, profile: ProfileName, active: ProfileName): string {
  return profile === active ? code : `${code}.${profile}`;
}

/** Every code a body can carry in any profile: the catalog's codes and their variants. */
export function wireCodes(catalog: Catalog): string[] {
  const codes = new Set<string>();
  for (const entry of catalog.entries) {
    codes.add(entry.code);
    for (const variant of entry.variants) if (variant.code !== undefined) codes.add(variant.code);
  }
  return [...codes].sort();
}

const shortText = (maxLength: number, description: string) => ({ type: 'string', maxLength, description }) as const;
const requestId = {
  type: 'string',
  maxLength: 128,
  pattern: '^[A-Za-z0-9._:-]{1,128}$',
  description: 'The id to quote to support; also in `x-request-id`.',
} as const;
const fieldErrors = { type: 'array', maxItems: 100, items: { $ref: '#/components/schemas/FieldError' } } as const;
const retryAfter = {
  type: 'string',
  format: 'date-time',
  maxLength: 30,
  description: 'When the request may be retried.',
} as const;

/**
 * The body schemas of the four profiles. `detail` and its kin echo what the
 * client sent (field names, paths), so their length is not bounded: see the
 * report on `owasp:api4:2023-string-limit`.
 */
export function errorBodySchemas(catalog: Catalog): Record<string, unknown> {
  const codeSchema = { $ref: '#/components/schemas/ErrorCode' };
  return {
    ErrorCode: {
      type: 'string',
      description: 'A code of the error catalog; see the error reference for each.',
      enum: wireCodes(catalog),
    },
    FieldError: {
      type: 'object',
      description: 'One failing field, named by a JSON pointer into the part of the request it belongs to.',
      required: ['pointer', 'location', 'code', 'detail'],
      additionalProperties: false,
      properties: {
        pointer: { type: 'string', description: 'JSON pointer to the field, e.g. `/recipients/3/email`.' },
        location: { type: 'string', enum: ['body', 'query', 'path', 'header'] },
        code: { type: 'string', enum: ['missing_parameter', 'invalid_parameter'] },
        detail: { type: 'string', description: 'What is wrong with the field.' },
      },
    },
    Problem: {
      type: 'object',
      description:
        'RFC 9457 problem details with the Faultline extension members, and the extension members the catalog declares for some codes (each says which).',
      required: ['type', 'title', 'status', 'detail', 'code', 'request_id', 'time'],
      additionalProperties: false,
      properties: {
        type: { ...shortText(200, 'The code’s anchor in the error reference.'), format: 'uri-reference' },
        title: shortText(200, 'A short title of the code.'),
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string', description: 'What went wrong with this request, and what to change.' },
        code: codeSchema,
        request_id: requestId,
        time: { type: 'string', format: 'date-time', maxLength: 30 },
        errors: fieldErrors,
        retry_after: retryAfter,
        ...extensionMembers(catalog),
      },
    },
    ClassicError: {
      type: 'object',
      description: 'The classic `{code, error, time}` body.',
      required: ['code', 'error', 'time'],
      additionalProperties: false,
      properties: {
        code: codeSchema,
        error: { type: 'string', description: 'What went wrong, for a person.' },
        time: { type: 'string', format: 'date-time', maxLength: 30 },
        errors: fieldErrors,
      },
    },
    MessageError: {
      type: 'object',
      description: 'The `{message, description}` body.',
      required: ['message', 'description', 'code', 'request_id'],
      additionalProperties: false,
      properties: {
        message: shortText(100, 'The name of the HTTP status.'),
        description: { type: 'string', description: 'What went wrong with this request.' },
        code: codeSchema,
        request_id: requestId,
        errors: fieldErrors,
        retry_after: retryAfter,
      },
    },
    OAuthError: {
      type: 'object',
      description: 'The RFC 6749 `{error, error_description, error_uri}` body.',
      required: ['error', 'error_description', 'error_uri'],
      additionalProperties: false,
      properties: {
        error: codeSchema,
        error_description: { type: 'string', description: 'What went wrong, in printable ASCII.' },
        error_uri: { ...shortText(200, 'The code’s anchor in the error reference.'), format: 'uri-reference' },
        errors: fieldErrors,
        retry_after: retryAfter,
      },
    },
  };
}

/**
 * Every extension member the catalog declares, as Problem properties: each
 * described with the codes that carry it. A name two codes share must have one
 * schema, so the document can say what it is.
 */
export function extensionMembers(catalog: Catalog): Record<string, unknown> {
  const members = new Map<string, { schema: unknown; lines: string[] }>();
  for (const entry of catalog.entries) {
    for (const [name, member] of Object.entries(entry.extensions)) {
      const known = members.get(name);
      if (known !== undefined && JSON.stringify(known.schema) !== JSON.stringify(member.schema)) {
        throw new TypeError(`The extension member "${name}" has two schemas in the catalog (${entry.code} and another code).`);
      }
      const line = `With \`${entry.code}\`${member.always === false ? ' (sometimes)' : ''}: ${member.description}`;
      members.set(name, { schema: member.schema, lines: [...(known?.lines ?? []), line] });
    }
  }
  return Object.fromEntries(
    [...members]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, { schema, lines }]) => [name, { ...(schema as object), description: lines.join(' ') }]),
  );
}

/** The description of an error response: its status and the codes behind it. */
export function errorResponseDescription(status: number, codes: readonly string[], catalog: Catalog): string {
  const list = codes.map((code) => `\`${code}\` (${catalog.get(code).title})`).join(', ');
  return `${statusName(status)}: ${list}.`;
}
