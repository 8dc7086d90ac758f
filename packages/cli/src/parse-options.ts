import { UsageError } from './usage-error.js';

/**
 * Runs a `parseArgs` call and turns its errors into one-line
 * {@link UsageError}s that name the option at fault.
 *
 * @example
 * const options = parseOptions(() => parseArgs({ args, options: { out: { type: 'string' } }, strict: true }).values);
 */
export function parseOptions<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const named = /'(-[^' ]+)/.exec(message)?.[1] ?? /"([^"]+)"/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${named ?? message}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/argument missing/.test(message)) throw new UsageError(`${named ?? 'an option'} needs a value`);
      throw new UsageError(`${named ?? 'an option'} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? message}; this command takes only options`);
    }
    throw new UsageError(message);
  }
}
