/** The shape of exponential backoff. */
export interface BackoffOptions {
  /** The first delay's ceiling, in milliseconds. Default 200. */
  readonly baseMs?: number;
  /** No delay is longer than this. Default 20,000. */
  readonly capMs?: number;
}

/**
 * "Full jitter": a random delay between zero and the exponential ceiling.
 * Clients that failed together then retry apart instead of in waves.
 * `attempt` counts from 1 for the first retry.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 200;
  const cap = options.capMs ?? 20_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
