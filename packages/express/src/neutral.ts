// BRIDGE, to be replaced by re-exports of @faultline/http and @faultline/rate-limit once the tag
// neutral-ready exists: every framework-neutral call of the package goes through this one file.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ApiError } from '@faultline/core';
import {
  builtinCatalog,
  codeForStatus,
  escapePointerToken,
  isApiError,
  isProfileName,
  writeErrorResponse,
  type Catalog,
  type ErrorContext,
  type FieldErrorInput,
  type FieldLocation,
  type ProfileName,
} from '@faultline/core';
import {
  basicChallenge,
  bearerChallenge,
  MemoryStore,
  rateLimitField,
  rateLimitPolicyField,
  wwwAuthenticate,
  type RateLimitPolicy,
  type RateLimitStore,
} from '@faultline/fastify';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Logger } from './logger.js';

export { basicChallenge, bearerChallenge, wwwAuthenticate };

export const requestIdHeader = 'x-request-id';
const wellFormedId = /^[A-Za-z0-9._:-]{1,128}$/;
export function newRequestId(given: string | string[] | undefined): string {
  return typeof given === 'string' && wellFormedId.test(given) ? given : randomUUID();
}

export interface JsonLimits {
  readonly maxDepth: number;
  readonly maxKeys: number;
  readonly maxItems: number;
  readonly maxMembers: number;
}
export interface HttpOptions {
  readonly catalog?: Catalog;
  readonly profile?: ProfileName;
  readonly docsUrl?: string;
  readonly contentTypes?: readonly string[];
  readonly realm?: string;
  readonly maxFieldErrors?: number;
  readonly classicFieldErrors?: boolean;
  readonly jsonLimits?: Partial<JsonLimits>;
  readonly maxConnectionsPerClient?: number;
}
export interface HttpSettings {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly docsUrl: string;
  readonly contentTypes: readonly string[];
  readonly realm: string;
  readonly maxFieldErrors: number;
  readonly classicFieldErrors: boolean;
  readonly jsonLimits: JsonLimits;
  readonly maxConnectionsPerClient: number;
}
export function resolveHttpSettings(options: HttpOptions): HttpSettings {
  const profile = options.profile ?? 'problem';
  if (!isProfileName(profile))
    throw new TypeError(`Unknown error profile "${String(profile)}": use problem, classic, message or oauth.`);
  return {
    catalog: options.catalog ?? builtinCatalog,
    profile,
    docsUrl: options.docsUrl ?? '/docs/errors',
    contentTypes: options.contentTypes ?? ['application/json'],
    realm: options.realm ?? 'api',
    maxFieldErrors: options.maxFieldErrors ?? 100,
    classicFieldErrors: options.classicFieldErrors === true,
    jsonLimits: { maxDepth: 32, maxKeys: 1000, maxItems: 20_000, maxMembers: 100_000, ...options.jsonLimits },
    maxConnectionsPerClient: options.maxConnectionsPerClient ?? 256,
  };
}

export interface AnswerOptions {
  readonly accept: string | undefined;
  readonly requestId: string;
  readonly route: { readonly profile?: ProfileName; readonly context?: ErrorContext } | undefined;
  readonly onUnknownCode: (code: string) => void;
}
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}
export function errorAnswer(error: ApiError, settings: HttpSettings, options: AnswerOptions): Answer {
  const profile = options.route?.profile ?? (acceptsProblem(options.accept) ? 'problem' : settings.profile);
  const write = {
    catalog: settings.catalog,
    profile,
    requestId: options.requestId,
    docsUrl: settings.docsUrl,
    classicFieldErrors: settings.classicFieldErrors,
    ...(options.route?.context ? { context: options.route.context } : {}),
  };
  let response = writeErrorResponse(error, write);
  if (response === undefined) {
    options.onUnknownCode(error.code);
    response = writeErrorResponse(
      settings.catalog.error('internal_error', { detail: internalDetail(options.requestId) }),
      write,
    )!;
  }
  const headers: Record<string, string> = { ...response.headers };
  if (response.status === 401 && headers['www-authenticate'] === undefined)
    headers['www-authenticate'] = wwwAuthenticate([bearerChallenge({ realm: settings.realm })]);
  return { status: response.status, headers, body: response.body };
}
function acceptsProblem(accept: string | undefined): boolean {
  return (
    accept !== undefined &&
    accept.toLowerCase().includes('application/problem+json') &&
    !/problem\+json\s*;\s*q=0(\.0*)?\s*($|,)/.test(accept)
  );
}
const internalDetail = (id: string): string =>
  `Something went wrong on our side. If it persists, contact support and quote request id ${id}.`;

const shorten = (path: string): string => (path.length > 200 ? `${path.slice(0, 199)}…` : path);
export function notFoundError(settings: HttpSettings, method: string, path: string): ApiError {
  return settings.catalog.error('not_found', {
    detail: `No operation matches ${method} ${shorten(path)}. Check the path against the API reference.`,
  });
}
export function methodNotAllowedError(
  settings: HttpSettings,
  method: string,
  path: string,
  allowed: readonly string[],
): ApiError {
  return settings.catalog.error('method_not_allowed', {
    detail: `${method} is not allowed on ${shorten(path)}. Use ${allowed.join(', ')}.`,
    headers: { allow: allowed.join(', ') },
  });
}
export function contentTypeError(settings: HttpSettings, sent: string | undefined): ApiError {
  const accepted = settings.contentTypes.join(', ');
  return settings.catalog.error('invalid_content_type', {
    detail:
      sent === undefined
        ? `The request has a body but no Content-Type. Send it as one of: ${accepted}.`
        : `The body was sent as "${sent.slice(0, 100)}", which this endpoint does not read. Send it as one of: ${accepted}.`,
  });
}
export function bodyTooLargeError(settings: HttpSettings, limit: number): ApiError {
  return settings.catalog.error('request_too_large', {
    detail: `The body is larger than the ${limit} bytes this endpoint accepts.`,
  });
}
export function mediaTypeOf(header: string): string {
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
export function parseJsonBody(
  settings: HttpSettings,
  bytes: Uint8Array,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ApiError } {
  const { catalog } = settings;
  if (bytes.length === 0)
    return {
      ok: false,
      error: catalog.error('invalid_request', { detail: 'The Content-Type is application/json but the body is empty.' }),
    };
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > settings.jsonLimits.maxDepth)
        return {
          ok: false,
          error: catalog.error('request_too_large', {
            detail: `The body nests arrays and objects deeper than ${settings.jsonLimits.maxDepth} levels, the most this server reads (jsonLimits.maxDepth).`,
          }),
        };
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: catalog.error('invalid_request', { detail: 'The body is not valid UTF-8.' }) };
  }
  try {
    const value: unknown = JSON.parse(text, (key, inner: unknown) => {
      if (key === '__proto__') throw new SyntaxError('Object contains forbidden prototype property');
      return inner;
    });
    return { ok: true, value };
  } catch (error) {
    return {
      ok: false,
      error: catalog.error('invalid_request', {
        detail: `The body is not valid JSON: ${String((error as Error).message).slice(0, 160)}`,
      }),
    };
  }
}

export type PartResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly fields: FieldErrorInput[] };
export type RequestPartValidator = (input: unknown) => PartResult | Promise<PartResult>;
interface StandardSchemaLike {
  readonly '~standard': {
    validate(value: unknown): StandardResult | Promise<StandardResult>;
  };
}
type StandardResult = {
  readonly value?: unknown;
  readonly issues?: readonly {
    readonly message: string;
    readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[];
  }[];
};
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const strictAjv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true }));
const coercingAjv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true }));
export function compileRequestSchema(schema: object, mode: 'body' | 'coerced', location: FieldLocation): RequestPartValidator {
  if ('~standard' in schema) {
    const standard = (schema as StandardSchemaLike)['~standard'];
    const settle = (input: unknown, result: StandardResult): PartResult =>
      result.issues === undefined
        ? { ok: true, value: result.value }
        : {
            ok: false,
            fields: result.issues.map((issue) => {
              const keys = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment));
              const missing = isAbsent(input, keys);
              return {
                pointer: keys.map((key) => `/${escapePointerToken(key)}`).join(''),
                location,
                code: missing ? 'missing_parameter' : 'invalid_parameter',
                detail: missing ? 'is required' : issue.message,
              };
            }),
          };
    return (input) => {
      const result = standard.validate(input);
      return result instanceof Promise ? result.then((settled) => settle(input, settled)) : settle(input, result);
    };
  }
  const validate = (mode === 'body' ? strictAjv : coercingAjv).compile(schema);
  return (input) => {
    const value = mode === 'body' ? input : structuredClone(input);
    if (validate(value)) return { ok: true, value };
    return { ok: false, fields: (validate.errors ?? []).map((error) => ajvField(error, location)) };
  };
}
/** Whether the last key of `keys` is absent from an object the keys before it lead to. */
function isAbsent(input: unknown, keys: readonly string[]): boolean {
  if (keys.length === 0) return input === undefined;
  let parent: unknown = input;
  for (const key of keys.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<string, unknown>)[key];
  }
  return (
    typeof parent === 'object' &&
    parent !== null &&
    !Array.isArray(parent) &&
    !Object.hasOwn(parent, keys[keys.length - 1] as string)
  );
}
function ajvField(failure: ErrorObject, location: FieldLocation): FieldErrorInput {
  const params = failure.params as Record<string, unknown>;
  if (failure.keyword === 'required' && typeof params['missingProperty'] === 'string')
    return {
      pointer: `${failure.instancePath}/${escapePointerToken(params['missingProperty'])}`,
      location,
      code: 'missing_parameter',
      detail: 'is required',
    };
  if (failure.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string')
    return {
      pointer: `${failure.instancePath}/${escapePointerToken(params['additionalProperty'])}`,
      location,
      code: 'invalid_parameter',
      detail: 'is not a field this operation accepts',
    };
  return { pointer: failure.instancePath, location, code: 'invalid_parameter', detail: failure.message ?? 'is not valid' };
}

export function classifyThrown(
  thrown: unknown,
  settings: HttpSettings,
  requestId: string,
  _headers: IncomingHttpHeaders,
): { readonly error: ApiError; readonly unexpected: boolean } {
  const { catalog } = settings;
  if (isApiError(thrown)) return { error: thrown, unexpected: false };
  const failure = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as { status?: unknown; statusCode?: unknown };
  const status =
    typeof failure.status === 'number' ? failure.status : typeof failure.statusCode === 'number' ? failure.statusCode : undefined;
  if (status !== undefined && ((status >= 400 && status < 500) || (status >= 502 && status <= 504))) {
    const code = codeForStatus(status);
    const known = catalog.has(code) ? code : 'invalid_request';
    return {
      error: catalog.error(known, { detail: catalog.find(known)?.description ?? 'The request was refused.' }),
      unexpected: false,
    };
  }
  return { error: catalog.error('internal_error', { detail: internalDetail(requestId) }), unexpected: true };
}

export function protectServer<S extends Server>(server: S, settings: HttpSettings, logger: Logger): S {
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const requestId = randomUUID();
    const answer = errorAnswer(
      settings.catalog.error('invalid_request', { detail: 'The request is not well-formed HTTP.' }),
      settings,
      {
        accept: undefined,
        requestId,
        route: undefined,
        onUnknownCode: () => undefined,
      },
    );
    const head = [
      `HTTP/1.1 ${answer.status} Bad Request`,
      'connection: close',
      `x-request-id: ${requestId}`,
      `content-length: ${Buffer.byteLength(answer.body)}`,
    ];
    for (const [name, value] of Object.entries(answer.headers)) head.push(`${name}: ${value}`);
    socket.end(`${head.join('\r\n')}\r\n\r\n${answer.body}`);
    logger.warn({ reqId: requestId, code: error.code }, 'A request Node could not parse was answered 400');
  });
  return server;
}

export interface RateLimiterOptions {
  readonly policies: readonly RateLimitPolicy[];
  readonly store?: RateLimitStore;
}
export interface RateLimitOutcome {
  readonly headers: Readonly<Record<string, string>>;
  readonly refusal?: ApiError;
}
export function createRateLimiter(options: RateLimiterOptions) {
  for (const policy of options.policies) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(policy.name))
      throw new TypeError(`Rate-limit policy name "${policy.name}" must be a simple word.`);
    if (!(Number.isInteger(policy.limit) && policy.limit > 0 && policy.windowMs > 0))
      throw new TypeError(`Rate-limit policy "${policy.name}" needs a positive whole limit and window.`);
  }
  const store = options.store ?? new MemoryStore();
  const policyField = rateLimitPolicyField(options.policies);
  return {
    consume(key: string, cost: number, catalog: Catalog): RateLimitOutcome | Promise<RateLimitOutcome> {
      const decided = store.consume(key, options.policies, cost);
      const settle = (decisions: readonly ReturnType<typeof MemoryStore.prototype.consume>[number][]): RateLimitOutcome => {
        const headers = { 'ratelimit-policy': policyField, ratelimit: rateLimitField(decisions) };
        const refused = decisions.find((decision) => !decision.allowed);
        if (refused === undefined) return { headers };
        const retryAt = new Date(
          Date.now() + (Number.isFinite(refused.retryAfterMs) ? refused.retryAfterMs : refused.policy.windowMs),
        );
        return {
          headers,
          refusal: catalog.error('limit_reached', {
            detail: `Rate limit "${refused.policy.name}" (${refused.policy.limit} per ${refused.policy.windowMs / 1000} s) reached; try again after ${retryAt.toISOString()}.`,
            retryAt,
            extensions: { policy: refused.policy.name },
          }),
        };
      };
      return Array.isArray(decided) ? settle(decided) : decided.then(settle);
    },
  };
}

export interface LoadShedderOptions {
  readonly maxInFlight?: number;
  readonly maxEventLoopDelayMs?: number;
  readonly sampleIntervalMs?: number;
  readonly retryAfterSeconds?: number;
}
export interface LoadSheddingState {
  readonly inFlight: number;
  readonly eventLoopDelayMs: number;
  readonly shedding: boolean;
  readonly shed: number;
}
export function createLoadShedder(options: LoadShedderOptions) {
  const positive = (value: number | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (!(value > 0)) throw new TypeError(`loadShedding: ${name} must be a positive number, not ${value}.`);
    return value;
  };
  const maxInFlight = positive(options.maxInFlight, 'maxInFlight', Number.POSITIVE_INFINITY);
  const maxDelay = positive(options.maxEventLoopDelayMs, 'maxEventLoopDelayMs', Number.POSITIVE_INFINITY);
  const interval = positive(options.sampleIntervalMs, 'sampleIntervalMs', 100);
  const retryAfterSeconds = positive(options.retryAfterSeconds, 'retryAfterSeconds', 2);
  let inFlight = 0;
  let delay = 0;
  let shed = 0;
  let sampler: NodeJS.Timeout | undefined;
  if (Number.isFinite(maxDelay)) {
    let last = performance.now();
    sampler = setInterval(() => {
      const now = performance.now();
      delay = Math.max(0, now - last - interval);
      last = now;
    }, interval);
    sampler.unref();
  }
  const state: LoadSheddingState = {
    get inFlight() {
      return inFlight;
    },
    get eventLoopDelayMs() {
      return delay;
    },
    get shedding() {
      return delay > maxDelay || inFlight >= maxInFlight;
    },
    get shed() {
      return shed;
    },
  };
  return {
    counting: Number.isFinite(maxInFlight),
    state,
    admit(catalog: Catalog): ApiError | undefined {
      if (delay <= maxDelay && inFlight < maxInFlight) {
        if (Number.isFinite(maxInFlight)) inFlight++;
        return undefined;
      }
      shed++;
      const retryAt = new Date(Date.now() + retryAfterSeconds * 1000);
      const reason =
        delay > maxDelay ? `its event loop is ${Math.round(delay)} ms behind` : `it is handling ${inFlight} requests, its limit`;
      return catalog.error('service_unavailable', {
        detail: `The server is overloaded (${reason}) and refused this request before starting it; try again after ${retryAt.toISOString()}.`,
        retryAt,
      });
    },
    release(): void {
      inFlight--;
    },
    stop(): void {
      clearInterval(sampler);
    },
  };
}
