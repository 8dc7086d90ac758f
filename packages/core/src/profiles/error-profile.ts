import type { ApiError } from '../api-error.js';
import type { ErrorContext, ProfileName } from '../catalog/catalog-entry.js';
import type { ResolvedCode } from '../catalog/define-catalog.js';

/** What a profile needs to know about the response it writes. */
export interface WriteContext {
  readonly requestId: string;
  /** When the error happened, as an ISO-8601 string. */
  readonly time: string;
  /** Where the docs for the codes live; a code's anchor is `${docsUrl}#${code}`. */
  readonly docsUrl: string;
  readonly context?: ErrorContext;
  /** Classic profile: add the `errors[]` member to field errors. Off by default: seed 000's body is exactly `{code, error, time}`. */
  readonly classicFieldErrors?: boolean;
}

/**
 * A wire format for errors. A profile only shapes the body; the catalog has
 * already chosen the code and status it writes (see `Catalog.resolve`).
 */
export interface ErrorProfile {
  readonly name: ProfileName;
  /**
   * The media type of the body, bare: `application/problem+json`. JSON defines
   * no `charset` parameter (RFC 8259 section 11), and strict RFC 9457 parsers
   * compare the media type exactly.
   */
  readonly contentType: string;
  /** The body as a plain object, ready for `JSON.stringify`. */
  body(error: ApiError, resolved: ResolvedCode, context: WriteContext): Record<string, unknown>;
  /**
   * The body of one resolved code, compiled once: what every response of that
   * code shares is written ahead as JSON text, and only the variable parts
   * (detail, request id, time) are filled in per response. Writes exactly
   * `JSON.stringify(body(...))`; an error it does not cover (field errors, say)
   * gets undefined and goes through {@link body}.
   */
  compile?(resolved: ResolvedCode, docsUrl: string): CompiledBody;
}

/**
 * What a compiled body reads of its error: the parts that vary between two
 * responses of one code. An {@link ApiError} has them; so does a plain object,
 * for an answer that needs no error object at all (see `compileErrorResponse`).
 */
export type CompiledBodyParts = Pick<ApiError, 'detail' | 'errors' | 'retryAt' | 'extensions'>;

/** A body writer for one code (see {@link ErrorProfile.compile}): the JSON text, or undefined to use `body`. */
export type CompiledBody = (error: CompiledBodyParts, requestId: string, time: string) => string | undefined;
