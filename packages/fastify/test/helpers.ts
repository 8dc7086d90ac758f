import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { ProfileName } from '@faultline/core';
import { faultline, faultlineServerOptions, type FaultlineOptions } from '@faultline/fastify';

/** One JSON log line written by pino. */
export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly reqId?: string;
  readonly err?: { readonly type?: string; readonly message?: string; readonly stack?: string };
  readonly [key: string]: unknown;
}

/** A pino destination that keeps every line it is given, parsed. */
export function captureLogs(): { readonly stream: { write(line: string): void }; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { stream: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }, lines };
}

export interface AppOptions extends FaultlineOptions {
  readonly bodyLimit?: number;
  /** Where pino writes; without it the app logs nothing. */
  readonly logStream?: { write(line: string): void };
}

const open: FastifyInstance[] = [];

/**
 * A real Fastify app with the contract installed, as an application builds it.
 * Every app is remembered so {@link closeApps} can close it after the test.
 */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const { bodyLimit, logStream, ...plugin } = options;
  const app = Fastify({
    ...faultlineServerOptions(bodyLimit === undefined ? {} : { bodyLimit }),
    logger: logStream === undefined ? false : { level: 'info', stream: logStream },
  });
  open.push(app);
  await app.register(faultline, plugin);
  return app;
}

export async function closeApps(): Promise<void> {
  const closing = open.splice(0);
  await Promise.all(closing.map((app) => app.close()));
}

export const profiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const problemContentType = 'application/problem+json';
export const jsonContentType = 'application/json';

export type Body = Record<string, unknown>;

/** The parsed body of a response, which must be a JSON object. */
export function bodyOf(response: LightMyRequestResponse): Body {
  const body: unknown = JSON.parse(response.body);
  expect(body).toBeTypeOf('object');
  expect(body).not.toBeNull();
  return body as Body;
}

export interface FieldErrorBody {
  readonly pointer: string;
  readonly location: string;
  readonly code: string;
  readonly detail: string;
}

export function fieldErrorsOf(body: Body): FieldErrorBody[] {
  expect(Array.isArray(body['errors'])).toBe(true);
  return body['errors'] as FieldErrorBody[];
}

/**
 * Checks a problem+json error response in full: status, media type, the
 * request id in header and body, and the members every problem carries.
 * Returns the body for further checks.
 */
export function expectProblem(response: LightMyRequestResponse, status: number, code: string): Body {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe(problemContentType);
  const requestId = response.headers['x-request-id'];
  expect(typeof requestId).toBe('string');
  const body = bodyOf(response);
  expect(body).toMatchObject({ type: `/docs/errors#${code}`, status, code, request_id: requestId });
  expect(typeof body['title']).toBe('string');
  expect(typeof body['detail']).toBe('string');
  expect(new Date(body['time'] as string).toISOString()).toBe(body['time']);
  return body;
}

/** The code a body of any profile carries: `error` for oauth, `code` otherwise. */
export function codeOf(profile: ProfileName, body: Body): unknown {
  return profile === 'oauth' ? body['error'] : body['code'];
}

/** The human-readable message a body of any profile carries. */
export function detailOf(profile: ProfileName, body: Body): string {
  const member = { problem: 'detail', classic: 'error', message: 'description', oauth: 'error_description' }[profile];
  const value = body[member];
  expect(typeof value).toBe('string');
  return value as string;
}
