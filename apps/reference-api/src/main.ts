import { buildApp } from './build-app.js';
import { readConfig } from './config.js';
import { prepareData } from './start.js';

/** `npm start`: the reference API on the embedded defaults, with a demo account ready to use. */
async function main(): Promise<void> {
  const config = readConfig();
  const { db, demo, created } = await prepareData(config);
  const app = await buildApp({ db, profile: config.profile, logger: { level: config.logLevel } });
  const shutdown = async (signal: string) => {
    app.log.info(`${signal} received, closing`);
    await app.close();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  process.stdout.write(
    [
      '',
      `Faultline reference API on ${url} (errors as ${config.profile}, data in ${config.database.path})`,
      `${created ? 'Created the' : 'The'} demo API key: ${demo.apiKey}`,
      '',
      'See an error:',
      `  curl -i ${url}/v1/campaigns/999999 -H "Authorization: Bearer ${demo.apiKey}"`,
      `Error reference: ${url}/docs/errors`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`Could not start the reference API: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
