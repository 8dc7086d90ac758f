import type { Command } from '../command.js';
import { RuntimeError } from '../usage-error.js';

const referenceApi = '@faultline/reference-api';
// A variable, not a literal, so TypeScript does not resolve the app at build time: the CLI has no dependency on it.
const serveModule = `${referenceApi}/serve-command`;

/**
 * `faultline serve` runs the reference API, whose command (options, help and
 * all) lives with the app in `@faultline/reference-api/serve-command`. The app is not
 * published: it runs from a clone of the Faultline repository, where npm
 * links it beside this package. The CLI loads it only when this command runs,
 * so an installed `@faultline/cli` needs nothing but the public packages for
 * `docs` and `catalog`, and says plainly why `serve` is not there.
 */
export const serveCommand = {
  name: 'serve',
  summary: 'Run the reference API (in a clone of the Faultline repository)',
  async load(): Promise<Command> {
    let module: { serveCommand?: Command };
    try {
      module = (await import(serveModule)) as { serveCommand?: Command };
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(`'${referenceApi}'`)) {
        throw new RuntimeError(
          `the reference API (${referenceApi}) is not installed here; it runs from a clone of the Faultline repository ("npm ci && npx faultline serve" there)`,
        );
      }
      throw error;
    }
    if (module.serveCommand === undefined) throw new RuntimeError(`${serveModule} has no serveCommand export`);
    return module.serveCommand;
  },
} as const satisfies LazyCommand;

/** A command whose implementation is loaded when it runs. */
export interface LazyCommand {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}
