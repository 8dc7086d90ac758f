/**
 * A database that stalls: on SQLite, a second process holds the write lock
 * (BEGIN IMMEDIATE, then waits); on PostgreSQL (the `postgres` project), a
 * server of this file's own is frozen with SIGSTOP. Meanwhile writes get 503
 * `service_unavailable` with `Retry-After` within the configured bound plus a
 * generous margin (never a 500, never a hang), the event loop stays free,
 * `/healthz` says 200 and `/readyz` 503, and the routes that need no database
 * keep answering. Once the database is back, everything recovers.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startPostgresServer, type PostgresServer } from '@faultline/test-services';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  ensureDemoData,
  openDatabase,
  type Database,
  type DatabaseLocation,
  type DatabaseTimeouts,
} from '../src/index.js';
import { testDialect } from './test-database.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Long enough that blocking the loop for it (as better-sqlite3's own busy wait did) shows in the delay bound below. */
const timeouts: DatabaseTimeouts = { busyTimeoutMs: 2_000, connectTimeoutMs: 1_000, queryTimeoutMs: 1_000, poolSize: 3 };
/** The longest a request may take while the database stalls: the bound that applies, plus a generous margin for a loaded machine. */
const stalledBoundMs = (testDialect === 'sqlite' ? timeouts.busyTimeoutMs : timeouts.queryTimeoutMs + 500) + 5_000;
/** How far behind the event loop may fall: well under the busy timeout a synchronous wait would block it for. */
const loopDelayBoundMs = 1_500;

let directory: string;
let postgres: PostgresServer | undefined;
let location: DatabaseLocation;
let db: Kysely<Database>;
let app: FastifyInstance;
let base: string;
let apiKey: string;

/** Holds the database up: returns a function that lets it go. */
let stall: () => Promise<() => Promise<void>>;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'faultline-stalled-'));
  if (testDialect === 'postgres') {
    // A server of its own: the shared one must not freeze under the other test files.
    const server = await startPostgresServer();
    postgres = server;
    location = { kind: 'postgres', url: server.url };
    db = await openDatabase(location, timeouts);
    stall = async () => {
      server.pause();
      return async () => server.resume();
    };
  } else {
    const path = join(directory, 'stalled.db');
    location = { kind: 'sqlite', path };
    db = await openDatabase(location, timeouts);
    stall = () => holdSqliteWriteLock(path);
  }
  ({ apiKey } = (await ensureDemoData(db, join(directory, 'demo.json'))).credentials);
  app = await buildApp({ db, logger: false, overload: { maxInFlight: 1000 } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  postgres?.resume();
  await postgres?.close();
  rmSync(directory, { recursive: true, force: true });
});

/**
 * Another process takes SQLite's write lock with BEGIN IMMEDIATE and keeps
 * it until told to let go (or until it is killed, which lets go too).
 */
async function holdSqliteWriteLock(path: string): Promise<() => Promise<void>> {
  const script = `
    import Database from 'better-sqlite3';
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--input-type=module', '-e', script, path], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await Promise.race([
    once(child.stdout, 'data'),
    once(child, 'exit').then(() => Promise.reject(new Error(`The lock holder exited: ${stderr}`))),
  ]);
  return async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.stdin.write('release\n');
    const late = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(late);
  };
}

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | null;
  readonly body: string;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const started = performance.now();
  // A hang must fail the test, not stall it: the request gives up well past every bound.
  const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(stalledBoundMs * 3) });
  const body = await response.text();
  return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get('retry-after'), body };
}

const createCampaign = (name: string) =>
  call('/v1/campaigns', {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });

describe(`a stalled database (${testDialect})`, () => {
  it('answers writes 503 with Retry-After within the bound, keeps the rest answering and the loop free, then recovers', async () => {
    expect((await createCampaign('Before the stall')).status).toBe(201);

    const release = await stall();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    try {
      // Many writes at once: each is bounded on its own, not one bound after another in a queue.
      const writes = Promise.all(Array.from({ length: 12 }, (_, index) => createCampaign(`During the stall ${index}`)));
      const others = Promise.all([
        call('/healthz'),
        call('/openapi.json'),
        call('/docs/errors'),
        call('/no/such/route'),
        call('/v1/me'),
      ]);
      const [healthz, openapi, docs, notFound, noCredentials] = await others;
      expect(healthz.status).toBe(200);
      expect(openapi.status).toBe(200);
      expect(docs.status).toBe(200);
      expect(notFound.status).toBe(404);
      expect(noCredentials.status).toBe(401);
      for (const answer of [healthz, openapi, docs, notFound, noCredentials]) expect(answer.ms).toBeLessThan(stalledBoundMs);

      const readyz = await call('/readyz');
      expect(readyz.status).toBe(503);
      expect(readyz.retryAfter).toMatch(/^[1-9]\d*$/);
      expect(JSON.parse(readyz.body)).toMatchObject({
        code: 'service_unavailable',
        detail: 'This instance is not ready: its database did not answer within 1000 ms.',
      });

      for (const write of await writes) {
        expect(write.status, write.body).toBe(503);
        expect(write.retryAfter).toMatch(/^[1-9]\d*$/);
        expect(write.ms).toBeLessThan(stalledBoundMs);
        const body = JSON.parse(write.body) as { code: string; detail: string };
        expect(body.code).toBe('service_unavailable');
        expect(body.detail).toMatch(/^The database .+\. Try again after \d{4}-\d\d-\d\dT/);
        // Nothing of the driver or the query leaks.
        expect(write.body).not.toMatch(/SQLITE|insert|select|campaigns|pg-|Query read timeout|stack/i);
      }
      // A busy SQLite wait blocks the loop for 5 ms at a time, a frozen PostgreSQL not at all.
      expect(loop.max / 1e6).toBeLessThan(loopDelayBoundMs);
    } finally {
      loop.disable();
      await release();
    }

    // Back: writes and readiness succeed again (PostgreSQL reconnects, after closing the connections that timed out).
    const deadline = performance.now() + 20_000;
    let after = await createCampaign('After the stall');
    while (after.status !== 201 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await createCampaign('After the stall');
    }
    expect(after.status, after.body).toBe(201);
    const ready = await call('/readyz');
    expect(ready.status, ready.body).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', database: 'ok', shedding: false });
    const names = await db.selectFrom('campaigns').select('name').execute();
    expect(names.map((row) => row.name).filter((name) => name.startsWith('During'))).toEqual([]);
  }, 120_000);

  it('lets writes that meet a short stall through once the database is back, a transaction included', async () => {
    // The same database with patient timeouts: the stall ends long before them.
    const patient = await openDatabase(location, {
      ...timeouts,
      busyTimeoutMs: 20_000,
      connectTimeoutMs: 20_000,
      queryTimeoutMs: 20_000,
    });
    const patientApp = await buildApp({ db: patient, logger: false });
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    try {
      const created = await patientApp.inject({ method: 'POST', url: '/v1/campaigns', headers, payload: { name: 'Patient' } });
      expect(created.statusCode).toBe(201);
      const campaignId = (JSON.parse(created.body) as { id: number }).id;

      // One at a time: a write queued behind another for this process's one SQLite connection would never meet the lock itself.
      const writes = [
        () => patientApp.inject({ method: 'POST', url: '/v1/campaigns', headers, payload: { name: 'Waited' } }),
        // Adding recipients is a transaction: on SQLite its BEGIN IMMEDIATE is what waits.
        () =>
          patientApp.inject({
            method: 'POST',
            url: `/v1/campaigns/${campaignId}/recipients`,
            headers,
            payload: { recipients: [{ email: 'waited@example.com' }] },
          }),
      ];
      for (const write of writes) {
        const release = await stall();
        let releasedAt = Number.POSITIVE_INFINITY;
        try {
          const answer = write().then((response) => ({ response, at: performance.now() }));
          await new Promise((resolve) => setTimeout(resolve, 500));
          releasedAt = performance.now();
          await release();
          const { response, at } = await answer;
          expect(response.statusCode, response.body).toBe(201);
          // It met the stall: it was answered only after the database was back.
          expect(at).toBeGreaterThan(releasedAt);
        } finally {
          if (releasedAt === Number.POSITIVE_INFINITY) await release();
        }
      }
      const recipients = await patient.selectFrom('recipients').select('email').where('campaign_id', '=', campaignId).execute();
      expect(recipients.map((row) => row.email)).toEqual(['waited@example.com']);
    } finally {
      await patientApp.close();
      await patient.destroy();
    }
  }, 120_000);
});
