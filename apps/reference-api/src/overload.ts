import { readWholeNumber } from './environment-numbers.js';

/** When the reference API sheds load: answers 503 `service_unavailable` before doing any work. */
export interface OverloadLimits {
  /** The most requests handled at once; unset: no limit. */
  readonly maxInFlight?: number;
  /** The event-loop delay, in milliseconds, past which new requests are refused; unset: not watched. */
  readonly maxEventLoopDelayMs?: number;
}

/**
 * What `npm start` applies unless `OVERLOAD_MAX_IN_FLIGHT` and
 * `OVERLOAD_MAX_EVENT_LOOP_DELAY_MS` say otherwise. Far above what one
 * healthy process sees (the benchmarks load it with 50 to 100 connections,
 * with the loop a few milliseconds behind at most): they only bite when the
 * process is past saturation, where answering everything late helps no one.
 * The delay is a full second because a neighbour taking the CPU (a shared
 * machine, a garbage collection, a slow start) also shows up as lag for a
 * moment; a second behind means this process itself is stuck.
 */
export const defaultOverloadLimits = { maxInFlight: 1000, maxEventLoopDelayMs: 1000 } as const satisfies OverloadLimits;

/** Reads one limit: unset or empty for the default, `off` for none, else a positive whole number. */
function readLimit(environment: NodeJS.ProcessEnv, name: string, fallback: number): number | undefined {
  const value = readWholeNumber(environment, name, { off: true }) ?? fallback;
  return Number.isFinite(value) ? value : undefined;
}

/** Reads `OVERLOAD_MAX_IN_FLIGHT` and `OVERLOAD_MAX_EVENT_LOOP_DELAY_MS`; throws an Error naming a bad one. */
export function parseOverloadLimits(environment: NodeJS.ProcessEnv): OverloadLimits {
  const maxInFlight = readLimit(environment, 'OVERLOAD_MAX_IN_FLIGHT', defaultOverloadLimits.maxInFlight);
  const maxEventLoopDelayMs = readLimit(
    environment,
    'OVERLOAD_MAX_EVENT_LOOP_DELAY_MS',
    defaultOverloadLimits.maxEventLoopDelayMs,
  );
  return {
    ...(maxInFlight === undefined ? {} : { maxInFlight }),
    ...(maxEventLoopDelayMs === undefined ? {} : { maxEventLoopDelayMs }),
  };
}
