import { parseArgs } from 'node:util';
import { profileNames } from '@faultline/core';
import { parseOptions, RuntimeError, UsageError, type Command } from '@faultline/cli';
import type { Config } from './config.js';

/** Each option and the environment variable it overrides. */
const overrides = {
  port: 'PORT',
  host: 'HOST',
  database: 'DATABASE_URL',
  profile: 'ERROR_FORMAT',
  'log-level': 'LOG_LEVEL',
} as const;

/**
 * `faultline serve`: the reference API, as `npm start` runs it. It lives with
 * the app, and `@faultline/cli` loads it from here only when it runs, so the
 * published CLI does not depend on this unpublished app. The app itself is
 * loaded when the command runs, so `--help` answers at once.
 */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the reference API',
  help: `Usage: faultline serve [--port N] [--host H] [--database URL] [--profile P] [--log-level L]

Runs the Faultline reference API, the outreach API that produces every
documented error for a real reason, with a demo account whose API key it
prints. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

Options (each overrides the environment variable in brackets):
  --port N           Port to listen on; 0 picks a free one [PORT]. Default: 3000
  --host H           Address to listen on [HOST]. Default: 127.0.0.1
  --database URL     postgres://USER:PASSWORD@HOST:PORT/DB for PostgreSQL,
                     sqlite:PATH for another SQLite file, or sqlite::memory:
                     for none [DATABASE_URL]. Default: data/faultline.db
  --profile P        The error format: ${profileNames.join(', ')} [ERROR_FORMAT].
                     Default: problem
  --log-level L      pino log level [LOG_LEVEL]. Default: info
  -h, --help         Show this help.

Example:
  faultline serve --port 8080 --profile classic
`,
  async run(args, io) {
    const options = parseOptions(
      () =>
        parseArgs({
          args: [...args],
          options: {
            port: { type: 'string' },
            host: { type: 'string' },
            database: { type: 'string' },
            profile: { type: 'string' },
            'log-level': { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        }).values,
    );
    const environment: NodeJS.ProcessEnv = { ...process.env };
    for (const [option, variable] of Object.entries(overrides)) {
      const value = options[option as keyof typeof overrides];
      if (value !== undefined) environment[variable] = value;
    }
    const { readConfig } = await import('./config.js');
    const { startReferenceApi, startupBanner, untilStopSignal } = await import('./start.js');
    let config: Config;
    try {
      config = readConfig(environment);
    } catch (error) {
      // readConfig names the variable; name the option instead when the value came from one.
      let message = error instanceof Error ? error.message : String(error);
      for (const [option, variable] of Object.entries(overrides)) {
        if (options[option as keyof typeof overrides] !== undefined && message.startsWith(`${variable} `)) {
          message = `--${option}${message.slice(variable.length)}`;
        }
      }
      throw new UsageError(message.replace(/\.$/, ''));
    }
    let running;
    try {
      running = await startReferenceApi(config);
    } catch (error) {
      throw new RuntimeError(`could not start the reference API: ${error instanceof Error ? error.message : String(error)}`);
    }
    io.stdout.write(startupBanner(config, running));
    const signal = await untilStopSignal();
    running.app.log.info(`${signal} received, closing`);
    await running.close();
    return 0;
  },
};
