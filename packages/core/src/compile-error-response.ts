import { ApiError } from './api-error.js';
import type { ErrorContext, ProfileName } from './catalog/catalog-entry.js';
import type { Catalog } from './catalog/define-catalog.js';
import { isoTime } from './iso-time.js';
import type { CompiledBodyParts } from './profiles/error-profile.js';
import { profiles } from './profiles/profiles.js';

/** Where {@link compileErrorResponse} writes: the options of `writeErrorResponse` that do not vary per response. */
export interface CompileErrorOptions {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  /** Base URL of the error reference; the code's anchor is appended. */
  readonly docsUrl: string;
  readonly context?: ErrorContext;
}

/** The responses of one catalog code in one profile, whose only variable parts are the detail, request id and time. */
export interface CompiledErrorResponse {
  readonly status: number;
  /** The code written in the body, after the profile's variants. */
  readonly code: string;
  /** The headers every such response has (`content-type`, and `cache-control` on OAuth token errors). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body for one response; `now` is milliseconds since the epoch, `Date.now()` by default. */
  body(detail: string, requestId: string, now?: number): string;
}

/** The parts of an error with nothing but a detail: no field errors, retry time or extension members. */
const noErrors: CompiledBodyParts['errors'] = Object.freeze([]);
const noExtensions: CompiledBodyParts['extensions'] = Object.freeze({});

/**
 * Everything about one code's error responses that does not change from one
 * response to the next, worked out once: for an answer a server gives often
 * and builds itself (an unknown route's 404, say), which then costs no
 * {@link ApiError} and no look-up per response. Writes exactly what
 * `writeErrorResponse(catalog.error(code, { detail }), options)` writes.
 * Undefined when the catalog has no such code.
 *
 * @example
 * ```ts
 * const notFound = compileErrorResponse('not_found', { catalog: builtinCatalog, profile: 'problem', docsUrl: '/docs/errors' });
 * const body = notFound?.body('No operation matches GET /nope.', requestId);
 * // status 404, headers { 'content-type': 'application/problem+json' }
 * ```
 */
export function compileErrorResponse(code: string, options: CompileErrorOptions): CompiledErrorResponse | undefined {
  const context = options.context ?? 'api';
  const resolved = options.catalog.resolve(code, options.profile, context);
  if (resolved === undefined) return undefined;
  const profile = profiles[options.profile];
  const headers: Record<string, string> = { 'content-type': profile.contentType };
  // RFC 6749 section 5.2: token responses, errors included, must not be cached.
  if (context === 'oauth-token') headers['cache-control'] = 'no-store';
  const compiled = profile.compile?.(resolved, options.docsUrl);
  const docsUrl = options.docsUrl;
  return {
    status: resolved.status,
    code: resolved.code,
    headers,
    body(detail, requestId, now = Date.now()) {
      const time = isoTime(now);
      const parts: CompiledBodyParts = { detail, errors: noErrors, retryAt: undefined, extensions: noExtensions };
      const written = compiled?.(parts, requestId, time);
      if (written !== undefined) return written;
      // A profile that compiles no body writes its object, as writeErrorResponse does.
      const error = new ApiError(code, resolved.entry.status, detail);
      return JSON.stringify(profile.body(error, resolved, { requestId, time, docsUrl, context }));
    },
  };
}
