/** Small helpers shared by the client tests; the server they talk to is in fault-server.ts. */
import { performance } from 'node:perf_hooks';
import { setTimeout as realDelay } from 'node:timers/promises';
import { vi } from 'vitest';
import type { AttemptFailure } from '@faultline/client';

export { realDelay };

/** Backoff small enough to keep real-time tests fast. */
export const quickBackoff = { baseMs: 10, capMs: 50 } as const;

/** Collects what `onAttemptFailed` is given. */
export function failureLog(): {
  readonly failures: AttemptFailure[];
  readonly onAttemptFailed: (failure: AttemptFailure) => void;
} {
  const failures: AttemptFailure[] = [];
  return { failures, onAttemptFailed: (failure) => void failures.push(failure) };
}

/** Polls on the real clock (never the fake one) until `predicate` holds. */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const limit = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > limit) throw new Error(`Condition not met within ${timeoutMs} ms.`);
    await realDelay(2);
  }
}

/** The rejection of `promise`, or a failure if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}

/** Milliseconds of real time `run` takes to settle, and how it settled. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await run();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

/** A fake `setTimeout`/`Date` clock at a whole second; sockets keep running on real time. */
export function useFakeClock(at = '2030-01-01T00:00:00.000Z'): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(new Date(at));
}
