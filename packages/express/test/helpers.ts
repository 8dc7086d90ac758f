import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { expect } from 'vitest';
import { builtinCatalog, type ProfileName } from '@faultline/core';
import { faultline, type Contract, type FaultlineExpressOptions, type Logger } from '@faultline/express';

/** One log entry the app wrote: the fields, the message and the level. */
export interface LogEntry {
  readonly level: 'error' | 'warn';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A logger that keeps every entry, to check what the app logged. */
export function captureLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    error: (fields, message) => void entries.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
    warn: (fields, message) => void entries.push({ level: 'warn', fields: fields as Record<string, unknown>, message }),
  };
}

export interface TestApp {
  readonly app: Express;
  readonly contract: Contract;
  readonly logs: LogEntry[];
}

/**
 * An Express 5 app with the contract's first middleware in place, as an
 * application builds it: the test adds its routes, then {@link listen} adds
 * the contract's last middleware and starts a real server.
 */
export function buildApp(options: FaultlineExpressOptions = {}): TestApp {
  const logger = captureLogger();
  const contract = faultline({ logger, ...options });
  const app = express();
  app.use(contract.start);
  return { app, contract, logs: logger.entries };
}

const open: Server[] = [];

/** Adds the contract's last middleware, listens on a free port and resolves with the base URL. */
export async function listen({ app, contract }: TestApp): Promise<string> {
  app.use(contract.end);
  const server = app.listen(0, '127.0.0.1');
  contract.attach(server);
  open.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServers(): Promise<void> {
  const closing = open.splice(0);
  await Promise.all(
    closing.map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
}

/** An answer as the tests read it: status, headers by lower-case name, and the body as text. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  /** Sent as is; a string is sent as UTF-8. */
  readonly body?: string | Uint8Array;
  /** Sent in these chunks with `Transfer-Encoding: chunked`, instead of `body`. */
  readonly chunks?: readonly (string | Uint8Array)[];
}

/** One request over a real socket, with node:http (which sends exactly the headers given). */
export function send(base: string, options: RawRequest): Promise<Answer> {
  const url = new URL(options.path, base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[] | number> = { ...options.headers };
    if (options.body !== undefined && headers['content-length'] === undefined)
      headers['content-length'] = Buffer.byteLength(options.body);
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        headers,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answerHeaders: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(response.headers))
            answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({ status: response.statusCode ?? 0, headers: answerHeaders, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    if (options.chunks !== undefined) {
      for (const chunk of options.chunks) request.write(chunk);
      request.end();
    } else request.end(options.body);
  });
}

/** A JSON request: the value is serialized, with `Content-Type: application/json`. */
export function sendJson(
  base: string,
  method: string,
  path: string,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return send(base, { method, path, body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...headers } });
}

export const profiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type Body = Record<string, unknown>;

export function bodyOf(answer: Answer): Body {
  const body: unknown = JSON.parse(answer.text);
  expect(body).toBeTypeOf('object');
  expect(body).not.toBeNull();
  return body as Body;
}

/**
 * Checks a problem+json answer in full: status, media type, the request id
 * in header and body, the members every problem carries. Returns the body.
 */
export function expectProblem(answer: Answer, status: number, code: string): Body {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  const requestId = answer.headers['x-request-id'];
  expect(typeof requestId).toBe('string');
  const body = bodyOf(answer);
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

/** The code a profile writes for a catalog code (the oauth profile has its own vocabulary: server_error, …). */
export function wireCode(profile: ProfileName, code: string): string {
  return builtinCatalog.resolve(code, profile, 'api')?.code ?? code;
}

/** The human-readable message a body of any profile carries. */
export function detailOf(profile: ProfileName, body: Body): string {
  const member = { problem: 'detail', classic: 'error', message: 'description', oauth: 'error_description' }[profile];
  const value = body[member];
  expect(typeof value).toBe('string');
  return value as string;
}

/** The media type each profile answers with. */
export const contentTypes: Readonly<Record<ProfileName, string>> = {
  problem: 'application/problem+json',
  classic: 'application/json',
  message: 'application/json',
  oauth: 'application/json',
};
