// Servers for the client benchmarks, each in its own process (see
// child-server.js). Prints its port on stdout once listening.
//   json:         answers every request 200 with a small JSON body.
//   rate-limited: 200 with a small JSON body, at most `limit` requests per
//                 one-second window per client (its Authorization header);
//                 past that, 429 with Retry-After. Every answer carries the
//                 IETF RateLimit-Policy and RateLimit fields. Counts what it
//                 sends to each client; the parent asks over IPC.
import { createServer } from 'node:http';

const kind = process.argv[2];
const body = JSON.stringify({ id: 42, name: 'widget', tags: ['a', 'b'], price: 9.5, active: true });
const length = String(Buffer.byteLength(body));
const json = 'application/json; charset=utf-8';

function jsonServer() {
  return createServer((_request, response) => {
    response.writeHead(200, { 'content-type': json, 'content-length': length });
    response.end(body);
  });
}

function rateLimitedServer() {
  const limit = 50;
  const windowMs = 1000;
  const policy = `"default";q=${limit};w=${windowMs / 1000}`;
  const problem = JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Rate limit reached.' });
  /** Per client: the current fixed window, which starts with the first request after the last one ended. */
  const windows = new Map();
  /** Per client: requests received, 200s and 429s sent. */
  const stats = new Map();
  process.on('message', (message) => {
    if (message?.type === 'stats') process.send?.(stats.get(message.client) ?? { requests: 0, ok: 0, limited: 0 });
  });
  return createServer((request, response) => {
    const client = request.headers.authorization ?? '';
    const now = Date.now();
    let window = windows.get(client);
    if (window === undefined || now >= window.start + windowMs) {
      window = { start: now, count: 0 };
      windows.set(client, window);
    }
    window.count += 1;
    let counts = stats.get(client);
    if (counts === undefined) stats.set(client, (counts = { requests: 0, ok: 0, limited: 0 }));
    counts.requests += 1;
    // Whole seconds, rounded up, so a client that waits this long finds the window reset.
    const resetSeconds = Math.ceil((window.start + windowMs - now) / 1000);
    const left = Math.max(0, limit - window.count);
    const headers = { 'ratelimit-policy': policy, ratelimit: `"default";r=${left};t=${resetSeconds}` };
    if (window.count > limit) {
      counts.limited += 1;
      response.writeHead(429, {
        ...headers,
        'retry-after': String(resetSeconds),
        'content-type': 'application/problem+json',
        'content-length': String(Buffer.byteLength(problem)),
      });
      response.end(problem);
      return;
    }
    counts.ok += 1;
    response.writeHead(200, { ...headers, 'content-type': json, 'content-length': length });
    response.end(body);
  });
}

const server = kind === 'json' ? jsonServer() : kind === 'rate-limited' ? rateLimitedServer() : undefined;
if (server === undefined) throw new Error(`Unknown server kind "${kind}": use json or rate-limited.`);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('message', (message) => {
  if (message === 'cpu-usage') process.send?.(process.cpuUsage());
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
