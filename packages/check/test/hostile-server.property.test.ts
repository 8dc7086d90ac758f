// Whatever a server answers (garbage, huge or endless bodies, wrong lengths, resets, stalls), checkApi
// resolves to a report: it never throws and never hangs, and it reads no more of a body than its bound.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { checkApi, checkDefinitions, formatJson, formatJunit, formatText } from '@faultline/check';

type Behaviour =
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'endless'; status: number }
  | { kind: 'short-length'; status: number; declared: number; sent: number }
  | { kind: 'long-length'; status: number; declared: number; sent: number }
  | { kind: 'reset' }
  | { kind: 'close' }
  | { kind: 'stall' }
  | { kind: 'bad-chunks'; status: number; text: string }
  | { kind: 'json'; status: number; body: unknown; contentType: string };

const status = fc.constantFrom(200, 301, 400, 401, 404, 405, 413, 415, 429, 431, 500, 503);
const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({ kind: fc.constant('endless' as const), status }),
  fc.record({
    kind: fc.constant('short-length' as const),
    status,
    declared: fc.integer({ min: 0, max: 50 }),
    sent: fc.integer({ min: 51, max: 400 }),
  }),
  fc.record({
    kind: fc.constant('long-length' as const),
    status,
    declared: fc.integer({ min: 100, max: 10_000_000 }),
    sent: fc.integer({ min: 0, max: 99 }),
  }),
  fc.constant({ kind: 'reset' as const }),
  fc.constant({ kind: 'close' as const }),
  fc.constant({ kind: 'stall' as const }),
  fc.record({ kind: fc.constant('bad-chunks' as const), status, text: fc.string({ maxLength: 40 }) }),
  fc.record({
    kind: fc.constant('json' as const),
    status,
    body: fc.jsonValue({ maxDepth: 3 }),
    contentType: fc.constantFrom('application/json', 'application/problem+json', 'text/html', ''),
  }),
);

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** A server that answers the n-th connection with the n-th behaviour (cycling), once the request head has arrived. */
async function hostileServer(behaviours: readonly Behaviour[]): Promise<{ url: string; bytesWritten: () => number }> {
  let next = 0;
  let written = 0;
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const act = behaviours[next++ % behaviours.length] as Behaviour;
    let started = false;
    socket.on('data', () => {
      if (started) return;
      started = true;
      play(socket, act, (n) => (written += n));
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}`, bytesWritten: () => written };
}

function play(socket: Socket, act: Behaviour, count: (n: number) => void): void {
  const write = (data: string | Uint8Array) => {
    if (socket.destroyed) return false;
    count(typeof data === 'string' ? Buffer.byteLength(data) : data.length);
    return socket.write(data);
  };
  switch (act.kind) {
    case 'garbage':
      write(act.bytes);
      socket.end();
      return;
    case 'endless': {
      write(`HTTP/1.1 ${act.status} X\r\ncontent-type: application/json\r\n\r\n{"a":"`);
      const chunk = 'x'.repeat(16 * 1024);
      const pump = () => {
        while (!socket.destroyed && write(chunk));
      };
      socket.on('drain', pump);
      pump();
      return;
    }
    case 'short-length':
    case 'long-length':
      write(
        `HTTP/1.1 ${act.status} X\r\ncontent-type: application/json\r\ncontent-length: ${act.declared}\r\n\r\n${'y'.repeat(act.sent)}`,
      );
      socket.end();
      return;
    case 'reset':
      socket.resetAndDestroy();
      return;
    case 'close':
      socket.end();
      return;
    case 'stall':
      return;
    case 'bad-chunks':
      write(`HTTP/1.1 ${act.status} X\r\ntransfer-encoding: chunked\r\n\r\nzz${act.text}\r\n`);
      socket.end();
      return;
    case 'json': {
      const body = JSON.stringify(act.body) ?? '';
      write(
        `HTTP/1.1 ${act.status} X\r\n${act.contentType === '' ? '' : `content-type: ${act.contentType}\r\n`}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      socket.end();
    }
  }
}

describe('checkApi against a hostile server', () => {
  it('always resolves to a report, whatever the answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { minLength: 1, maxLength: 8 }), async (behaviours) => {
        const hostile = await hostileServer(behaviours);
        try {
          const report = await checkApi({
            baseUrl: hostile.url,
            timeoutMs: 300,
            rate: 1000,
            maxRequests: 40,
            maxBodyBytes: 64 * 1024,
            flood: 10,
            maxWaitMs: 200,
          });
          expect(report.schemaVersion).toBe(1);
          if (report.unreachable === undefined)
            expect(report.checks.map((check) => check.id)).toEqual(checkDefinitions.map((check) => check.id));
          expect(report.requests).toBeLessThanOrEqual(40);
          for (const check of report.checks)
            for (const finding of check.findings) expect(finding.response?.body.length ?? 0).toBeLessThanOrEqual(2000);
          // Every output renders whatever the report holds.
          expect(JSON.parse(formatJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
          expect(formatText(report)).toContain(hostile.url);
          expect(formatJunit(report)).toMatch(/^<\?xml[\s\S]*<\/testsuites>\n$/);
        } finally {
          for (const socket of sockets) socket.destroy();
          await new Promise<void>((resolve) => server?.close(() => resolve()));
          server = undefined;
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
