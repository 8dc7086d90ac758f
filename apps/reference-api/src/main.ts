import { readConfig } from './config.js';
import { startReferenceApi, startupBanner, untilStopSignal } from './start.js';

/** `npm start`: the reference API on the embedded defaults, with a demo account ready to use. */
async function main(): Promise<void> {
  const config = readConfig();
  const running = await startReferenceApi(config);
  process.stdout.write(startupBanner(config, running));
  const signal = await untilStopSignal();
  running.app.log.info(`${signal} received, closing`);
  await running.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`Could not start the reference API: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
