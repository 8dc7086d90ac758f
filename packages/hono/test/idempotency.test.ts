import { builtinCatalog } from '@faultline/core';
import { validate } from '@faultline/hono';
import { idempotency } from '@faultline/hono/idempotency';
import { MemoryIdempotencyStore } from '@faultline/idempotency';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bodyOf, buildApp, closeServers, expectProblem, listen } from './helpers.js';

afterEach(closeServers);

function notesApp(mode: 'optional' | 'required' = 'optional') {
  const app = buildApp();
  let created = 0;
  let release: (() => void) | undefined;
  const keys = idempotency({ store: new MemoryIdempotencyStore(), scope: (c) => c.req.header('x-account') ?? 'none', mode });
  app.post('/v1/notes', validate('json', z.object({ title: z.string() })), keys, async (c) => {
    if (c.req.header('x-hold') === 'yes') await new Promise<void>((resolve) => (release = resolve));
    created++;
    c.header('location', `/v1/notes/${created}`);
    return c.json({ id: created, title: c.req.valid('json').title, claimed: c.var.idempotencyClaim !== undefined }, 201);
  });
  app.post('/v1/fails', keys, () => {
    throw builtinCatalog.error('conflict', { detail: 'Try later.' });
  });
  return { app, created: () => created, release: () => release?.() };
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('idempotency()', () => {
  it('replays the first answer with Idempotent-Replayed: true and runs the handler once, on a real socket', async () => {
    const { app, created } = notesApp();
    const url = await listen(app);
    const first = await fetch(`${url}/v1/notes`, post({ title: 'a' }, { 'idempotency-key': 'k-1' }));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.text();
    const again = await fetch(`${url}/v1/notes`, post({ title: 'a' }, { 'idempotency-key': 'k-1' }));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe('/v1/notes/1');
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await again.text()).toBe(firstBody);
    // The replay has its own request id.
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(created()).toBe(1);
    expect(JSON.parse(firstBody)).toEqual({ id: 1, title: 'a', claimed: true });
  });

  it('keeps keys apart per scope, and runs requests without a key as usual', async () => {
    const { app, created } = notesApp();
    await app.request('/v1/notes', post({ title: 'a' }, { 'idempotency-key': 'k', 'x-account': 'one' }));
    const other = await app.request('/v1/notes', post({ title: 'a' }, { 'idempotency-key': 'k', 'x-account': 'two' }));
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    const none = await app.request('/v1/notes', post({ title: 'a' }));
    expect(await none.json()).toMatchObject({ claimed: false });
    expect(created()).toBe(3);
  });

  it('refuses the key reused with another body: 422 idempotency_key_reused', async () => {
    const { app, created } = notesApp();
    await app.request('/v1/notes', post({ title: 'a' }, { 'idempotency-key': 'k' }));
    const reused = await app.request('/v1/notes', post({ title: 'b' }, { 'idempotency-key': 'k' }));
    await expectProblem(reused, 422, 'idempotency_key_reused');
    expect(created()).toBe(1);
  });

  it('refuses a repeat while the first runs: 409 idempotency_key_in_use with Retry-After', async () => {
    const { app, release } = notesApp();
    const first = app.request('/v1/notes', post({ title: 'a' }, { 'idempotency-key': 'k', 'x-hold': 'yes' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const repeat = await app.request('/v1/notes', post({ title: 'a' }, { 'idempotency-key': 'k' }));
    await expectProblem(repeat, 409, 'idempotency_key_in_use');
    expect(repeat.headers.get('retry-after')).not.toBeNull();
    release();
    expect((await first).status).toBe(201);
  });

  it('refuses a malformed key, and a missing one where keys are required, with 400', async () => {
    const optional = notesApp().app;
    const malformed = await optional.request('/v1/notes', post({ title: 'a' }, { 'idempotency-key': 'a'.repeat(300) }));
    expect(malformed.status).toBe(400);
    const required = notesApp('required').app;
    const missing = await required.request('/v1/notes', post({ title: 'a' }));
    expect(missing.status).toBe(400);
    expect((await bodyOf(missing))['code']).toBe('missing_idempotency_key');
  });

  it('replays an error answer too, and reads the body itself when no validator ran', async () => {
    const { app } = notesApp();
    const first = await app.request('/v1/fails', post({ n: 1 }, { 'idempotency-key': 'e' }));
    await expectProblem(first, 409, 'conflict');
    const again = await app.request('/v1/fails', post({ n: 1 }, { 'idempotency-key': 'e' }));
    expect(again.status).toBe(409);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await app.request('/v1/fails', post({ n: 2 }, { 'idempotency-key': 'e' }));
    await expectProblem(other, 422, 'idempotency_key_reused');
  });
});
