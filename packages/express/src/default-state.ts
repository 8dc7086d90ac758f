import { stderrLogger } from './logger.js';
import type { ContractState } from './request-state.js';
import { resolveSettings } from './settings.js';

let shared: ContractState | undefined;

/** The contract of a request that did not pass through a contract's `start`: every default, built once. */
export function defaultState(): ContractState {
  if (shared === undefined) {
    const settings = resolveSettings({});
    shared = { settings, catalog: settings.catalog, logger: (request) => request.log ?? stderrLogger };
  }
  return shared;
}
