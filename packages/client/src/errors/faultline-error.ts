import type { BuiltinCode, BuiltinExtensions, EnvelopeName, ErrorCategory, FieldError } from '@faultline/core';
import { catalogEntryFor } from './catalog-entry-for.js';

/** A code of the built-in catalog, or any other string a foreign API sends; comparisons with catalog codes autocomplete. */
export type ErrorCode = BuiltinCode | 'network_error' | 'timeout' | (string & {});

/** What sort of failure an error is: the catalog's categories, plus the two that have no response. */
export type FailureCategory = ErrorCategory | 'network' | 'timeout';

/** Everything known about a failed request. */
export interface FailureDetails {
  /** The HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly code: ErrorCode;
  /** What went wrong, in the server's words when it gave any. */
  readonly detail: string;
  readonly method: string;
  readonly url: string;
  readonly requestId?: string | undefined;
  /** The raw response body, exactly as received. */
  readonly body?: string | undefined;
  /** When the request may be sent again, when the server said so. */
  readonly retryAt?: Date | undefined;
  /** Every failing field the server listed. */
  readonly fieldErrors?: readonly FieldError[] | undefined;
  /** How many attempts were made before giving up. */
  readonly attempts?: number | undefined;
  /** Where the code is documented (an absolute URL), when known. */
  readonly docsUrl?: string | undefined;
  /**
   * For a catalog code, the body's extension members the catalog declares for
   * it, each of its declared type; for any other code, every member of the
   * body its envelope does not model.
   */
  readonly extensions?: Readonly<Record<string, unknown>> | undefined;
  /** The shape the body was read as (`'faultline-problem'`, `'github'`, `'google'` …); undefined when no response arrived. */
  readonly envelope?: EnvelopeName | undefined;
  /** The response the error was read from; undefined when none arrived. */
  readonly response?: Response | undefined;
  /** The response's headers; by default those of `response`. */
  readonly headers?: Headers | undefined;
  readonly cause?: unknown;
}

/**
 * The base of every error the client throws. Check `instanceof` a subclass
 * for the category, or compare `code` with a catalog code.
 */
export class FaultlineError extends Error {
  override readonly name: string = 'FaultlineError';
  readonly category: FailureCategory = 'server';
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  readonly method: string;
  readonly url: string;
  readonly requestId: string | undefined;
  readonly body: string | undefined;
  readonly retryAt: Date | undefined;
  readonly fieldErrors: readonly FieldError[];
  readonly attempts: number;
  readonly docsUrl: string | undefined;
  /**
   * The extension members the catalog declares for the code (such as `remaining`
   * on `exceeds_monthly_recipients`), as the body carried them; read them typed
   * after {@link FaultlineError.is}.
   */
  readonly extensions: Readonly<Record<string, unknown>>;
  /**
   * The shape the body was read as: one of our profiles (`'faultline-problem'`
   * …), a foreign API's (`'github'`, `'google'`, `'stripe'` …), a framework's
   * default, or `'text'`, `'html'`, `'empty'`. Undefined when no response
   * arrived. When it is not one of ours, `code` is the foreign API's own.
   */
  readonly envelope: EnvelopeName | undefined;
  /**
   * The response the error was read from, as fetch gave it (its body already
   * read into {@link body}); undefined for a network error, a timeout or input
   * refused before sending.
   */
  readonly response: Response | undefined;
  /**
   * Every header of the response, empty when none arrived: read any the
   * server sends, such as `error.headers.get('ratelimit')`.
   */
  readonly headers: Headers;

  constructor(details: FailureDetails) {
    super(describe(details), details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.detail = details.detail;
    this.method = details.method;
    this.url = details.url;
    this.requestId = details.requestId;
    this.body = details.body;
    this.retryAt = details.retryAt;
    this.fieldErrors = details.fieldErrors ?? [];
    this.attempts = details.attempts ?? 1;
    this.docsUrl = details.docsUrl;
    this.response = details.response;
    this.headers = details.headers ?? details.response?.headers ?? new Headers();
    this.extensions = details.extensions ?? {};
    this.envelope = details.envelope;
  }

  /**
   * Whether the error carries the catalog's `code`, with a status the catalog
   * gives it; if so, its `extensions` are typed from the catalog's declaration
   * for that code. A foreign API's code is compared with `error.code === '…'`.
   *
   * @example
   * if (error.is('exceeds_monthly_recipients')) console.log(error.extensions.remaining); // number | undefined
   */
  is<C extends BuiltinCode>(code: C): this is this & { readonly code: C; readonly extensions: BuiltinExtensions[C] } {
    // A foreign API's code that happens to be one of ours, sent with another status, is not our code:
    // its extensions were not checked against the catalog, and the narrowed type would lie.
    return this.code === code && catalogEntryFor(code, this.status) !== undefined;
  }
}

function describe(details: FailureDetails): string {
  if (details.attempts === 0) return `${details.method} ${details.url} was not sent (${details.code}): ${details.detail}`;
  const status = details.status === 0 ? 'no response' : String(details.status);
  const requestId = details.requestId === undefined ? '' : ` (request id ${details.requestId})`;
  const docs = details.docsUrl === undefined ? '' : ` See ${details.docsUrl}`;
  return `${details.method} ${details.url} failed with ${status} ${details.code}: ${details.detail}${requestId}${docs}`;
}
