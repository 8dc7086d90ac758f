/** Where a failing field sits in the request. */
export type FieldLocation = 'body' | 'query' | 'path' | 'header';

/** One failing field of a request, located by a JSON pointer (RFC 6901). */
export interface FieldError {
  /** JSON pointer into the part named by `location`; `""` is the whole part. */
  readonly pointer: string;
  readonly location: FieldLocation;
  /** A catalog code for this field alone, e.g. `missing_parameter`. */
  readonly code: string;
  /** What is wrong with the field, for a person. */
  readonly detail: string;
}

/** Everything an {@link ApiError} may carry besides its code and status. */
export interface ApiErrorOptions {
  /** What went wrong this time, for a person. Defaults to the catalog description. */
  readonly detail?: string;
  /** Every failing field, when the error is about fields. */
  readonly errors?: readonly FieldError[];
  /** When the request may be tried again (rate limits, quotas, overload). */
  readonly retryAt?: Date;
  /** Headers to send with the error, on top of those the layer adds. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra members for problem+json bodies (e.g. the violated rate-limit policy). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** The request id the server gave the failed request (set when parsing a response). */
  readonly requestId?: string;
  /** When the server says the error happened (set when parsing a response). */
  readonly time?: string;
  /** Where the code is documented: problem+json `type` or OAuth2 `error_uri` (set when parsing a response). */
  readonly docsUrl?: string;
  readonly cause?: unknown;
  /**
   * Capture a stack trace. Off by default: expected errors (401, 404, 429) are
   * ordinary traffic, and capturing a stack is the costliest part of `new Error`.
   */
  readonly captureStack?: boolean;
}

const canTuneStackCapture = typeof (Error as { stackTraceLimit?: number }).stackTraceLimit === 'number';

/**
 * A failure the API answers on purpose. Throw it from a route; the Fastify
 * layer turns it into the right status, headers and body for the active profile.
 *
 * Build one through a catalog (`builtinCatalog.error('not_found', …)`) so the
 * code is checked and the status comes from the single source of truth.
 */
export class ApiError<C extends string = string> extends Error {
  override readonly name = 'ApiError';
  readonly code: C;
  readonly status: number;
  readonly detail: string;
  readonly errors: readonly FieldError[];
  readonly retryAt: Date | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly requestId: string | undefined;
  readonly time: string | undefined;
  readonly docsUrl: string | undefined;

  constructor(code: C, status: number, detail: string, options: ApiErrorOptions = {}) {
    if (canTuneStackCapture && options.captureStack !== true) {
      const errorConstructor = Error as unknown as { stackTraceLimit: number };
      const limit = errorConstructor.stackTraceLimit;
      errorConstructor.stackTraceLimit = 0;
      super(detail, options.cause === undefined ? undefined : { cause: options.cause });
      errorConstructor.stackTraceLimit = limit;
    } else {
      super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    }
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.errors = options.errors ?? [];
    this.retryAt = options.retryAt;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
    this.requestId = options.requestId;
    this.time = options.time;
    this.docsUrl = options.docsUrl;
  }

  /** Seconds until {@link retryAt}, rounded up, never negative; undefined without a retry time. */
  retryAfterSeconds(now: number = Date.now()): number | undefined {
    if (this.retryAt === undefined) return undefined;
    return Math.max(0, Math.ceil((this.retryAt.getTime() - now) / 1000));
  }
}

/** True for an {@link ApiError}, also across copies of this package. */
export function isApiError(value: unknown): value is ApiError {
  return (
    value instanceof ApiError || (value instanceof Error && value.name === 'ApiError' && 'code' in value && 'status' in value)
  );
}
