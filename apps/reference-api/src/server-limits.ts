import type { FaultlineServerOptions } from '@faultline/fastify';

/** How long the reference API waits for slow clients, and how much one client address may hold at once. */
export interface ServerLimits {
  readonly timeouts: Pick<
    FaultlineServerOptions,
    'headersTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'keepAliveTimeoutMs'
  >;
  /** The most requests one client address may have in flight; unset: the Faultline default (100). */
  readonly maxRequestsPerClient?: number;
}

/** The variable behind each timeout; unset, each has the `@faultline/fastify` default. */
const timeoutVariables = {
  headersTimeoutMs: 'HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'REQUEST_TIMEOUT_MS',
  idleTimeoutMs: 'IDLE_TIMEOUT_MS',
  keepAliveTimeoutMs: 'KEEP_ALIVE_TIMEOUT_MS',
} as const;

function readWhole(environment: NodeJS.ProcessEnv, name: string, { off }: { off: boolean }): number | undefined {
  const value = environment[name]?.trim();
  if (value === undefined || value === '') return undefined;
  if (off && value === 'off') return Number.POSITIVE_INFINITY;
  if (!/^\d{1,9}$/.test(value) || Number(value) === 0)
    throw new Error(`${name} must be a positive whole number${off ? ' or "off"' : ''}, not "${value}".`);
  return Number(value);
}

/**
 * Reads `HEADERS_TIMEOUT_MS`, `REQUEST_TIMEOUT_MS`, `IDLE_TIMEOUT_MS`,
 * `KEEP_ALIVE_TIMEOUT_MS` and `MAX_REQUESTS_PER_CLIENT` (`off` for no limit);
 * throws an Error naming a bad one.
 */
export function parseServerLimits(environment: NodeJS.ProcessEnv): ServerLimits {
  const timeouts: Record<string, number> = {};
  for (const [option, name] of Object.entries(timeoutVariables)) {
    const value = readWhole(environment, name, { off: false });
    if (value !== undefined) timeouts[option] = value;
  }
  const maxRequestsPerClient = readWhole(environment, 'MAX_REQUESTS_PER_CLIENT', { off: true });
  return { timeouts, ...(maxRequestsPerClient === undefined ? {} : { maxRequestsPerClient }) };
}
