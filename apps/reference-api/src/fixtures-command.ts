import { readConfig } from './config.js';
import { ensureScenarios } from './demo/scenarios.js';
import { prepareData } from './start.js';

/**
 * `npm run fixtures`: creates the demo data and the account-state scenarios
 * if missing, issues fresh keys for them, and prints everything as JSON on
 * stdout, so a script can reach every state without clicking.
 */
async function fixtures(): Promise<void> {
  const { db, demo } = await prepareData(readConfig());
  try {
    const printed = await ensureScenarios(db, demo);
    process.stdout.write(JSON.stringify({ ...printed, userId: demo.userId, email: demo.email }, null, 2) + '\n');
  } finally {
    await db.destroy();
  }
}

fixtures().catch((error: unknown) => {
  process.stderr.write(`Could not create the fixtures: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
