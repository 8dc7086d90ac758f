import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import bodyParser from 'body-parser';
import createError from 'http-errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog, defineCatalog } from '@faultline/core';
import { classifyError, errorAnswer, resolveContractSettings } from '@faultline/http';

const settings = resolveContractSettings();
const context = { catalog: builtinCatalog, requestId: 'req-7', contentTypes: ['application/json'] };

describe('classifying what a route throws', () => {
  it('passes an ApiError through as it is', () => {
    const thrown = builtinCatalog.error('conflict', { detail: 'Taken.' });
    expect(classifyError(thrown, context)).toEqual({ error: thrown, unexpected: false });
  });

  it('maps http-errors 4xx and 502-504 to the code of their status, with the catalog’s words', () => {
    const notFound = classifyError(createError(404, 'No row 42 in table users'), context);
    expect(notFound).toMatchObject({ unexpected: false, error: { code: 'not_found', status: 404 } });
    // The thrown message may name internals: the catalog's description is answered instead.
    expect(notFound.error.detail).not.toContain('users');
    expect(classifyError(createError(409), context).error.code).toBe('conflict');
    expect(classifyError(createError(503), context).error).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(classifyError({ statusCode: 405 }, context).error.code).toBe('method_not_allowed');
  });

  it('answers anything else with an opaque internal_error that names only the request id', () => {
    for (const thrown of [
      new Error('SELECT * FROM secrets failed'),
      createError(500, 'disk /var/db full'),
      'a string',
      undefined,
      { status: 'x' },
    ]) {
      const { error, unexpected } = classifyError(thrown, context);
      expect(unexpected).toBe(true);
      expect(error).toMatchObject({ code: 'internal_error', status: 500 });
      expect(error.detail).toContain('req-7');
      expect(error.detail).not.toMatch(/secrets|disk|string/);
    }
  });

  it('falls back to invalid_request when an app’s catalog leaves out the code a status maps to', () => {
    const catalog = defineCatalog({
      invalid_request: {
        status: 400,
        category: 'invalid_request',
        title: 'Invalid request',
        description: 'The request is not valid.',
        action: 'Fix the request.',
        retry: 'never',
      },
    });
    const { error, unexpected } = classifyError(createError(409), { ...context, catalog });
    expect(unexpected).toBe(false);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400 });
  });
});

describe('classifying body-parser’s errors, from a real server', () => {
  let base = '';
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    bodyParser.json({ limit: 100 })(request, response, (thrown?: unknown) => {
      const { error } =
        thrown === undefined
          ? { error: builtinCatalog.error('conflict', { detail: 'parsed' }) }
          : classifyError(thrown, { ...context, contentType: request.headers['content-type'] });
      const answer = errorAnswer(error, settings, { id: 'req-7', accept: request.headers.accept });
      response.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = async (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const response = await fetch(base, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as { code: string; detail: string } };
  };

  it('413 naming the limit for a body over it', async () => {
    const answer = await post(JSON.stringify({ text: 'x'.repeat(200) }));
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({
      code: 'request_too_large',
      detail: 'The body is larger than the 100 bytes this endpoint accepts.',
    });
  });

  it('400 saying where malformed JSON breaks', async () => {
    const answer = await post('{"a": }');
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_request');
    expect(answer.body.detail).toMatch(/^The body cannot be parsed: .*JSON/);
  });

  it('415 naming the sent type for a charset it cannot read', async () => {
    const answer = await post('{}', { 'content-type': 'application/json; charset=koi8-r' });
    expect(answer.status).toBe(415);
    expect(answer.body).toMatchObject({ code: 'invalid_content_type' });
    expect(answer.body.detail).toContain('"application/json; charset=koi8-r"');
    expect(answer.body.detail).toContain('Send it as one of: application/json.');
  });

  it('415 for a content coding it cannot undo', async () => {
    const answer = await post('{}', { 'content-type': 'application/json', 'content-encoding': 'x-unknown' });
    expect(answer.status).toBe(415);
    expect(answer.body.code).toBe('invalid_content_type');
  });
});
