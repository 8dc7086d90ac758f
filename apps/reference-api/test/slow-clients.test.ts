import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, startReferenceApi, type RunningApi } from '../src/index.js';

// The API opens its own SQLite file here: what is tested is the way from the environment to the socket.
describe('the reference API with slow clients', () => {
  let directory: string;
  let running: RunningApi;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'faultline-slow-clients-'));
    running = await startReferenceApi(
      readConfig({
        PORT: '0',
        DATABASE_URL: `sqlite:${join(directory, 'api.db')}`,
        LOG_LEVEL: 'silent',
        HEADERS_TIMEOUT_MS: '400',
        REQUEST_TIMEOUT_MS: '800',
        MAX_CONNECTIONS_PER_CLIENT: '3',
      }),
    );
  });

  afterAll(async () => {
    await running.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Sends `request` on a fresh socket and resolves with all it reads until the server closes it. */
  function exchange(request: string, keepOpen = false): { answer: Promise<string>; socket: ReturnType<typeof connect> } {
    const { port } = new URL(running.url);
    const socket = connect({ port: Number(port), host: '127.0.0.1' });
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('connect', () => (keepOpen ? socket.write(request) : socket.end(request)));
    return { answer: new Promise((resolve) => socket.on('close', () => resolve(received))), socket };
  }

  it('answers a login whose body never comes with 408 request_timeout once REQUEST_TIMEOUT_MS passes', async () => {
    const started = Date.now();
    const { answer } = exchange(
      'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"email":',
      true,
    );
    const raw = await answer;
    expect(Date.now() - started).toBeLessThan(800 + 10_000);
    expect(raw).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(raw).toMatch(/\r\nconnection: close\r\n/i);
    expect(raw).toMatch(/"code":"request_timeout"/);
    expect(raw).toMatch(/waits 0\.4 s for the headers and 0\.8 s for the whole request/);
  });

  it('lets one address hold MAX_CONNECTIONS_PER_CLIENT connections, answers the next with 503, and frees the slots as they end', async () => {
    const pending = 'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n';
    const held = [exchange(pending, true), exchange(pending, true), exchange(pending, true)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').answer;
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(refused).toMatch(/\r\nconnection: close\r\n/i);
    expect(refused).toMatch(
      /already holds 3 connections \(requests pipelined on them included\), the most one address may hold \(maxConnectionsPerClient 3\)/,
    );
    // The held requests time out; the address is served again.
    for (const { answer } of held) expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
    // (The server learns of each close a moment after the client does.)
    let served = '';
    for (let attempt = 0; attempt < 50 && !served.startsWith('HTTP/1.1 200'); attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      served = await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n').answer;
    }
    expect(served).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});
