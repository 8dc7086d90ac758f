import type { FaultlineServerOptions } from '@faultline/fastify';
import { readWholeNumber } from './environment-numbers.js';

/** How long the reference API waits for slow clients, and how much one client address may hold at once. */
export interface ServerLimits {
  readonly timeouts: Pick<
    FaultlineServerOptions,
    'headersTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'keepAliveTimeoutMs'
  >;
  /**
   * The most connections one client address may hold (requests pipelined on them included);
   * unset: the Faultline default (256); `Infinity`: no limit.
   */
  readonly maxConnectionsPerClient?: number;
}

/** The variable behind each timeout; unset, each has the `@faultline/fastify` default. */
const timeoutVariables = {
  headersTimeoutMs: 'HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  idleTimeoutMs: 'IDLE_TIMEOUT_MS',
  keepAliveTimeoutMs: 'KEEP_ALIVE_TIMEOUT_MS',
} as const;

/**
 * Reads `HEADERS_TIMEOUT_MS`, `REQUEST_TIMEOUT_MS`, `IDLE_TIMEOUT_MS`,
 * `KEEP_ALIVE_TIMEOUT_MS` and `MAX_CONNECTIONS_PER_CLIENT` (`off` for no
 * limit); throws an Error naming a bad one.
 */
export function parseServerLimits(environment: NodeJS.ProcessEnv): ServerLimits {
  const timeouts: Record<string, number> = {};
  for (const [option, name] of Object.entries(timeoutVariables)) {
    const value = readWholeNumber(environment, name);
    if (value !== undefined) timeouts[option] = value;
  }
  const maxConnectionsPerClient = readWholeNumber(environment, 'MAX_CONNECTIONS_PER_CLIENT', { off: true });
  return { timeouts, ...(maxConnectionsPerClient === undefined ? {} : { maxConnectionsPerClient }) };
}
