/**
 * Every error class comes out of the client for the right status and code,
 * whatever shape the body has: each Faultline profile, OAuth, plain text,
 * HTML, an empty body or JSON of no known shape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  createClient,
  FaultlineError,
  NotFoundError,
  PermissionError,
  PreconditionFailedError,
  QuotaExceededError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
  type FaultlineClient,
} from '@faultline/client';
import { FaultServer, reply, type Reply } from './fault-server.js';
import { rejectionOf } from './helpers.js';

type ErrorClass = abstract new (...args: never[]) => FaultlineError;

interface Case {
  readonly status: number;
  /** The code a body that names one sends. */
  readonly code: string;
  /** The class for a body that names `code`. */
  readonly coded: ErrorClass;
  /** The code read from a body that names none: the status's own. */
  readonly fallback: string;
  /** The class for a body that names no code: the status's. */
  readonly bare: ErrorClass;
}

const cases: readonly Case[] = [
  { status: 400, code: 'invalid_parameter', coded: ValidationError, fallback: 'invalid_request', bare: ValidationError },
  { status: 405, code: 'method_not_allowed', coded: ValidationError, fallback: 'method_not_allowed', bare: ValidationError },
  { status: 413, code: 'request_too_large', coded: ValidationError, fallback: 'request_too_large', bare: ValidationError },
  { status: 415, code: 'invalid_content_type', coded: ValidationError, fallback: 'invalid_content_type', bare: ValidationError },
  { status: 422, code: 'unprocessable_entity', coded: ValidationError, fallback: 'invalid_request', bare: ValidationError },
  {
    status: 401,
    code: 'invalid_api_key',
    coded: AuthenticationError,
    fallback: 'unauthorized_request',
    bare: AuthenticationError,
  },
  {
    status: 401,
    code: 'session_expired',
    coded: AuthenticationError,
    fallback: 'unauthorized_request',
    bare: AuthenticationError,
  },
  { status: 403, code: 'not_authorized', coded: PermissionError, fallback: 'not_authorized', bare: PermissionError },
  { status: 403, code: 'insufficient_scope', coded: PermissionError, fallback: 'not_authorized', bare: PermissionError },
  { status: 404, code: 'not_found', coded: NotFoundError, fallback: 'not_found', bare: NotFoundError },
  { status: 404, code: 'missing_dependent_data', coded: NotFoundError, fallback: 'not_found', bare: NotFoundError },
  { status: 410, code: 'gone', coded: NotFoundError, fallback: 'invalid_request', bare: NotFoundError },
  { status: 409, code: 'conflict', coded: ConflictError, fallback: 'conflict', bare: ConflictError },
  {
    status: 412,
    code: 'precondition_failed',
    coded: PreconditionFailedError,
    fallback: 'precondition_failed',
    bare: PreconditionFailedError,
  },
  { status: 408, code: 'request_timeout', coded: TimeoutError, fallback: 'request_timeout', bare: TimeoutError },
  { status: 429, code: 'limit_reached', coded: RateLimitedError, fallback: 'limit_reached', bare: RateLimitedError },
  { status: 429, code: 'usage_limit_exceeded', coded: RateLimitedError, fallback: 'limit_reached', bare: RateLimitedError },
  {
    status: 429,
    code: 'exceeds_monthly_recipients',
    coded: QuotaExceededError,
    fallback: 'limit_reached',
    bare: RateLimitedError,
  },
  { status: 500, code: 'internal_error', coded: ServerError, fallback: 'internal_error', bare: ServerError },
  { status: 500, code: 'server_error', coded: ServerError, fallback: 'internal_error', bare: ServerError },
  { status: 502, code: 'bad_gateway', coded: ServerError, fallback: 'bad_gateway', bare: ServerError },
  { status: 503, code: 'service_unavailable', coded: ServerError, fallback: 'service_unavailable', bare: ServerError },
  { status: 504, code: 'gateway_timeout', coded: ServerError, fallback: 'gateway_timeout', bare: ServerError },
  { status: 507, code: 'insufficient_storage', coded: ServerError, fallback: 'internal_error', bare: ServerError },
];

/** Each body shape, and whether it names the code. */
const shapes: Readonly<Record<string, { names: boolean; build: (status: number, code: string) => Reply }>> = {
  problem: { names: true, build: (status, code) => reply.problem(status, code, 'Problem detail.') },
  classic: { names: true, build: (status, code) => reply.classic(status, code, 'Classic sentence.') },
  message: { names: true, build: (status, code) => reply.message(status, code, 'Message description.') },
  oauth: { names: true, build: (status, code) => reply.oauth(status, code, 'OAuth description.') },
  text: { names: false, build: (status) => reply.text(status, 'Something went wrong upstream.') },
  html: { names: false, build: (status) => reply.html(status, `${status} Proxy Error`) },
  empty: { names: false, build: (status) => reply.empty(status) },
  'unknown JSON': { names: false, build: (status) => reply.unknownJson(status) },
};

let server: FaultServer;
let client: FaultlineClient;

beforeAll(async () => {
  // The path names the shape, status and code to answer with: /<shape>/<status>/<code>.
  server = await FaultServer.start((request) => {
    const [shape = '', status = '', code = ''] = request.path.slice(1).split('/').map(decodeURIComponent);
    const chosen = shapes[shape];
    return chosen === undefined ? reply.text(500, `no shape ${shape}`) : chosen.build(Number(status), code);
  });
  client = createClient({ baseUrl: server.url, retry: { maxAttempts: 1, budget: false }, pacing: false });
});

afterAll(async () => {
  await server.close();
});

describe.each(Object.entries(shapes))('a %s body', (shape, { names }) => {
  it.each(cases.map((c) => [c.status, c.code, c] as const))('%i %s', async (status, code, expected) => {
    const error = await rejectionOf(client.get(`/${encodeURIComponent(shape)}/${status}/${code}`));
    const type = names ? expected.coded : expected.bare;
    expect(error).toBeInstanceOf(FaultlineError);
    expect((error as FaultlineError).constructor).toBe(type);
    expect(error).toMatchObject({ status, code: names ? code : expected.fallback, method: 'GET', attempts: 1 });
  });
});

describe('a code that belongs to another status', () => {
  it('is read by its status: a foreign 400 that says "conflict" is a ValidationError', async () => {
    const error = await rejectionOf(client.get('/classic/400/conflict'));
    expect((error as FaultlineError).constructor).toBe(ValidationError);
    expect(error).toMatchObject({ status: 400, code: 'conflict' });
  });

  it('is read by its status: a 500 that says "not_found" is a ServerError', async () => {
    const error = await rejectionOf(client.get('/problem/500/not_found'));
    expect((error as FaultlineError).constructor).toBe(ServerError);
  });

  it('still counts when the catalog lists that status as a variant: unauthorized_client with 400', async () => {
    const error = await rejectionOf(client.get('/oauth/400/unauthorized_client'));
    expect((error as FaultlineError).constructor).toBe(AuthenticationError);
  });
});

describe('the category names the family', () => {
  it.each([
    [404, NotFoundError, 'not_found'],
    [429, RateLimitedError, 'rate_limit'],
    [503, ServerError, 'server'],
    [408, TimeoutError, 'timeout'],
  ] as const)('%i → %o has category %s', async (status, type, category) => {
    const error = await rejectionOf(client.get(`/empty/${status}/x`));
    expect(error).toBeInstanceOf(type);
    expect((error as FaultlineError).category).toBe(category);
    expect((error as FaultlineError).name).toBe(type.name);
  });

  it('a QuotaExceededError is a kind of RateLimitedError', async () => {
    const error = await rejectionOf(client.get('/problem/429/exceeds_monthly_recipients'));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect((error as FaultlineError).category).toBe('quota');
  });
});
