/**
 * The reference API's records as an `IdempotencyStore` of its own, for routes
 * that claim before their handler: atomic claims on SQLite and PostgreSQL,
 * expiry and take-over, fencing by token.
 */
import { randomUUID } from 'node:crypto';
import { Idempotency, type RequestIdentity } from '@faultline/idempotency';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/index.js';
import { DatabaseIdempotencyStore } from '../src/idempotency/database-idempotency-store.js';
import { openTestDatabase } from './test-database.js';

let db: Kysely<Database>;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db?.destroy();
});

const request = (key: string, body: unknown = { name: 'a' }): RequestIdentity => ({
  key,
  scope: 'team:1',
  method: 'POST',
  path: '/v1/campaigns',
  body,
});
const answer = { status: 201, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"id":1}' };

describe('DatabaseIdempotencyStore', () => {
  it('claims, answers in_progress meanwhile, stores the answer, replays it, and refuses another request', async () => {
    const idempotency = new Idempotency({ store: new DatabaseIdempotencyStore(db) });
    const key = randomUUID();
    const first = await idempotency.admit(request(key));
    if (first.kind !== 'execute') throw new Error(`expected a claim, got ${first.kind}`);
    expect((await idempotency.admit(request(key))).kind).toBe('in_progress');
    expect(await idempotency.finish(first.claim, answer)).toBe('stored');
    expect(await idempotency.admit(request(key))).toEqual({ kind: 'replay', answer });
    expect(await idempotency.admit(request(key, { name: 'b' }))).toEqual({ kind: 'reused' });
    const rows = await db.selectFrom('idempotency_records').select(['id', 'answer']).execute();
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(JSON.stringify(rows)).not.toContain('"id":1');
  });

  it('of twenty claims at once, grants exactly one', async () => {
    const idempotency = new Idempotency({ store: new DatabaseIdempotencyStore(db) });
    const key = randomUUID();
    const admissions = await Promise.all(Array.from({ length: 20 }, () => idempotency.admit(request(key))));
    expect(admissions.filter((admission) => admission.kind === 'execute')).toHaveLength(1);
  });

  it('lets an expired claim be taken over, and fences off the late finisher', async () => {
    const idempotency = new Idempotency({ store: new DatabaseIdempotencyStore(db), claimTtlMs: 100 });
    const key = randomUUID();
    const dead = await idempotency.admit(request(key));
    if (dead.kind !== 'execute') throw new Error('expected a claim');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const again = await idempotency.admit(request(key));
    expect(again.kind).toBe('execute');
    expect(await idempotency.finish(dead.claim, answer)).toBe('lost');
    if (again.kind === 'execute') expect(await idempotency.finish(again.claim, answer)).toBe('stored');
  });

  it('frees the key at once when a claim is released', async () => {
    const idempotency = new Idempotency({ store: new DatabaseIdempotencyStore(db) });
    const key = randomUUID();
    const first = await idempotency.admit(request(key));
    if (first.kind !== 'execute') throw new Error('expected a claim');
    expect(await idempotency.finish(first.claim, { ...answer, status: 503 })).toBe('released');
    expect((await idempotency.admit(request(key))).kind).toBe('execute');
  });
});
