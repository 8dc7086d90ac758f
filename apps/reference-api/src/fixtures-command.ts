import { readConfig } from './config.js';
import { prepareData } from './start.js';

/** `npm run fixtures`: creates the demo data if missing and prints its credentials as JSON on stdout. */
async function fixtures(): Promise<void> {
  const { db, demo } = await prepareData(readConfig());
  await db.destroy();
  process.stdout.write(
    JSON.stringify({ apiKey: demo.apiKey, teamId: demo.teamId, userId: demo.userId, email: demo.email }, null, 2) + '\n',
  );
}

fixtures().catch((error: unknown) => {
  process.stderr.write(`Could not create the fixtures: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
