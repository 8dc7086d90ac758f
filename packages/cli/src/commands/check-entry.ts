import type { LazyCommand } from './serve-command.js';

export const checkSummary = 'Check a running API against the error contract';

/**
 * `faultline check`, loaded when it runs: its checks bring an OpenAPI reader
 * and a JSON Schema validator the other commands do not need at start-up.
 */
export const checkEntry: LazyCommand = {
  name: 'check',
  summary: checkSummary,
  load: async () => (await import('./check-command.js')).checkCommand,
};
