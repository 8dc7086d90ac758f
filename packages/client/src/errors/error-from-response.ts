import { codeForStatus, readErrorEnvelope, statusName, type CatalogEntry, type ErrorCategory } from '@faultline/core';
import { AuthenticationError } from './authentication-error.js';
import { catalogEntryFor } from './catalog-entry-for.js';
import { ConflictError } from './conflict-error.js';
import type { FailureDetails, FaultlineError } from './faultline-error.js';
import { NotFoundError } from './not-found-error.js';
import { PermissionError } from './permission-error.js';
import { PreconditionFailedError } from './precondition-failed-error.js';
import { QuotaExceededError } from './quota-exceeded-error.js';
import { RateLimitedError } from './rate-limited-error.js';
import { ServerError } from './server-error.js';
import { TimeoutError } from './timeout-error.js';
import { ValidationError } from './validation-error.js';

type ErrorClass = new (details: FailureDetails) => FaultlineError;

const classByCategory: Readonly<Record<ErrorCategory, ErrorClass>> = {
  invalid_request: ValidationError,
  authentication: AuthenticationError,
  permission: PermissionError,
  not_found: NotFoundError,
  conflict: ConflictError,
  precondition: PreconditionFailedError,
  rate_limit: RateLimitedError,
  quota: QuotaExceededError,
  timeout: TimeoutError,
  server: ServerError,
};

/** The category a status implies when the code is not one the catalog knows. */
function categoryOfStatus(status: number): ErrorCategory {
  switch (status) {
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
    case 410:
      return 'not_found';
    case 408:
      return 'timeout';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition';
    case 429:
      return 'rate_limit';
    default:
      return status >= 500 ? 'server' : 'invalid_request';
  }
}

/** What the factory needs to know about the request and its answer. */
export interface FailedResponse {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** The response itself, kept on the error so a caller can read any header. */
  readonly response?: Response;
  readonly attempts?: number;
  /** The API's error reference, for bodies that do not say where their code is documented. */
  readonly docsUrl?: string | undefined;
}

/**
 * The one place a non-2xx response becomes an error. The body's envelope is
 * read by `readErrorEnvelope` (any Faultline profile, RFC 9457, Stripe,
 * GitHub, Google, Azure, Twilio, JSON:API, GraphQL, framework defaults, text,
 * HTML); the class is that of the category its code has in the catalog when
 * the status agrees, else a rate limit when the answer shows one (GitHub's
 * 403s), else what the status says. A foreign API's code is kept as it wrote it.
 */
export function errorFromResponse(response: FailedResponse): FaultlineError {
  const envelope = readErrorEnvelope(response.status, response.headers, response.body);
  // A catalog code only decides the category when the status agrees with it, so a foreign API
  // that reuses a name (say `conflict` with 400) is still read by its status.
  const entry = envelope.code === undefined ? undefined : catalogEntryFor(envelope.code, response.status);
  const category = entry?.category ?? (envelope.rateLimited ? 'rate_limit' : categoryOfStatus(response.status));
  const code = envelope.code ?? (envelope.rateLimited ? 'limit_reached' : codeForStatus(response.status));
  const ErrorType = classByCategory[category];
  return new ErrorType({
    status: response.status,
    code,
    detail: envelope.message ?? statusName(response.status),
    method: response.method,
    url: response.url,
    requestId: envelope.requestId,
    body: response.body,
    retryAt: envelope.retryAt,
    fieldErrors: envelope.fieldErrors,
    attempts: response.attempts,
    docsUrl: documentation(envelope.docsUrl, code, response),
    extensions: entry === undefined ? envelope.extensions : declaredMembers(entry, envelope.extensions),
    envelope: envelope.name,
    response: response.response,
    headers: response.headers,
  });
}

/**
 * The members the catalog entry declares as extensions, each kept only when
 * its value has the declared type, so the typed view on the error never lies.
 */
function declaredMembers(entry: CatalogEntry, members: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name in entry.extensions) {
    if (!Object.hasOwn(members, name)) continue;
    const value = members[name];
    const fits = entry.extensions[name]?.schema.type === 'integer' ? Number.isSafeInteger(value) : typeof value === 'string';
    if (fits) kept[name] = value;
  }
  return kept;
}

/** An absolute link to the code's documentation: the body's own (resolved against the request), else the configured reference. */
function documentation(fromBody: string | undefined, code: string, response: FailedResponse): string | undefined {
  try {
    if (fromBody !== undefined) return new URL(fromBody, response.url).toString();
    if (response.docsUrl !== undefined)
      return `${new URL(response.docsUrl, response.url).toString().replace(/#.*$/, '')}#${code}`;
  } catch {
    // A malformed link is no link.
  }
  return undefined;
}
