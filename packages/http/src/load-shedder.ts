import type { ApiError, Catalog } from '@faultline/core';
import type { ContractLogger } from './logger.js';

export interface LoadSheddingOptions {
  /**
   * The most requests handled at once; a request that arrives while this
   * many are in flight is refused. Default: no limit.
   */
  readonly maxInFlight?: number;
  /**
   * The event-loop delay, in milliseconds, past which new requests are
   * refused until the delay falls back under it. Default: not watched.
   */
  readonly maxEventLoopDelayMs?: number;
  /** How often the event-loop delay is sampled, in milliseconds. Default 100. */
  readonly sampleIntervalMs?: number;
  /** The `Retry-After` a refused request is given, in seconds. Default 2. */
  readonly retryAfterSeconds?: number;
  /** Route URLs, as declared (e.g. `/healthz`), that are always served and not counted in flight. */
  readonly exemptRoutes?: readonly string[];
}

/** What the shedder sees now: for a health route, logs or metrics. */
export interface LoadSheddingState {
  /** Requests admitted and not yet answered (0 when `maxInFlight` is not set). */
  readonly inFlight: number;
  /** The event-loop delay of the last sample, in milliseconds (0 when not watched). */
  readonly eventLoopDelayMs: number;
  /** Whether new requests are being refused now. */
  readonly shedding: boolean;
  /** Requests refused since the server started. */
  readonly shed: number;
}

const positive = (value: number | undefined, name: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new TypeError(`loadShedding: ${name} must be a positive number, not ${value}.`);
  return value;
};

/**
 * The decision of load shedding, for any framework: whether a new request is
 * refused because too many are in flight or the event loop runs late, and the
 * `service_unavailable` (503, `Retry-After`) to refuse it with. The adapter
 * calls {@link LoadShedder.admits} as a request arrives, {@link LoadShedder.take}
 * when it admits one that counts, {@link LoadShedder.give} once it is
 * answered, and {@link LoadShedder.start} / {@link LoadShedder.stop} with the
 * server. The delay is how late a timer fires (`performance.now()`, on every
 * runtime); the timer never keeps a Node.js process alive.
 *
 * A bad option throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * const shedder = new LoadShedder({ maxInFlight: 500, maxEventLoopDelayMs: 200 }, log);
 * shedder.start();
 * if (!shedder.admits() && !shedder.isExempt(routePattern)) return answer(shedder.refusal(catalog));
 * shedder.take();
 * response.on('close', () => shedder.give());
 * ```
 */
export class LoadShedder {
  /** The most requests in flight; `Infinity` when not counted. */
  readonly maxInFlight: number;
  /** Whether requests in flight are counted at all (`maxInFlight` set). */
  readonly counting: boolean;
  readonly #maxDelay: number;
  readonly #sampleIntervalMs: number;
  readonly #retryAfterSeconds: number;
  readonly #exempt: ReadonlySet<string>;
  readonly #log: Pick<ContractLogger, 'warn'> | undefined;
  #inFlight = 0;
  #delay = 0;
  #lagging = false;
  #shed = 0;
  #sampler: ReturnType<typeof setInterval> | undefined;
  /** What the shedder sees now: live values, read as they change. */
  readonly state: LoadSheddingState;

  constructor(options: LoadSheddingOptions = {}, log?: Pick<ContractLogger, 'warn'>) {
    this.maxInFlight = positive(options.maxInFlight, 'maxInFlight', Number.POSITIVE_INFINITY);
    this.#maxDelay = positive(options.maxEventLoopDelayMs, 'maxEventLoopDelayMs', Number.POSITIVE_INFINITY);
    this.#sampleIntervalMs = positive(options.sampleIntervalMs, 'sampleIntervalMs', 100);
    this.#retryAfterSeconds = positive(options.retryAfterSeconds, 'retryAfterSeconds', 2);
    this.#exempt = new Set(options.exemptRoutes ?? []);
    this.counting = Number.isFinite(this.maxInFlight);
    this.#log = log;
    // Live values: the getters read the shedder's fields as they change.
    const read = {
      inFlight: () => this.#inFlight,
      delay: () => this.#delay,
      shedding: () => !this.admits(),
      shed: () => this.#shed,
    };
    this.state = {
      get inFlight() {
        return read.inFlight();
      },
      get eventLoopDelayMs() {
        return read.delay();
      },
      get shedding() {
        return read.shedding();
      },
      get shed() {
        return read.shed();
      },
    };
  }

  /** Whether a new request may start now: the event loop on time, and a slot free. */
  admits(): boolean {
    return !this.#lagging && this.#inFlight < this.maxInFlight;
  }

  /** Whether any route is exempt: when not, an adapter need not look up a request's route at all. */
  get hasExemptRoutes(): boolean {
    return this.#exempt.size > 0;
  }

  /** Whether a route (its pattern as declared) is always served and never counted: health probes. */
  isExempt(route: string | undefined): boolean {
    return route !== undefined && this.#exempt.has(route);
  }

  /** An admitted request takes a slot (when counting). */
  take(): void {
    this.#inFlight++;
  }

  /** An admitted request, answered, gives its slot back. */
  give(): void {
    this.#inFlight--;
  }

  /** Counts a refusal, and gives the error to answer it with: `service_unavailable`, naming the reason. */
  refusal(catalog: Catalog): ApiError {
    this.#shed++;
    const reason = this.#lagging
      ? `its event loop is ${Math.round(this.#delay)} ms behind`
      : `it is handling ${this.#inFlight} requests, its limit`;
    const retryAt = new Date(Date.now() + this.#retryAfterSeconds * 1000);
    return catalog.error('service_unavailable', {
      detail: `The server is overloaded (${reason}) and refused this request before starting it; try again after ${retryAt.toISOString()}.`,
      retryAt,
    });
  }

  /**
   * Starts sampling the event-loop delay (when `maxEventLoopDelayMs` is set).
   * Start it once the app is ready: loading it blocks the loop for a moment,
   * and counting that as overload would refuse a fresh process's first requests.
   */
  start(): void {
    if (!Number.isFinite(this.#maxDelay) || this.#sampler !== undefined) return;
    const interval = this.#sampleIntervalMs;
    let last = performance.now();
    // A timer that should fire every `interval`: how late it fires is the event-loop delay.
    const sampler = setInterval(() => {
      const now = performance.now();
      this.#delay = Math.max(0, now - last - interval);
      last = now;
      const wasLagging = this.#lagging;
      this.#lagging = this.#delay > this.#maxDelay;
      if (this.#lagging && !wasLagging) {
        this.#log?.warn({ eventLoopDelayMs: Math.round(this.#delay) }, 'Event loop delayed: shedding new requests');
      }
    }, interval);
    // Node.js: the sampler never keeps the process alive. Other runtimes have no such handle.
    (sampler as { unref?: () => void }).unref?.();
    this.#sampler = sampler;
  }

  /** Stops the sampler, when the server closes. */
  stop(): void {
    clearInterval(this.#sampler);
    this.#sampler = undefined;
  }
}
