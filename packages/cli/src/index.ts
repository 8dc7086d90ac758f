/**
 * @faultline/cli: the `faultline` command, also callable as a function.
 * @packageDocumentation
 */
export { runCli } from './run-cli.js';
export type { Command, Io } from './command.js';
export { parseOptions } from './parse-options.js';
export { UsageError, RuntimeError } from './usage-error.js';
