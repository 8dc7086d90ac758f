import { builtinCatalog } from '@faultline/core';
import { fullJitterDelay, type BackoffOptions } from './backoff.js';
import { AuthenticationError } from './errors/authentication-error.js';
import { errorFromResponse } from './errors/error-from-response.js';
import { FaultlineError, type ErrorCode } from './errors/faultline-error.js';
import { NetworkError } from './errors/network-error.js';
import { QuotaExceededError } from './errors/quota-exceeded-error.js';
import { RateLimitedError } from './errors/rate-limited-error.js';
import { ServerError } from './errors/server-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { Pacer } from './pacer.js';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
import { TokenRefresher, type RefreshAccessToken } from './token-refresher.js';

/** How the client retries. */
export interface RetryOptions {
  /** Attempts per request, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** A request gives up once this many milliseconds have passed since it started, waits included. Default 30,000. */
  readonly deadlineMs?: number;
  readonly backoff?: BackoffOptions;
  /** The retry budget shared by all requests of the client; `false` turns it off. */
  readonly budget?: RetryBudgetOptions | false;
}

/** One failed attempt, as the `onAttemptFailed` hook sees it. */
export interface AttemptFailure {
  readonly method: string;
  readonly url: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** 0 when no response arrived. */
  readonly status: number;
  readonly code: ErrorCode;
  readonly requestId: string | undefined;
  /** Whether the client will try again, and after how long. */
  readonly willRetry: boolean;
  readonly delayMs: number | undefined;
  readonly error: FaultlineError;
}

export interface ClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** An API key, sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string;
  /** An OAuth2 access token; with `refreshAccessToken`, renewed when the server says it expired. */
  readonly accessToken?: string;
  readonly refreshAccessToken?: RefreshAccessToken;
  /** Milliseconds one attempt may take, body included. Default 10,000. */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Pace requests by the server's `RateLimit` field before it answers 429. Default true. */
  readonly pacing?: boolean;
  /** The API's error reference (e.g. `https://api.example.com/docs/errors`): error messages link to `#<code>` there when a body does not name its own docs. */
  readonly docsUrl?: string;
  /** Headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called after every failed attempt: log it, count it. */
  readonly onAttemptFailed?: (failure: AttemptFailure) => void;
  /** The fetch to use; the global one by default. */
  readonly fetch?: typeof fetch;
  /** The random source of the backoff jitter, for tests. */
  readonly random?: () => number;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Makes a POST or PATCH safe to retry: the server sees the same
   * `Idempotency-Key` on every attempt. `true` makes one up.
   */
  readonly idempotencyKey?: string | true;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Methods that may be repeated without changing the outcome (RFC 9110 section 9.2.2). */
const idempotentMethods: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Statuses that say "try again later" whatever the body. */
const transientStatuses: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);
const refreshableCodes: ReadonlySet<string> = new Set(['invalid_token', 'session_expired']);

/**
 * A fetch client for any HTTP API that speaks (or half-speaks) the Faultline
 * contract. Every non-2xx answer is thrown as a typed {@link FaultlineError};
 * retries happen only when safe, wait as long as the server asks, and share
 * one budget; requests are paced by the `RateLimit` field; an expired token
 * is refreshed once for everyone.
 */
export class FaultlineClient {
  readonly #options: ClientOptions;
  /** The base URL, normalised once, without a trailing slash. */
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #budget: RetryBudget | undefined;
  readonly #pacer: Pacer | undefined;
  readonly #tokens: TokenRefresher | undefined;

  constructor(options: ClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError(`baseUrl must be an http(s) URL, not "${options.baseUrl}".`);
    this.#options = options;
    this.#base = new URL(options.baseUrl).toString().replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#budget = options.retry?.budget === false ? undefined : new RetryBudget(options.retry?.budget ?? {});
    this.#pacer = options.pacing === false ? undefined : new Pacer();
    if (options.accessToken !== undefined) {
      const refresh =
        options.refreshAccessToken ?? (() => Promise.reject(new Error('No refreshAccessToken callback was given.')));
      this.#tokens = new TokenRefresher(options.accessToken, refresh);
    }
  }

  get<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  put<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('PUT', path, options);
  }

  patch<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, options);
  }

  delete<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  /** Sends a request; resolves with the parsed body of a 2xx answer, throws a {@link FaultlineError} otherwise. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const upper = method.toUpperCase();
    const url = this.#url(path, options.query);
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json;q=0.9',
      ...this.#options.headers,
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) {
      headers['idempotency-key'] = options.idempotencyKey === true ? crypto.randomUUID() : options.idempotencyKey;
    }
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const replayable = idempotentMethods.has(upper) || options.idempotencyKey !== undefined;
    const deadline = Date.now() + (this.#options.retry?.deadlineMs ?? 30_000);
    const maxAttempts = this.#options.retry?.maxAttempts ?? 4;
    this.#budget?.deposit();

    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      // Most requests need no wait: skip the extra await unless the pacer asks for one.
      const wait = this.#pacer?.reserve() ?? 0;
      if (wait > 0) await this.#pace(wait, upper, url, deadline, options.signal);
      const token = this.#tokens?.token ?? this.#options.apiKey;
      const tokenGeneration = this.#tokens?.generation ?? 0;
      const attemptHeaders = token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` };
      let error: FaultlineError;
      try {
        const { response, body } = await this.#attempt(upper, url, attemptHeaders, payload, options, attempt);
        this.#pacer?.observe(response.headers);
        if (response.ok) return this.#parseSuccess<T>(upper, url, response, body, attempt);
        error = errorFromResponse({
          method: upper,
          url,
          status: response.status,
          headers: response.headers,
          body,
          response,
          attempts: attempt,
          docsUrl: this.#options.docsUrl,
        });
      } catch (thrown) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (!(thrown instanceof FaultlineError)) throw thrown;
        error = thrown;
      } finally {
        this.#pacer?.settle();
      }

      if (
        this.#tokens !== undefined &&
        !refreshed &&
        token !== undefined &&
        error instanceof AuthenticationError &&
        refreshableCodes.has(error.code)
      ) {
        refreshed = true;
        this.#report(error, attempt, 0);
        try {
          await this.#tokens.renew(token, tokenGeneration);
        } catch (refreshError) {
          throw new AuthenticationError({
            ...detailsOf(error, attempt),
            detail: `${error.detail} Refreshing the token failed.`,
            cause: refreshError,
          });
        }
        continue;
      }

      const delay = attempt < maxAttempts ? this.#retryDelay(error, attempt, replayable) : undefined;
      if (delay === undefined) {
        this.#report(error, attempt, undefined);
        throw error;
      }
      if (Date.now() + delay > deadline) {
        this.#report(error, attempt, undefined);
        throw error instanceof RateLimitedError && !(error instanceof QuotaExceededError)
          ? // The wait may come from the RateLimit field rather than the error itself: say when it ends either way.
            new QuotaExceededError({ ...detailsOf(error, attempt), retryAt: error.retryAt ?? new Date(Date.now() + delay) })
          : error;
      }
      if (this.#budget !== undefined && !this.#budget.tryWithdraw()) {
        this.#report(error, attempt, undefined);
        throw error;
      }
      this.#report(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }

  /** Milliseconds to wait before retrying, or undefined when the error must not be retried. */
  #retryDelay(error: FaultlineError, attempt: number, replayable: boolean): number | undefined {
    const retryable =
      error instanceof RateLimitedError
        ? // A 429 was refused before any work was done: safe to repeat whatever the method.
          true
        : replayable &&
          (error instanceof NetworkError ||
            error instanceof TimeoutError ||
            transientStatuses.has(error.status) ||
            (error instanceof ServerError && builtinCatalog.find(error.code)?.retryable === true) ||
            // A code that says "wait, then repeat" (a 409 idempotency_key_in_use: the first attempt still runs).
            builtinCatalog.find(error.code)?.retry === 'retry-after');
    if (!retryable) return undefined;
    // What the server asked for wins over the formula: the body's time or Retry-After, or the RateLimit reset.
    const asked = error.retryAt?.getTime() ?? (error instanceof RateLimitedError ? this.#pacer?.exhaustedUntil() : undefined);
    if (asked !== undefined) return Math.max(0, asked - Date.now());
    if (error instanceof QuotaExceededError) return undefined;
    return fullJitterDelay(attempt, this.#options.retry?.backoff, this.#options.random);
  }

  /** Waits while the known rate-limit policies are spent, or fails at once if they reset after the deadline. */
  async #pace(firstWait: number, method: string, url: string, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#pacer === undefined) return;
    for (let wait = firstWait; wait > 0; wait = this.#pacer.reserve()) {
      if (Date.now() + wait > deadline) {
        throw new QuotaExceededError({
          status: 429,
          code: 'limit_reached',
          detail: `Held back by the client: the server's rate limit resets in ${Math.ceil(wait / 1000)} s, after this request's deadline.`,
          method,
          url,
          retryAt: new Date(Date.now() + wait),
          attempts: 0,
        });
      }
      await sleep(wait, signal);
    }
  }

  async #attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    payload: string | undefined,
    options: RequestOptions,
    attempt: number,
  ): Promise<{ response: Response; body: string }> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 10_000;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const forwardAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forwardAbort, { once: true });
    // An abort that came before the listener fires no event: send nothing.
    if (options.signal?.aborted) forwardAbort();
    try {
      const response = await this.#fetch(url, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        signal: controller.signal,
      });
      const body = await response.text();
      return { response, body };
    } catch (thrown) {
      if (timedOut) {
        throw new TimeoutError({
          status: 0,
          code: 'timeout',
          detail: `No complete answer within ${timeoutMs} ms.`,
          method,
          url,
          attempts: attempt,
          cause: thrown,
        });
      }
      if (options.signal?.aborted) throw thrown;
      throw new NetworkError({
        status: 0,
        code: 'network_error',
        detail: networkDetail(thrown),
        method,
        url,
        attempts: attempt,
        cause: thrown,
      });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', forwardAbort);
    }
  }

  #parseSuccess<T>(method: string, url: string, response: Response, body: string, attempts: number): T {
    if (body === '' || response.status === 204) return undefined as T;
    if (!(response.headers.get('content-type') ?? '').includes('json')) return body as T;
    try {
      return JSON.parse(body) as T;
    } catch (cause) {
      throw new ServerError({
        status: response.status,
        code: 'invalid_response',
        detail: 'The response says it is JSON but is not.',
        method,
        url,
        body,
        attempts,
        cause,
      });
    }
  }

  #report(error: FaultlineError, attempt: number, delayMs: number | undefined): void {
    this.#options.onAttemptFailed?.({
      method: error.method,
      url: error.url,
      attempt,
      status: error.status,
      code: error.code,
      requestId: error.requestId,
      willRetry: delayMs !== undefined,
      delayMs,
      error,
    });
  }

  #url(path: string, query: RequestOptions['query']): string {
    // Plain concatenation: parsing a URL per request is a measurable share of the client's own cost.
    let url = this.#base + (path.startsWith('/') ? path : `/${path}`);
    let separator = url.includes('?') ? '&' : '?';
    for (const name in query) {
      const value = query[name];
      if (value === undefined) continue;
      url += `${separator}${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;
      separator = '&';
    }
    return url;
  }
}

/** Builds a client; see {@link ClientOptions}. */
export function createClient(options: ClientOptions): FaultlineClient {
  return new FaultlineClient(options);
}

function detailsOf(error: FaultlineError, attempts: number) {
  return {
    status: error.status,
    code: error.code,
    detail: error.detail,
    method: error.method,
    url: error.url,
    requestId: error.requestId,
    body: error.body,
    retryAt: error.retryAt,
    fieldErrors: error.fieldErrors,
    docsUrl: error.docsUrl,
    extensions: error.extensions,
    envelope: error.envelope,
    response: error.response,
    headers: error.headers,
    attempts,
  };
}

function networkDetail(thrown: unknown): string {
  const cause = thrown instanceof Error && thrown.cause instanceof Error ? thrown.cause : thrown;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code === undefined
    ? 'The connection failed before a response arrived.'
    : `The connection failed before a response arrived (${code}).`;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
