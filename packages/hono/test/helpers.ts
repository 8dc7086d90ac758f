import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { builtinCatalog, type ProfileName } from '@faultline/core';
import { faultline, type FaultlineOptions } from '@faultline/hono';
import { Hono } from 'hono';
import { expect } from 'vitest';

export const profiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export type Body = Record<string, unknown>;

/** One call the app made to its logger. */
export interface LogEntry {
  readonly level: 'error' | 'warn' | 'debug';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A logger that keeps what it is given, for the tests to read. */
export function captureLogs(): { readonly logger: NonNullable<FaultlineOptions['logger']>; readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const keep = (level: LogEntry['level']) => (fields: object, message: string) =>
    void entries.push({ level, fields: fields as Record<string, unknown>, message });
  return { logger: { error: keep('error'), warn: keep('warn'), debug: keep('debug') }, entries };
}

/** A Hono app with the contract installed first, as an application builds it; logs kept quiet unless asked. */
export function buildApp(options: FaultlineOptions = {}): Hono {
  const app = new Hono();
  faultline(app, { logger: captureLogs().logger, ...options });
  return app;
}

const servers: ServerType[] = [];

/** Serves the app on a real socket through @hono/node-server; closed by {@link closeServers}. */
export async function listen(app: Hono): Promise<string> {
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServers(): Promise<void> {
  const closing = servers.splice(0);
  await Promise.all(
    closing.map(
      (server) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in server) server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
}

/** The body of an answer, which must be a JSON object. */
export async function bodyOf(response: Response): Promise<Body> {
  const body: unknown = JSON.parse(await response.text());
  expect(typeof body === 'object' && body !== null && !Array.isArray(body)).toBe(true);
  return body as Body;
}

/** Checks a problem-details answer in full (status, media type, the request id in header and body, the members); gives its body. */
export async function expectProblem(response: Response, status: number, code: string): Promise<Body> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const requestId = response.headers.get('x-request-id');
  expect(typeof requestId).toBe('string');
  const body = await bodyOf(response);
  expect(body).toMatchObject({ type: `/docs/errors#${code}`, status, code, request_id: requestId });
  expect(typeof body['title']).toBe('string');
  expect(typeof body['detail']).toBe('string');
  expect(new Date(body['time'] as string).toISOString()).toBe(body['time']);
  return body;
}

/**
 * Checks an answer in one of the four profiles: the status, the media type,
 * the code and the message in that profile's members; gives the body.
 */
export async function expectInProfile(
  response: Response,
  profile: ProfileName,
  status: number,
  code: string,
  detail: string,
): Promise<Body> {
  if (profile === 'problem') {
    const body = await expectProblem(response, status, code);
    expect(body['detail']).toBe(detail);
    return body;
  }
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  const requestId = response.headers.get('x-request-id');
  const body = await bodyOf(response);
  // The code as this profile's vocabulary writes it (OAuth's invalid_request for a validation failure, say).
  code = builtinCatalog.resolve(code, profile)?.code ?? code;
  if (profile === 'classic') expect(body).toMatchObject({ code, error: detail, time: expect.any(String) });
  if (profile === 'message') expect(body).toMatchObject({ code, description: detail, request_id: requestId });
  if (profile === 'oauth')
    expect(body).toMatchObject({ error: code, error_description: detail, error_uri: `/docs/errors#${code}` });
  return body;
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
