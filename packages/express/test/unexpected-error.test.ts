import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { faultline } from '@faultline/express';
import {
  type Answer,
  bodyOf,
  buildApp,
  closeServers,
  codeOf,
  wireCode,
  expectProblem,
  listen,
  profiles,
  send,
  uuidPattern,
} from './helpers.js';

afterEach(closeServers);

/** Routes that fail in each way an Express 5 handler can. */
function failingApp(options: Parameters<typeof buildApp>[0] = {}) {
  const test = buildApp(options);
  const { app } = test;
  app.get('/throws', () => {
    throw new Error('database password is hunter2');
  });
  app.get('/rejects', async () => {
    await Promise.resolve();
    throw new TypeError('cannot read properties of undefined (reading "id")');
  });
  app.get('/next', (_req, _res, next) => next(new RangeError('offset out of range')));
  app.get('/rejects-undefined', () => Promise.reject(undefined));
  app.get('/throws-string', () => {
    throw 'a bare string';
  });
  app.get('/catalog', async () => {
    throw builtinCatalog.error('not_found', { detail: 'No item 7.' });
  });
  app.get('/teapot', (_req, _res, next) => next(Object.assign(new Error('short and stout'), { status: 418 })));
  app.get('/gateway', (_req, _res, next) => next(Object.assign(new Error('upstream said no'), { statusCode: 502 })));
  app.get('/half-sent', (_req, res, next) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('partial');
    next(new Error('failed mid-stream'));
  });
  return test;
}

describe('unexpected errors', () => {
  it.each(['/throws', '/rejects', '/next', '/rejects-undefined', '/throws-string'])(
    '%s answers an opaque 500 with the request id, and logs the full error',
    async (path) => {
      const test = failingApp();
      const base = await listen(test);
      const answer = await send(base, { path });
      const body = expectProblem(answer, 500, 'internal_error');
      const requestId = answer.headers['x-request-id'] as string;
      expect(requestId).toMatch(uuidPattern);
      expect(body['detail']).toContain(requestId);
      expect(answer.text).not.toMatch(/hunter2|undefined \(reading|offset out of range|bare string|\.js:\d+/);
      const logged = test.logs.filter((entry) => entry.level === 'error');
      expect(logged).toHaveLength(1);
      expect(logged[0]!.fields['reqId']).toBe(requestId);
      expect(logged[0]!.fields['err']).toBeDefined();
    },
  );

  it('logs the thrown error itself, stack and all', async () => {
    const test = failingApp();
    const base = await listen(test);
    await send(base, { path: '/throws' });
    const err = test.logs[0]!.fields['err'] as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('database password is hunter2');
    expect(err.stack).toContain('unexpected-error.test.ts');
  });

  it('writes through a pino logger: one JSON line with the error and the request id', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const contract = faultline({ logger: pino({ level: 'info' }, stream) });
    const app = express();
    app.use(contract.start);
    app.get('/boom', () => {
      throw new Error('pino sees this');
    });
    const base = await listen({ app, contract, logs: [] });
    const answer = await send(base, { path: '/boom' });
    expect(answer.status).toBe(500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      reqId: answer.headers['x-request-id'],
      err: { type: 'Error', message: 'pino sees this' },
    });
    expect((lines[0]!['err'] as { stack: string }).stack).toContain('pino sees this');
  });

  it.each(profiles)('is internal_error in the %s profile', async (profile) => {
    const base = await listen(failingApp({ profile }));
    const answer = await send(base, { path: '/rejects' });
    expect(answer.status).toBe(500);
    expect(codeOf(profile, bodyOf(answer))).toBe(wireCode(profile, 'internal_error'));
  });

  it('ends the connection, logged, when the error comes after the answer started', async () => {
    const test = failingApp();
    const base = await listen(test);
    const answer = await send(base, { path: '/half-sent' }).catch((error: unknown) => error);
    // Either the client saw the partial answer cut short, or the socket was closed: never a second answer.
    if (!(answer instanceof Error)) expect((answer as Answer).text.startsWith('partial')).toBe(true);
    expect(test.logs.some((entry) => entry.level === 'error')).toBe(true);
  });
});

describe('expected errors', () => {
  it('answers a catalog error thrown by an async handler as it is, logging nothing', async () => {
    const test = failingApp();
    const base = await listen(test);
    const body = expectProblem(await send(base, { path: '/catalog' }), 404, 'not_found');
    expect(body['detail']).toBe('No item 7.');
    expect(test.logs).toHaveLength(0);
  });

  it('maps an error carrying a 4xx status to its catalog code', async () => {
    const base = await listen(failingApp());
    const answer = await send(base, { path: '/teapot' });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toContain('short and stout');
  });

  it('maps an error carrying 502 to its catalog code, not to internal_error', async () => {
    const base = await listen(failingApp());
    const answer = await send(base, { path: '/gateway' });
    expect(answer.status).toBe(502);
    expect(answer.text).not.toContain('upstream said no');
  });
});
