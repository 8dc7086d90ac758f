// A server for the benchmark to load, in its own process so it does not share
// a core with the load generator. Prints its port on stdout once listening.
import Fastify from 'fastify';
import { buildApp, ensureDemoData, openDatabase } from '@faultline/reference-api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const kind = process.argv[2];
/** The reference API's demo key, for the parts that call it as a client would (check-run). */
let demoKey;

async function start() {
  if (kind === 'bare') {
    // The baseline: a route that hand-writes a static 404 JSON reply, nothing else.
    const app = Fastify({ logger: false });
    const body = '{"code":"not_found","error":"Not found","time":"2026-01-01T00:00:00.000Z"}';
    app.get('/bare', (_request, reply) => {
      reply.code(404).type('application/json; charset=utf-8').send(body);
    });
    return app;
  }
  if (kind === 'reference-api' || kind === 'reference-api-without-client-cap') {
    const db = await openDatabase({ kind: 'sqlite', path: ':memory:' });
    demoKey = (await ensureDemoData(db, join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'demo.json'))).credentials.apiKey;
    // The second kind turns off the per-address connection cap of the hostile-traffic limits,
    // so the limits-cost part can compare the same app with and without it.
    const serverLimits =
      kind === 'reference-api' ? undefined : { timeouts: {}, maxConnectionsPerClient: Number.POSITIVE_INFINITY };
    return buildApp({ db, profile: 'problem', logger: false, serverLimits });
  }
  throw new Error(`Unknown server kind "${kind}": use bare, reference-api or reference-api-without-client-cap.`);
}

const app = await start();
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${app.server.address().port}\n`);
// The parent asks for CPU time, so the cost per request can be compared even
// when the load generator, not the server, is the bottleneck.
process.on('message', (message) => {
  if (message === 'cpu-usage') process.send?.(process.cpuUsage());
  if (message === 'demo-key') process.send?.(demoKey ?? null);
  if (message === 'close') void app.close().then(() => process.send?.('closed'));
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
