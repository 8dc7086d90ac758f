/**
 * RedisIdempotencyStore shared by two Node processes (not two connections in
 * one process): each child runs the built package on its own ioredis client,
 * and this test drives them over IPC. A key claimed in one is in progress in
 * the other, then replayed by it; twenty claims at once, half from each, grant
 * exactly one.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startRedisServer, type RedisServer } from '@faultline/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const built = join(packageRoot, 'dist/index.js');
// The child's script lives in a temporary folder, so it names its imports by path.
const ioredis = pathToFileURL(createRequire(import.meta.url).resolve('ioredis')).href;

/** The child: one engine on its own Redis connection; answers each message with what the engine said. */
const childSource = `
import { Idempotency, RedisIdempotencyStore } from ${JSON.stringify(pathToFileURL(built).href)};
import { Redis } from ${JSON.stringify(ioredis)};
const [port, prefix] = process.argv.slice(2);
const redis = new Redis({ port: Number(port), host: '127.0.0.1', maxRetriesPerRequest: 1 });
const idempotency = new Idempotency({ store: new RedisIdempotencyStore({ client: redis, prefix, timeoutMs: 5000 }), claimTtlMs: 60000 });
const held = new Map();
process.on('message', async ({ id, op, identity, answer }) => {
  try {
    if (op === 'admit') {
      const admission = await idempotency.admit(identity);
      if (admission.kind === 'execute') held.set(identity.key, admission.claim);
      process.send({ id, result: { kind: admission.kind, answer: admission.answer, pid: process.pid } });
    } else if (op === 'finish') {
      process.send({ id, result: await idempotency.finish(held.get(identity.key), answer) });
    } else if (op === 'quit') {
      redis.disconnect();
      process.send({ id, result: 'bye' }, () => process.exit(0));
    }
  } catch (error) {
    process.send({ id, error: String(error) });
  }
});
process.send({ ready: true });
`;

interface Identity {
  readonly key: string;
  readonly scope: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

interface Engine {
  readonly pid: number;
  ask(
    op: string,
    identity?: Identity,
    answer?: unknown,
  ): Promise<{ kind?: string; answer?: unknown; pid?: number } & Record<string, unknown>>;
}

let server: RedisServer;
let directory: string;
const children: ChildProcess[] = [];
const prefix = `two-processes:${randomUUID()}:`;

async function startEngine(script: string): Promise<Engine> {
  const child = fork(script, [String(server.port), prefix], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`The engine process exited with ${String(code)}`))),
  ])) as [{ ready?: boolean }];
  expect(ready.ready).toBe(true);
  let next = 0;
  const waiting = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  child.on('message', (message: { id?: number; result?: never; error?: string }) => {
    if (message.id === undefined) return;
    const asked = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) asked?.reject(new Error(message.error));
    else asked?.resolve(message.result as never);
  });
  return {
    pid: child.pid as number,
    ask: (op, identity, answer) =>
      new Promise((resolve, reject) => {
        const id = (next += 1);
        waiting.set(id, { resolve, reject });
        child.send({ id, op, identity, answer });
      }),
  };
}

let first: Engine;
let second: Engine;

beforeAll(async () => {
  if (!existsSync(built)) throw new Error(`${built} is missing: build with "npx tsc -b" first.`);
  server = await startRedisServer();
  directory = mkdtempSync(join(tmpdir(), 'faultline-idempotency-processes-'));
  const script = join(directory, 'engine.mjs');
  writeFileSync(script, childSource);
  [first, second] = await Promise.all([startEngine(script), startEngine(script)]);
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  await server?.close();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

const request = (key: string, body: unknown = { name: 'Shared' }): Identity => ({
  key,
  scope: 'team:1',
  method: 'POST',
  path: '/v1/orders',
  body,
});

describe('RedisIdempotencyStore across two processes', () => {
  it('runs in two processes', () => {
    expect(first.pid).not.toBe(second.pid);
    expect(first.pid).not.toBe(process.pid);
  });

  it('a key claimed in one is in progress in the other, then replayed by it; another request with it is refused', async () => {
    const key = randomUUID();
    expect((await first.ask('admit', request(key))).kind).toBe('execute');
    const meanwhile = await second.ask('admit', request(key));
    expect(meanwhile.kind).toBe('in_progress');
    const answer = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":7}' };
    expect(await first.ask('finish', request(key), answer)).toBe('stored');
    const replayed = await second.ask('admit', request(key));
    expect(replayed).toMatchObject({ kind: 'replay', answer, pid: second.pid });
    expect((await second.ask('admit', request(key, { name: 'Other' }))).kind).toBe('reused');
    // Another scope never meets the key.
    expect((await second.ask('admit', { ...request(key), scope: 'team:2' })).kind).toBe('execute');
  });

  it('of twenty claims at once, ten from each process, grants exactly one', async () => {
    const key = randomUUID();
    const admissions = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? first : second).ask('admit', request(key))),
    );
    expect(admissions.filter((admission) => admission.kind === 'execute')).toHaveLength(1);
    expect(admissions.filter((admission) => admission.kind === 'in_progress')).toHaveLength(19);
    expect(new Set(admissions.map((admission) => admission.pid))).toEqual(new Set([first.pid, second.pid]));
  });
});
