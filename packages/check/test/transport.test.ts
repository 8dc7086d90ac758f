// The transport's bounds, against real sockets: a body is read only up to its cap, a stalled answer is given up
// after the timeout, the request budget is never exceeded, and only the target's origin is contacted.
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkApi } from '@faultline/check';

const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the transport', () => {
  it('reads no more than the cap of an endless body, and says the body was cut', async () => {
    let written = 0;
    const url = await listen(
      createServer((socket) => {
        socket.on('error', () => undefined);
        socket.once('data', () => {
          socket.write('HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\r\n');
          const chunk = Buffer.alloc(64 * 1024, 'x');
          const pump = () => {
            while (!socket.destroyed && written < 512 * 1024 * 1024 && socket.write(chunk)) written += chunk.length;
          };
          socket.on('drain', pump);
          pump();
        });
      }),
    );
    const report = await checkApi({ baseUrl: url, maxRequests: 3, timeoutMs: 2000 });
    const unknown = report.checks.find((check) => check.id === 'unknown-path');
    expect(unknown?.status).toBe('fail');
    expect(unknown?.findings[0]?.response?.bodyCut).toBe(true);
    // The server could write far more; the client stopped reading at its cap (plus what the socket buffers held).
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('gives up a stalled answer after the timeout and reports it', async () => {
    const url = await listen(createServer((socket) => socket.on('error', () => undefined)));
    const report = await checkApi({ baseUrl: url, maxRequests: 2, timeoutMs: 200 });
    const unknown = report.checks.find((check) => check.id === 'unknown-path');
    expect(unknown?.findings[0]?.failure).toBe('no answer within 200 ms');
  });

  it('never sends more than --max-requests, and does not follow a redirect off the origin', async () => {
    let connections = 0;
    const server = createHttpServer((_request, response) => {
      response.writeHead(302, { location: 'http://192.0.2.1/elsewhere' }).end();
    });
    server.on('connection', () => (connections += 1));
    const url = await listen(server);
    const report = await checkApi({ baseUrl: url, maxRequests: 2, paths: ['/a', '/b'] });
    expect(connections).toBe(2);
    expect(report.requests).toBe(2);
    const unknown = report.checks.find((check) => check.id === 'unknown-path');
    expect(unknown?.findings[0]?.message).toBe('an unknown path got 302, not 404');
  });

  it('reports an unreachable target instead of checking it', async () => {
    const url = await listen(createServer());
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const report = await checkApi({ baseUrl: url });
    expect(report.unreachable).toMatch(/ECONNREFUSED/);
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([]);
  });
});
