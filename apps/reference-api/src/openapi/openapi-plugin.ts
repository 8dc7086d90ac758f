import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Catalog, ProfileName } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import type { RouteAccess } from '../authentication/account-checks.js';
import { requiredScope } from '../oauth/scopes.js';
import {
  bodySchemaNames,
  errorBodySchemas,
  errorExample,
  errorResponseDescription,
  exampleName,
  mediaTypeOf,
  type ErrorDocsOptions,
  type PossibleError,
} from './error-responses.js';

export interface OpenApiOptions {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly docsUrl: string;
}

/** Where the document and the interactive reference are served. */
export const openApiPath = '/openapi.json';
export const apiReferencePath = '/docs';

type Json = Record<string, unknown>;
interface Operation extends Json {
  parameters?: { in: string }[];
  requestBody?: { content?: Record<string, { schema?: { required?: unknown[] } }> };
  responses?: Record<string, Json>;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const apiKeySecurity = [{ apiKeyBearer: [] }, { apiKeyBasic: [] }];

/**
 * Errors only some operations return, by what the handler throws; the rest
 * (authentication, validation, bodies, 500) follow from the route's prefix,
 * method and schema in {@link possibleErrors}.
 */
const operationErrors: Readonly<Record<string, readonly PossibleError[]>> = {
  'GET /readyz': [{ status: 503, code: 'service_unavailable' }],
  'POST /v1/campaigns': [
    { status: 400, code: 'unspecified_error' },
    { status: 409, code: 'conflict' },
  ],
  'GET /v1/campaigns/{id}': [{ status: 404, code: 'not_found' }],
  'PATCH /v1/campaigns/{id}': [
    { status: 400, code: 'missing_parameter' },
    { status: 400, code: 'unspecified_error' },
    { status: 404, code: 'not_found' },
    { status: 409, code: 'conflict' },
    { status: 412, code: 'precondition_failed' },
  ],
  'DELETE /v1/campaigns/{id}': [
    { status: 404, code: 'not_found' },
    { status: 409, code: 'conflict' },
    { status: 412, code: 'precondition_failed' },
  ],
  'POST /v1/campaigns/{id}/pause': [
    { status: 400, code: 'unspecified_error' },
    { status: 404, code: 'missing_dependent_data' },
    { status: 409, code: 'conflict' },
  ],
  'POST /v1/campaigns/{id}/resume': [
    { status: 400, code: 'unspecified_error' },
    { status: 404, code: 'missing_dependent_data' },
    { status: 409, code: 'conflict' },
  ],
  'GET /v1/campaigns/{id}/recipients': [{ status: 404, code: 'missing_dependent_data' }],
  'POST /v1/sessions': [
    { status: 401, code: 'invalid_credentials' },
    { status: 403, code: 'user_is_disabled' },
  ],
  'DELETE /v1/sessions/current': [{ status: 400, code: 'unspecified_error' }],
  'POST /v1/users': [{ status: 409, code: 'conflict' }],
  'PATCH /v1/users/{id}': [{ status: 404, code: 'not_found' }],
  'POST /v1/api-keys': [{ status: 404, code: 'missing_dependent_data' }],
  'DELETE /v1/api-keys/{id}': [{ status: 404, code: 'not_found' }],
  'DELETE /v1/oauth-apps/{id}': [{ status: 404, code: 'not_found' }],
  'POST /v1/campaigns/{id}/recipients': [
    { status: 404, code: 'missing_dependent_data' },
    { status: 429, code: 'exceeds_monthly_recipients' },
    { status: 503, code: 'service_unavailable' },
  ],
};

/** Routes without a schema of their own (the docs pages, this document): what they answer with. */
const plainRoutes: Readonly<Record<string, Json>> = {
  [`GET ${openApiPath}`]: {
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI document',
    tags: ['docs'],
    responses: {
      200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } },
    },
  },
  'GET /docs/errors': {
    operationId: 'getErrorReference',
    summary: 'The error reference page',
    tags: ['docs'],
    responses: {
      // No schema: an HTML page has none worth stating.
      200: { description: 'Every error code, as HTML.', content: { 'text/html': {} } },
    },
  },
  'GET /docs/errors.json': {
    operationId: 'getErrorCatalog',
    summary: 'The error catalog as JSON',
    tags: ['docs'],
    responses: { 200: { description: 'Every error code.', content: { 'application/json': { schema: { type: 'object' } } } } },
  },
};

/** The operations whose 201 names the new resource in `Location`. */
const createsWithLocation = new Set(['createCampaign', 'createUser', 'createApiKey']);

/**
 * Which errors an operation can return, in status order. `access` is the
 * route's `config.access` (see authentication/account-checks.ts): who may
 * call it decides which authentication and account errors it can meet.
 */
export function possibleErrors(
  method: string,
  path: string,
  operation: Operation,
  access: RouteAccess = 'member',
): PossibleError[] {
  const errors: PossibleError[] = [];
  const parameters = operation.parameters ?? [];
  const body = operation.requestBody?.content?.['application/json']?.schema;
  // Fastify reads a body on every method but GET and HEAD, whether the route expects one or not.
  const readsBody = method !== 'get' && method !== 'head';
  if (path.startsWith('/v1/') && access !== 'public') {
    errors.push(
      { status: 401, code: 'unauthorized_request' },
      { status: 401, code: 'invalid_api_key' },
      { status: 401, code: 'invalid_token' },
      { status: 401, code: 'session_expired' },
      { status: 403, code: 'user_is_disabled' },
    );
    // Ending a session works whatever the account's state (see authentication/account-checks.ts).
    if (access !== 'any') {
      errors.push(
        { status: 403, code: 'team_blocked' },
        { status: 403, code: 'missing_subscription' },
        { status: 403, code: 'missing_team_admin' },
      );
      if (method !== 'get' && method !== 'head') errors.push({ status: 403, code: 'not_authorized' });
      // OAuth access tokens: the route's scope, or no OAuth token at all (account administration).
      const fastifyPath = path.replace(/\{(\w+)\}/g, ':$1');
      if (requiredScope(method.toUpperCase(), fastifyPath) !== undefined)
        errors.push({ status: 403, code: 'insufficient_scope' });
      else if (!errors.some((error) => error.code === 'not_authorized')) errors.push({ status: 403, code: 'not_authorized' });
      if (access === 'admin') errors.push({ status: 403, code: 'user_not_admin' });
    }
  }
  // Malformed percent-encoding in a path parameter, a body that is not JSON, or (under /v1) an access token in the query.
  if (readsBody || path.startsWith('/v1/') || parameters.some((parameter) => parameter.in === 'path'))
    errors.push({ status: 400, code: 'invalid_request' });
  if (body?.required !== undefined && body.required.length > 0) errors.push({ status: 400, code: 'missing_parameter' });
  if (parameters.length > 0 || body !== undefined) errors.push({ status: 400, code: 'invalid_parameter' });
  // A body slower than the request timeout (faultlineServerOptions); 413 also answers a JSON shape limit.
  if (readsBody) errors.push({ status: 408, code: 'request_timeout' });
  if (readsBody) errors.push({ status: 413, code: 'request_too_large' }, { status: 415, code: 'invalid_content_type' });
  // The rate limits count each API key's requests once it is authenticated (RATE_LIMITS, on under `npm start`).
  if (path.startsWith('/v1/')) errors.push({ status: 429, code: 'limit_reached' });
  errors.push(...(operationErrors[`${method.toUpperCase()} ${path}`] ?? []));
  errors.push({ status: 500, code: 'internal_error' });
  // Load shedding refuses any request before its route runs (OVERLOAD_*, on under `npm start`), and a database that
  // does not answer in time fails it; /healthz is exempt from the first and needs no database; /readyz says 503 itself.
  if (path !== '/healthz' && !errors.some((error) => error.code === 'service_unavailable'))
    errors.push({ status: 503, code: 'service_unavailable' });
  return errors.sort((a, b) => a.status - b.status);
}

/** The codes the /v1 authentication hook answers with: before the rate-limit hook, so without its fields. */
const authenticationCodes = new Set([
  'unauthorized_request',
  'invalid_api_key',
  'invalid_token',
  'session_expired',
  'user_is_disabled',
  'team_blocked',
  'missing_subscription',
  'missing_team_admin',
  'not_authorized',
  'insufficient_scope',
  'user_not_admin',
]);

/**
 * Whether an answer of `status` (with `codes`) to an operation carries
 * `RateLimit-Policy` and `RateLimit`: the rate-limit hook runs after load
 * shedding (so no shed 503 has them) and after authentication (so no 401 or
 * 403 of the authentication hook has them), and every later answer keeps
 * them, 2xx and errors alike.
 */
export function carriesRateLimitFields(
  path: string,
  access: RouteAccess,
  status: number,
  codes: readonly string[] = [],
): boolean {
  if (!path.startsWith('/v1/') || (status === 503 && codes.includes('service_unavailable'))) return false;
  // Logging in is limited per address before the password is checked, so all its answers carry them.
  if (access === 'public') return true;
  return !(codes.length > 0 && codes.every((code) => authenticationCodes.has(code)));
}

/**
 * Completes the document @fastify/swagger builds from the route schemas:
 * each operation's errors with examples written by `writeErrorResponse`,
 * the response headers, security, and the catalog as shared components.
 */
export function completeDocument(
  document: Json,
  options: ErrorDocsOptions,
  accessOf: (method: string, path: string) => RouteAccess | undefined = () => undefined,
): Json {
  const { catalog, profile } = options;
  const mediaTypes = profile === 'problem' ? (['problem'] as const) : ([profile, 'problem'] as const);
  const examples: Record<string, unknown> = {};
  const used = new Set<ProfileName>();

  const errorContent = (codes: readonly string[]) => {
    const content: Json = {};
    for (const mediaProfile of mediaTypes) {
      used.add(mediaProfile);
      const refs: Json = {};
      for (const code of codes) {
        const name = exampleName(code, mediaProfile, profile);
        examples[name] ??= errorExample(code, { ...options, profile: mediaProfile }).example;
        refs[code] = { $ref: `#/components/examples/${name}` };
      }
      content[mediaTypeOf(mediaProfile)] = {
        schema: { $ref: `#/components/schemas/${bodySchemaNames[mediaProfile]}` },
        examples: refs,
      };
    }
    return content;
  };

  const errorHeaders = (codes: readonly string[]): Json => {
    const headers: Json = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };
    for (const code of codes) {
      const written = errorExample(code, options).headers;
      if (written['www-authenticate'] !== undefined || catalog.get(code).status === 401) {
        headers['WWW-Authenticate'] = { $ref: '#/components/headers/WwwAuthenticate' };
      }
      if (written['retry-after'] !== undefined) headers['Retry-After'] = { $ref: '#/components/headers/RetryAfter' };
      if (written['allow'] !== undefined) headers['Allow'] = { $ref: '#/components/headers/Allow' };
    }
    return headers;
  };
  const rateLimitHeaders = {
    'RateLimit-Policy': { $ref: '#/components/headers/RateLimitPolicy' },
    RateLimit: { $ref: '#/components/headers/RateLimit' },
  };

  const paths = (document['paths'] ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, item] of Object.entries(paths)) {
    for (const method of methods) {
      let operation = item[method];
      if (operation === undefined) continue;
      const plain = plainRoutes[`${method.toUpperCase()} ${path}`];
      if (plain !== undefined) operation = item[method] = { ...operation, ...plain };
      const access = accessOf(method, path) ?? 'member';
      const responses: Record<string, Json> = {};
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const headers: Json = { ...((response['headers'] as Json | undefined) ?? {}) };
        headers['x-request-id'] = { $ref: '#/components/headers/RequestId' };
        if (createsWithLocation.has(String(operation['operationId'])) && status === '201') {
          headers['Location'] = { $ref: '#/components/headers/Location' };
        }
        if (carriesRateLimitFields(path, access, Number(status))) Object.assign(headers, rateLimitHeaders);
        responses[status] = { ...response, headers };
      }
      const byStatus = new Map<number, string[]>();
      for (const { status, code } of possibleErrors(method, path, operation, access)) {
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      }
      for (const [status, codes] of byStatus) {
        responses[String(status)] = {
          description: errorResponseDescription(status, codes, catalog),
          headers: { ...errorHeaders(codes), ...(carriesRateLimitFields(path, access, status, codes) ? rateLimitHeaders : {}) },
          content: errorContent(codes),
        };
      }
      operation.responses = responses;
      operation['security'] = path.startsWith('/v1/') && access !== 'public' ? apiKeySecurity : [];
    }
  }

  // 405 answers a method no operation declares, so it belongs to no operation: it is shared here.
  const methodNotAllowed = {
    description: `${errorResponseDescription(405, ['method_not_allowed'], catalog)} Sent for any method a path does not list; \`Allow\` lists the ones it does.`,
    headers: errorHeaders(['method_not_allowed']),
    content: errorContent(['method_not_allowed']),
  };

  const schemas = errorBodySchemas(catalog);
  const components = (document['components'] ?? {}) as Json;
  document['components'] = {
    ...components,
    schemas: {
      ...((components['schemas'] as Json | undefined) ?? {}),
      ...Object.fromEntries(
        Object.entries(schemas).filter(
          ([name]) => !Object.values(bodySchemaNames).includes(name) || [...used].some((p) => bodySchemaNames[p] === name),
        ),
      ),
    },
    responses: { MethodNotAllowed: methodNotAllowed },
    headers: {
      RequestId: {
        description:
          'The id of this request: the `x-request-id` the client sent when it is 1 to 128 of `A-Za-z0-9._:-`, a new UUID otherwise. Quote it to support.',
        required: true,
        schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9._:-]{1,128}$' },
      },
      WwwAuthenticate: {
        description:
          'The challenges: `Bearer realm="faultline"` (with `error="invalid_token"` when a key was sent and refused), then `Basic realm="faultline", charset="UTF-8"`.',
        required: true,
        schema: { type: 'string', maxLength: 200, pattern: '^Bearer realm=' },
      },
      RetryAfter: {
        description: 'Seconds to wait before retrying.',
        required: true,
        schema: { type: 'integer', minimum: 0, maximum: 86_400 },
      },
      RateLimitPolicy: {
        description:
          'The rate-limit policies of the API key (draft-ietf-httpapi-ratelimit-headers-10): each policy’s name, quota `q` and window `w` in seconds. Sent on every answer to an authenticated request while rate limits are on (`RATE_LIMITS`, on under `npm start`).',
        schema: { type: 'string', maxLength: 500, example: '"burst";q=50;w=1, "hourly";q=10000;w=3600' },
      },
      RateLimit: {
        description:
          'What is left of each policy for the API key: the units `r` remaining and the seconds `t` until the policy is fully restored. Pace requests by it; at `r=0` the next request gets 429 `limit_reached`. Sent with `RateLimit-Policy`.',
        schema: { type: 'string', maxLength: 500, example: '"burst";r=49;t=1, "hourly";r=9999;t=1' },
      },
      Allow: {
        description: 'The methods this path accepts.',
        required: true,
        schema: { type: 'string', maxLength: 100, pattern: '^[A-Z]+(, [A-Z]+)*$' },
      },
      Location: {
        description: 'The URL of the created resource.',
        required: true,
        schema: { type: 'string', format: 'uri-reference', maxLength: 100 },
      },
    },
    examples: Object.fromEntries(Object.entries(examples).sort(([a], [b]) => a.localeCompare(b))),
    securitySchemes: {
      apiKeyBearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key (`Authorization: Bearer flk_…`) or a session token from POST /v1/sessions (`Authorization: Bearer fls_…`).',
      },
      apiKeyBasic: {
        type: 'http',
        scheme: 'basic',
        description: 'The API key as the password of HTTP Basic authentication (or as the user name with an empty password).',
      },
    },
  };
  addIntegerFormats(document);
  return document;
}

/** Marks integers whose bounds fit 32 bits as `int32`, which is what they are. */
function addIntegerFormats(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) addIntegerFormats(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  const fits = (value: unknown) => typeof value === 'number' && value >= -(2 ** 31) && value <= 2 ** 31 - 1;
  if (schema['type'] === 'integer' && schema['format'] === undefined && fits(schema['minimum']) && fits(schema['maximum'])) {
    schema['format'] = 'int32';
  }
  for (const value of Object.values(schema)) addIntegerFormats(value);
}

/** The API's name: the OpenAPI document's `info.title` and the title of the Swagger UI page. */
export const apiTitle = 'Faultline reference API';

/**
 * Registers @fastify/swagger: call it before any route, since it collects
 * routes as they are added. {@link registerApiReference} serves the result.
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: apiTitle,
        version: '0.1.0',
        description:
          'An outreach API that produces every documented Faultline error for a real reason. Every operation lists the errors it can return, with an example body written by the same code the server answers with. Every `GET` also answers `HEAD`. The error reference is at [/docs/errors](/docs/errors).',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: '/', description: 'This server (local development)', 'x-internal': false } as never],
      tags: [
        { name: 'account', description: 'The caller.' },
        { name: 'campaigns', description: 'Campaigns of the caller’s team.' },
        { name: 'recipients', description: 'Who a campaign is sent to.' },
        { name: 'service', description: 'Health of the service.' },
        { name: 'docs', description: 'This reference and the error reference.' },
      ],
    },
    transformObject: (documentObject) =>
      completeDocument((documentObject as { openapiObject: Json }).openapiObject, options, (method, path) =>
        accessByOperation.get(`${method.toUpperCase()} ${path}`),
      ) as never,
  });
  // Each route's `config.access`, by method and OpenAPI path: read from the routes, not kept in a second list.
  const accessByOperation = new Map<string, RouteAccess>();
  app.addHook('onRoute', (route) => {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    for (const method of [route.method].flat()) accessByOperation.set(`${method} ${path}`, route.config?.access ?? 'member');
  });
}

/** Swagger UI's page loads only its own files and the document, from this server. */
export const apiReferenceContentSecurityPolicy =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/** Serves the document at {@link openApiPath} and Swagger UI, from local files only, at {@link apiReferencePath}. */
export async function registerApiReference(app: FastifyInstance): Promise<void> {
  let serialized: string | undefined;
  app.get(openApiPath, async (_request, reply) => {
    serialized ??= JSON.stringify(app.swagger());
    return reply.type('application/json; charset=utf-8').send(serialized);
  });
  await app.register(swaggerUi, {
    routePrefix: apiReferencePath,
    // Everything from this server: no CDN, no web fonts, no online validator.
    staticCSP: apiReferenceContentSecurityPolicy,
    uiConfig: { validatorUrl: null, deepLinking: true },
    // The browser tab names this API, not "Swagger UI".
    theme: { title: apiTitle },
    transformSpecificationClone: true,
  });
}
