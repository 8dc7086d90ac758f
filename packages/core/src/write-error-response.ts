import type { ApiError } from './api-error.js';
import type { ErrorContext, ProfileName } from './catalog/catalog-entry.js';
import type { Catalog, ResolvedCode } from './catalog/define-catalog.js';
import { isoTime } from './iso-time.js';
import type { CompiledBody, ErrorProfile } from './profiles/error-profile.js';
import { profiles } from './profiles/profiles.js';

/** A complete error response, ready to send with any HTTP server. */
export interface ErrorResponse {
  readonly status: number;
  /** The code written in the body, after the profile's variants. */
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WriteErrorOptions {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly requestId: string;
  /** Base URL of the error reference; each code's anchor is appended. */
  readonly docsUrl: string;
  readonly context?: ErrorContext;
  /**
   * Classic profile only: also write the `errors[]` member for field errors.
   * Off by default, so the body is exactly seed 000's `{code, error, time}`.
   */
  readonly classicFieldErrors?: boolean;
  /** Milliseconds since the epoch; `Date.now()` by default. */
  readonly now?: number;
}

/**
 * Turns an {@link ApiError} into status, headers and body for a profile.
 * Returns undefined when the error's code is not in the catalog, so the
 * caller can treat that as the programming error it is.
 */
export function writeErrorResponse(error: ApiError, options: WriteErrorOptions): ErrorResponse | undefined {
  const context = options.context ?? 'api';
  const found = options.catalog.resolve(error.code, options.profile, context);
  if (found === undefined) return undefined;
  // A status given explicitly on the error wins over the catalog's.
  const resolved: ResolvedCode = error.status === found.entry.status ? found : { ...found, status: error.status };
  const now = options.now ?? Date.now();
  const profile = profiles[options.profile];
  const time = isoTime(now);
  // The catalog's own resolution is the same object every time: its compiled body is kept with it.
  const compiled = resolved === found ? compiledBody(profile, found, options.docsUrl) : undefined;
  const body =
    compiled?.(error, options.requestId, time) ??
    JSON.stringify(
      profile.body(error, resolved, {
        requestId: options.requestId,
        time,
        docsUrl: options.docsUrl,
        context,
        classicFieldErrors: options.classicFieldErrors === true,
      }),
    );
  const headers: Record<string, string> = { 'content-type': profile.contentType };
  const retryAfter = error.retryAfterSeconds(now);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  // RFC 6749 section 5.2: token responses, errors included, must not be cached.
  if (context === 'oauth-token') {
    headers['cache-control'] = 'no-store';
  }
  for (const name in error.headers) headers[name.toLowerCase()] = error.headers[name] as string;
  return { status: resolved.status, code: resolved.code, headers, body };
}

/** Compiled bodies by resolved code, then by docs URL (one or two per app). */
const compiledBodies = new WeakMap<ResolvedCode, Map<string, CompiledBody | undefined>>();

/** The resolved code's compiled body for this docs URL, compiled on first use; undefined for a profile that compiles none. */
function compiledBody(profile: ErrorProfile, resolved: ResolvedCode, docsUrl: string): CompiledBody | undefined {
  let byDocsUrl = compiledBodies.get(resolved);
  if (byDocsUrl === undefined) {
    byDocsUrl = new Map();
    compiledBodies.set(resolved, byDocsUrl);
  }
  let compiled = byDocsUrl.get(docsUrl);
  if (compiled === undefined && !byDocsUrl.has(docsUrl)) {
    compiled = profile.compile?.(resolved, docsUrl);
    // A docs URL per request (never the case in practice) must not grow the map without end.
    if (byDocsUrl.size >= 8) byDocsUrl.clear();
    byDocsUrl.set(docsUrl, compiled);
  }
  return compiled;
}
