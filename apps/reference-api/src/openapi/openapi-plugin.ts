import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { statusName, type Catalog, type ErrorContext, type ProfileName } from '@faultline/core';
import type { FaultlineRouteConfig } from '@faultline/fastify';
import type { FastifyInstance } from 'fastify';
import { openApiPathOf, type RouteDeclaration, type SchemalessOperation } from '../contract/route-contract.js';
import {
  codesBeforeRateLimit,
  noRouteErrors,
  sharedErrors,
  takesIdempotencyKey,
  type RouteFacts,
} from '../contract/shared-errors.js';
import { requiredScope, scopeDescriptions } from '../oauth/scopes.js';
import { longestQuotaWaitSeconds } from '../quota/monthly-recipient-quota.js';
import {
  bodySchemaNames,
  errorBodySchemas,
  errorExample,
  errorResponseDescription,
  exampleName,
  mediaTypeOf,
  type ErrorDocsOptions,
} from './error-responses.js';

export interface OpenApiOptions {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly docsUrl: string;
  /** The longest `Retry-After` the app can send, in seconds; see {@link longestRetryAfterSeconds}. */
  readonly longestRetryAfterSeconds: number;
}

/** Where the document and the interactive reference are served. */
export const openApiPath = '/openapi.json';
export const apiReferencePath = '/docs';

type Json = Record<string, unknown>;
interface Operation extends Json {
  operationId?: string;
  summary?: string;
  parameters?: { in: string }[];
  requestBody?: { content?: Record<string, { schema?: { required?: unknown[] } }> };
  responses?: Record<string, Json>;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The header components, by the name a catalog entry lists (see `headers` in the catalog). */
const headerComponents: Readonly<Record<string, string>> = {
  'WWW-Authenticate': 'WwwAuthenticate',
  'Retry-After': 'RetryAfter',
  'RateLimit-Policy': 'RateLimitPolicy',
  RateLimit: 'RateLimit',
  Allow: 'Allow',
  ETag: 'ETag',
  'Cache-Control': 'CacheControl',
};

/**
 * The longest wait the app can ask for in `Retry-After`: the monthly quota
 * resets at the start of next month, at most 31 days ahead, and a rate-limit
 * policy's window can be longer (`RATE_LIMITS` accepts days).
 */
export function longestRetryAfterSeconds(rateLimitWindowsMs: readonly number[] = []): number {
  return Math.max(longestQuotaWaitSeconds, ...rateLimitWindowsMs.map((ms) => Math.ceil(ms / 1000)));
}

/** The facts the shared mechanisms read, from the route's declaration and the operation @fastify/swagger wrote from its schema. */
function factsOf(method: string, declaration: RouteDeclaration & { pattern: string }, operation: Operation): RouteFacts {
  const body = operation.requestBody?.content?.['application/json']?.schema;
  return {
    method: method.toUpperCase(),
    pattern: declaration.pattern,
    access: declaration.access,
    parameterLocations: (operation.parameters ?? []).map((parameter) => parameter.in),
    body: body === undefined ? 'none' : (body.required ?? []).length > 0 ? 'required' : 'optional',
    kind:
      declaration.operation?.errorPages === true ? 'page' : declaration.faultline?.context === 'oauth-token' ? 'form' : 'json',
  };
}

/**
 * Whether an answer with `codes` to the route carries `RateLimit-Policy` and
 * `RateLimit`: the rate-limit hook runs after load shedding and
 * authentication (so none of their answers has them, but for the 429 of the
 * failed-authentication budget, which carries its own), and every later
 * answer keeps them, 2xx and errors alike. The limits on guessing and minting
 * send the fields of the policy that refused with each of their 429s.
 */
export function carriesRateLimitFields(route: RouteFacts, codes: readonly string[] = []): boolean {
  // The token endpoints' limits (attempt-limits.ts) send the fields of the policy that refused with their 429s.
  if (route.kind === 'form') return codes.includes('limit_reached');
  if (!route.pattern.startsWith('/v1/')) return false;
  // Load shedding, the per-address cap and the HTTP server's timeouts answer before any route hook runs.
  if (codes.includes('service_unavailable') || codes.includes('request_timeout')) return false;
  // Logging in is limited per address before the password is checked, so all its answers carry them.
  if (route.access === 'public') return true;
  return !(codes.length > 0 && codes.every((code) => codesBeforeRateLimit.has(code)));
}

/**
 * Completes the document @fastify/swagger builds from the route schemas: each
 * operation's errors (those its route declares in `config.errors`, and those
 * the shared mechanisms derive from it), with examples written by
 * `writeErrorResponse`, their headers from the catalog, security, and the
 * catalog as shared components.
 */
export function completeDocument(
  document: Json,
  options: ErrorDocsOptions & { longestRetryAfterSeconds: number },
  declarationOf: (method: string, path: string) => (RouteDeclaration & { pattern: string }) | undefined,
): Json {
  const { catalog, profile } = options;
  const examples: Record<string, unknown> = {};
  const used = new Set<ProfileName>();
  const tagsUsed = new Set<string>();
  const headerSchemas = headerComponentSchemas(options.longestRetryAfterSeconds);

  const errorContent = (codes: readonly string[], forced: ProfileName | undefined, context: ErrorContext) => {
    const mediaProfiles: readonly ProfileName[] =
      forced !== undefined ? [forced] : profile === 'problem' ? ['problem'] : [profile, 'problem'];
    const content: Json = {};
    for (const mediaProfile of mediaProfiles) {
      used.add(mediaProfile);
      const refs: Json = {};
      for (const code of codes) {
        const name = exampleName(code, mediaProfile, profile);
        examples[name] ??= errorExample(code, { ...options, profile: mediaProfile }, context).example;
        refs[code] = { $ref: `#/components/examples/${name}` };
      }
      content[mediaTypeOf(mediaProfile)] = {
        schema: { $ref: `#/components/schemas/${bodySchemaNames[mediaProfile]}` },
        examples: refs,
      };
    }
    return content;
  };

  /** The headers of an error response: each its codes' catalog entries list (required when all of them do), or their answer carries. */
  const errorHeaders = (codes: readonly string[], context: ErrorContext): Json => {
    const carriers = new Map<string, number>();
    for (const code of codes) {
      const written = Object.keys(errorExample(code, options, context).headers).map((name) => name.toLowerCase());
      // The RateLimit fields come from the /v1 rate-limit hook, not from the code: see carriesRateLimitFields.
      const names = new Set(
        [
          ...catalog.get(code).headers,
          ...Object.keys(headerComponents).filter((name) => written.includes(name.toLowerCase())),
        ].filter((name) => name !== 'RateLimit-Policy' && name !== 'RateLimit'),
      );
      for (const name of names) carriers.set(name, (carriers.get(name) ?? 0) + 1);
    }
    const headers: Json = { 'x-request-id': { $ref: '#/components/headers/RequestId' } };
    for (const [name, count] of carriers) {
      const component = headerComponents[name];
      if (component === undefined)
        throw new TypeError(`The catalog lists the header ${name}, which the OpenAPI document does not describe.`);
      headers[name] =
        count === codes.length ? { $ref: `#/components/headers/${component}` } : { ...headerSchemas[component], required: false };
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
      const declaration = declarationOf(method, path);
      if (declaration === undefined)
        throw new TypeError(`${method.toUpperCase()} ${path} is in the document but no route declared it.`);
      if (declaration.operation !== undefined) {
        const { errorPages: _pages, ...declared } = declaration.operation;
        operation = item[method] = { ...operation, ...declared } as Operation;
      }
      if (method === 'head') operation = item[method] = headOperation(operation, item['get']);
      for (const tag of (operation['tags'] as string[] | undefined) ?? []) tagsUsed.add(tag);
      const facts = factsOf(method, declaration, operation);
      const context: ErrorContext = declaration.faultline?.context ?? 'api';
      const forced = declaration.faultline?.profile;
      const idempotent = takesIdempotencyKey(facts);
      if (idempotent) operation.parameters = [...(operation.parameters ?? []), idempotencyKeyParameter];
      const responses: Record<string, Json> = {};
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const headers: Json = { ...((response['headers'] as Json | undefined) ?? {}) };
        headers['x-request-id'] = { $ref: '#/components/headers/RequestId' };
        if (carriesRateLimitFields(facts)) Object.assign(headers, rateLimitHeaders);
        if (idempotent) headers['Idempotent-Replayed'] = { $ref: '#/components/headers/IdempotentReplayed' };
        responses[status] = { ...response, headers };
      }
      const byStatus = new Map<number, string[]>();
      for (const code of new Set([...sharedErrors(facts), ...declaration.errors])) {
        const status = catalog.resolve(code, forced ?? profile, context)?.status ?? catalog.get(code).status;
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      }
      for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
        responses[String(status)] = {
          description: errorResponseDescription(status, codes, catalog),
          headers: { ...errorHeaders(codes, context), ...(carriesRateLimitFields(facts, codes) ? rateLimitHeaders : {}) },
          ...(method === 'head' ? {} : { content: errorContent(codes, forced, context) }),
        };
      }
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
      // The codes the route's own handler throws, as it declares them; the rest come from shared mechanisms.
      operation['x-route-errors'] = [...declaration.errors];
      operation['security'] = securityOf(facts);
    }
  }

  // A request no route matches belongs to no operation: its answers are shared components, by status
  // (`MethodNotAllowed` for 405, `NotFound` for 404, …).
  const noRoute = new Map<number, string[]>();
  for (const code of noRouteErrors) {
    const status = catalog.get(code).status;
    noRoute.set(status, [...(noRoute.get(status) ?? []), code]);
  }
  const sharedResponses = Object.fromEntries(
    [...noRoute].map(([status, codes]) => [
      noRouteResponseName(status),
      {
        description: `${errorResponseDescription(status, codes, catalog)} Sent to a request no operation matches${status === 405 ? '; `Allow` lists the methods the path does accept' : ''}.`,
        headers: errorHeaders(codes, 'api'),
        content: errorContent(codes, undefined, 'api'),
      },
    ]),
  );

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
    responses: sharedResponses,
    headers: headerSchemas,
    examples: Object.fromEntries(Object.entries(examples).sort(([a], [b]) => a.localeCompare(b))),
    securitySchemes: securitySchemes(),
  };
  // Every tag an operation uses is listed, described where the document says what it means.
  const described = new Map(((document['tags'] as { name: string }[] | undefined) ?? []).map((tag) => [tag.name, tag]));
  for (const tag of tagsUsed)
    if (!described.has(tag))
      throw new TypeError(`The tag "${tag}" is used by an operation but not described in the document's tags.`);
  document['tags'] = [...described.values()].filter((tag) => tagsUsed.has(tag.name));
  addIntegerFormats(document);
  return document;

  function headerComponentSchemas(longestWait: number): Record<string, Json> {
    return {
      RequestId: {
        description:
          'The id of this request: the `x-request-id` the client sent when it is 1 to 128 of `A-Za-z0-9._:-`, a new UUID otherwise. Quote it to support.',
        required: true,
        schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9._:-]{1,128}$' },
      },
      WwwAuthenticate: {
        description:
          'The challenges: `Bearer realm="faultline"` (with `error="invalid_token"` when a key was sent and refused, `error="insufficient_scope"` and the `scope` a token lacks), then `Basic realm="faultline", charset="UTF-8"`; on the OAuth token endpoints, `Basic realm="faultline"` for the client.',
        required: true,
        schema: { type: 'string', maxLength: 300, pattern: '^(Bearer|Basic) realm=' },
      },
      RetryAfter: {
        description:
          'Seconds to wait before retrying: up to the start of next month for the monthly quota, up to the longest rate-limit window for `limit_reached`.',
        required: true,
        schema: { type: 'integer', minimum: 0, maximum: longestWait },
      },
      RateLimitPolicy: {
        description:
          'The rate-limit policies that count this request (draft-ietf-httpapi-ratelimit-headers-10): each policy’s name, quota `q` and window `w` in seconds. Under /v1, those of the credential (`RATE_LIMITS`) and of its team (`TEAM_RATE_LIMITS`), on every answer to an authenticated request while they are on (as under `npm start`); on a 429 of the limits on guessing and minting (failed authentication, logins, the token endpoints), the policy that refused.',
        schema: {
          type: 'string',
          maxLength: 500,
          example: '"burst";q=50;w=1, "hourly";q=10000;w=3600, "team";q=100;w=1, "team-h";q=20000;w=3600',
        },
      },
      RateLimit: {
        description:
          'What is left of each policy of `RateLimit-Policy`: the units `r` remaining and the seconds `t` until the policy is fully restored. Pace requests by it; at `r=0` the next request gets 429 `limit_reached`. Sent with `RateLimit-Policy`.',
        schema: {
          type: 'string',
          maxLength: 500,
          example: '"burst";r=49;t=1, "hourly";r=9999;t=1, "team";r=99;t=1, "team-h";r=19999;t=1',
        },
      },
      IdempotentReplayed: {
        description:
          'Sent as `true` on an answer replayed for a repeated `Idempotency-Key`: the stored answer of the first request with the key, which ran once. Absent on a first answer.',
        schema: { type: 'string', const: 'true' },
      },
      Allow: {
        description: 'The methods this path accepts.',
        required: true,
        schema: { type: 'string', maxLength: 100, pattern: '^[A-Z]+(, [A-Z]+)*$' },
      },
      ETag: {
        description: 'The current version of the resource, to send in `If-Match` once you have reapplied your change to it.',
        required: true,
        schema: { type: 'string', maxLength: 40, pattern: '^"[!#-~]*"$' },
      },
      CacheControl: {
        description: 'Always `no-store`: an OAuth token response, error or not, must not be cached (RFC 6749 section 5.1).',
        required: true,
        schema: { type: 'string', const: 'no-store' },
      },
    };
  }
}

/** The `Idempotency-Key` request header, on every operation that takes one. */
const idempotencyKeyParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: [
    'Makes the request safe to retry: send a new unique key (a UUID) and the same key on every retry of the request.',
    'The first request with the key runs once and its answer is kept for 24 hours, for your team only; a retry with the same method, path and body gets that answer again, with `Idempotent-Replayed: true`, without running again.',
    'The same key with a different request (method, path or body) is a 422 `idempotency_key_reused`. A retry that arrives while the first request still runs waits for it to commit and gets its answer.',
    'The key, the work and the answer commit in one transaction: an answer that did no work (any error: 4xx, 429, 5xx) is not kept, so the retry runs again. 1 to 255 visible ASCII characters; a quoted key (`"…"`, a Structured Field string) is the same key as its unquoted form.',
  ].join(' '),
  schema: { type: 'string', minLength: 1, maxLength: 257, pattern: '^[!-~]+$' },
};

/** The shared response a request no route matches gets with `status`: `MethodNotAllowed`, `NotFound`, … */
export function noRouteResponseName(status: number): string {
  return statusName(status).replace(/[^A-Za-z]/g, '');
}

/** A `HEAD` operation: its `GET` twin, answering the same statuses and headers, with no body. */
function headOperation(head: Operation, get: Operation | undefined): Operation {
  const twin = get ?? head;
  const responses = Object.fromEntries(
    Object.entries(twin.responses ?? {}).map(([status, response]) => {
      const { content: _content, ...rest } = response as Json;
      return [status, rest];
    }),
  );
  return {
    ...twin,
    operationId: `${String(twin.operationId)}Head`,
    summary: `${String(twin.summary)} (headers only)`,
    description: `The answer of \`GET\` without its body: the same status and headers.`,
    responses,
  };
}

/** Who may call an operation: an API key or session token, or an OAuth token with the route's scope; nothing when public. */
function securityOf(route: RouteFacts): Json[] {
  if (!route.pattern.startsWith('/v1/') || route.access === 'public') return [];
  const scope = requiredScope(route.method, route.pattern);
  return [{ apiKeyBearer: [] }, { apiKeyBasic: [] }, ...(scope === undefined ? [] : [{ oauth2: [scope] }])];
}

function securitySchemes(): Json {
  const scopes = { ...scopeDescriptions };
  return {
    apiKeyBearer: {
      type: 'http',
      scheme: 'bearer',
      description:
        'An API key (`Authorization: Bearer flk_…`), a session token from POST /v1/sessions (`Authorization: Bearer fls_…`), or an OAuth access token.',
    },
    apiKeyBasic: {
      type: 'http',
      scheme: 'basic',
      description: 'The API key as the password of HTTP Basic authentication (or as the user name with an empty password).',
    },
    oauth2: {
      type: 'oauth2',
      description:
        'OAuth 2 access tokens, sent as `Authorization: Bearer …`. Account administration (users, API keys, OAuth apps, sessions) takes no OAuth token. The tokens are opaque random strings, not JWTs, so RFC8725 (JWT best practices) has nothing to apply to.',
      flows: {
        authorizationCode: {
          authorizationUrl: '/oauth/authorize',
          tokenUrl: '/oauth/token',
          refreshUrl: '/oauth/token',
          scopes,
        },
        clientCredentials: { tokenUrl: '/oauth/token', refreshUrl: '/oauth/token', scopes },
      },
    },
  };
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
      // Each tag an operation uses; completeDocument refuses a tag missing here and drops one no operation uses.
      tags: [
        { name: 'account', description: 'The caller.' },
        { name: 'sessions', description: 'Logging in with email and password, and out.' },
        { name: 'users', description: 'The people of the caller’s team (administrators).' },
        { name: 'api-keys', description: 'The API keys of the caller’s team (administrators).' },
        { name: 'oauth-apps', description: 'The OAuth apps of the caller’s team (administrators).' },
        { name: 'campaigns', description: 'Campaigns of the caller’s team.' },
        { name: 'recipients', description: 'Who a campaign is sent to.' },
        { name: 'oauth', description: 'The OAuth 2 authorization server: authorization, tokens, revocation.' },
        { name: 'service', description: 'Health of the service.' },
        { name: 'docs', description: 'This reference and the error reference.' },
      ],
    },
    exposeHeadRoutes: true,
    transformObject: (documentObject) =>
      completeDocument((documentObject as { openapiObject: Json }).openapiObject, options, (method, path) =>
        declarations.get(`${method.toUpperCase()} ${path}`),
      ) as never,
  });
  // What each route declares (its access, its errors, its operation when it has no schema), by method and
  // OpenAPI path: read from the routes, not kept in a second list.
  const declarations = new Map<string, RouteDeclaration & { pattern: string }>();
  app.addHook('onRoute', (route) => {
    const config = route.config as (typeof route.config & { faultline?: FaultlineRouteConfig }) | undefined;
    const declaration = {
      pattern: route.url,
      access: config?.access ?? 'member',
      errors: config?.errors ?? [],
      operation: config?.operation,
      faultline: config?.faultline,
    };
    for (const method of [route.method].flat()) declarations.set(`${method} ${openApiPathOf(route.url)}`, declaration);
  });
}

/** Swagger UI's page loads only its own files and the document, from this server. */
export const apiReferenceContentSecurityPolicy =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

const openApiDocumentOperation: SchemalessOperation = {
  operationId: 'getOpenApiDocument',
  summary: 'This OpenAPI document',
  tags: ['docs'],
  responses: {
    200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } },
  },
};

/** Serves the document at {@link openApiPath} and Swagger UI, from local files only, at {@link apiReferencePath}. */
export async function registerApiReference(app: FastifyInstance): Promise<void> {
  let serialized: string | undefined;
  app.get(openApiPath, { config: { operation: openApiDocumentOperation } }, async (_request, reply) => {
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
