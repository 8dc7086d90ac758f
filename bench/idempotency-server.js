// The reference API for the idempotency benchmark, in its own process: SQLite in memory (or, with a path as
// its argument, in that file, as `npm start` runs it), the demo account, one campaign to read. Prints its port on stdout; answers 'credentials' with the demo key and the campaign.
import { buildApp, ensureDemoData, openDatabase } from '@faultline/reference-api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const db = await openDatabase({ kind: 'sqlite', path: process.argv[2] ?? ':memory:' });
const { credentials } = await ensureDemoData(db, join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'demo.json'));
const app = await buildApp({ db, profile: 'problem', logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const created = await app.inject({
  method: 'POST',
  url: '/v1/campaigns',
  headers: { authorization: `Bearer ${credentials.apiKey}`, 'content-type': 'application/json' },
  payload: { name: 'Read me' },
});
const campaignId = created.json().id;
process.stdout.write(`${app.server.address().port}\n`);
process.on('message', (message) => {
  if (message === 'cpu-usage') process.send?.(process.cpuUsage());
  if (message === 'credentials') process.send?.({ apiKey: credentials.apiKey, campaignId });
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
