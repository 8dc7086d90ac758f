import { afterEach, describe, expect, it } from 'vitest';
import { idempotency } from '@faultline/express';
import { MemoryIdempotencyStore } from '@faultline/idempotency';
import { bodyOf, buildApp, closeServers, expectProblem, listen, sendJson } from './helpers.js';

afterEach(closeServers);

function ordersApp() {
  const test = buildApp();
  const keys = idempotency({
    store: new MemoryIdempotencyStore(),
    scope: (req) => String(req.headers['x-tenant'] ?? 'tenant-a'),
  });
  let created = 0;
  const gates: (() => void)[] = [];
  test.app.post('/orders', test.contract.json(), keys.optional, (req, res) => {
    created++;
    res
      .status(201)
      .location(`/orders/${created}`)
      .json({ id: created, item: (req.body as { item?: unknown }).item });
  });
  test.app.post('/payments', test.contract.json(), keys.required, (_req, res) => void res.status(201).json({ paid: true }));
  test.app.post('/slow', test.contract.json(), keys.optional, (_req, res) => void gates.push(() => res.json({ slow: true })));
  test.app.post('/fails', test.contract.json(), keys.optional, () => {
    throw new Error('the work failed');
  });
  test.app.post('/stream', test.contract.json(), keys.optional, (_req, res) => {
    res.write('part one, ');
    res.end('part two');
  });
  return { test, createdCount: () => created, gates };
}

describe('idempotency keys', () => {
  it('replays the first answer, marked Idempotent-Replayed, without running the handler again', async () => {
    const { test, createdCount } = ordersApp();
    const base = await listen(test);
    const first = await sendJson(base, 'POST', '/orders', { item: 'tea' }, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await sendJson(base, 'POST', '/orders', { item: 'tea' }, { 'idempotency-key': 'k-1' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['location']).toBe('/orders/1');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.text).toBe(first.text);
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(createdCount()).toBe(1);
  });

  it('runs requests without a key every time', async () => {
    const { test, createdCount } = ordersApp();
    const base = await listen(test);
    await sendJson(base, 'POST', '/orders', { item: 'tea' });
    await sendJson(base, 'POST', '/orders', { item: 'tea' });
    expect(createdCount()).toBe(2);
  });

  it('refuses the key reused for another body with 422 idempotency_key_reused', async () => {
    const { test, createdCount } = ordersApp();
    const base = await listen(test);
    await sendJson(base, 'POST', '/orders', { item: 'tea' }, { 'idempotency-key': 'k-2' });
    const reused = await sendJson(base, 'POST', '/orders', { item: 'coffee' }, { 'idempotency-key': 'k-2' });
    expectProblem(reused, 422, 'idempotency_key_reused');
    expect(createdCount()).toBe(1);
  });

  it("keeps one tenant away from another tenant's key", async () => {
    const { test, createdCount } = ordersApp();
    const base = await listen(test);
    await sendJson(base, 'POST', '/orders', { item: 'tea' }, { 'idempotency-key': 'shared', 'x-tenant': 'a' });
    const other = await sendJson(base, 'POST', '/orders', { item: 'tea' }, { 'idempotency-key': 'shared', 'x-tenant': 'b' });
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(createdCount()).toBe(2);
  });

  it('answers 409 idempotency_key_in_use with Retry-After while the first request runs', async () => {
    const { test, gates } = ordersApp();
    const base = await listen(test);
    const first = sendJson(base, 'POST', '/slow', {}, { 'idempotency-key': 'k-3' });
    while (gates.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await sendJson(base, 'POST', '/slow', {}, { 'idempotency-key': 'k-3' });
    expectProblem(second, 409, 'idempotency_key_in_use');
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    gates[0]!();
    expect((await first).status).toBe(200);
    const replayed = await sendJson(base, 'POST', '/slow', {}, { 'idempotency-key': 'k-3' });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
  });

  it('demands a key on a required route, and refuses a malformed one', async () => {
    const { test } = ordersApp();
    const base = await listen(test);
    const missing = await sendJson(base, 'POST', '/payments', {});
    expect(expectProblem(missing, 400, 'missing_idempotency_key')['detail']).toContain('This POST needs an Idempotency-Key');
    const malformed = await sendJson(base, 'POST', '/payments', {}, { 'idempotency-key': 'x'.repeat(300) });
    expectProblem(malformed, 400, 'invalid_idempotency_key');
  });

  it('replays a 500 as it was first answered (the work may have partly happened)', async () => {
    const { test } = ordersApp();
    const base = await listen(test);
    const first = await sendJson(base, 'POST', '/fails', {}, { 'idempotency-key': 'k-4' });
    expectProblem(first, 500, 'internal_error');
    const again = await sendJson(base, 'POST', '/fails', {}, { 'idempotency-key': 'k-4' });
    expect(again.status).toBe(500);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(bodyOf(again)['request_id']).toBe(first.headers['x-request-id']);
    expect(test.logs.filter((entry) => entry.level === 'error')).toHaveLength(1);
  });

  it('releases the key of a streamed answer, which cannot be replayed', async () => {
    const { test } = ordersApp();
    const base = await listen(test);
    const first = await sendJson(base, 'POST', '/stream', {}, { 'idempotency-key': 'k-5' });
    expect(first.text).toBe('part one, part two');
    const again = await sendJson(base, 'POST', '/stream', {}, { 'idempotency-key': 'k-5' });
    expect(again.text).toBe('part one, part two');
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(test.logs.some((entry) => entry.level === 'warn' && entry.message.includes('stream'))).toBe(true);
  });

  it('answers 503 and runs nothing when the store fails', async () => {
    const test = buildApp();
    const broken = new MemoryIdempotencyStore();
    broken.claim = () => Promise.reject(new Error('store unreachable'));
    const keys = idempotency({ store: broken, scope: () => 't' });
    let ran = false;
    test.app.post('/orders', test.contract.json(), keys.optional, (_req, res) => {
      ran = true;
      res.json({});
    });
    const base = await listen(test);
    const answer = await sendJson(base, 'POST', '/orders', {}, { 'idempotency-key': 'k' });
    expectProblem(answer, 503, 'service_unavailable');
    expect(ran).toBe(false);
    expect(test.logs.some((entry) => entry.level === 'error')).toBe(true);
  });
});
