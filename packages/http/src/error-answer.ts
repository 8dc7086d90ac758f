import { writeErrorResponse, type ApiError, type ErrorContext, type ProfileName } from '@faultline/core';
import { defaultChallenge } from './authentication-challenge.js';
import { chooseProfile } from './choose-profile.js';
import { internalError } from './internal-error.js';
import type { ContractLogger } from './logger.js';
import { requestIdHeader } from './request-id.js';
import type { ContractSettings } from './settings.js';

/** What a route says about its errors: a forced profile, and where it sits. */
export interface RouteContract {
  /** Forces a profile on this route whatever the client accepts (OAuth2 endpoints always speak `oauth`). */
  readonly profile?: ProfileName;
  /** Where the route sits, which can change a code's status (see the catalog's variants). */
  readonly context?: ErrorContext;
}

/** What {@link errorAnswer} needs to know of the request. */
export interface ErrorAnswerRequest {
  /** The request's id, echoed in `x-request-id` and in the body. */
  readonly id: string;
  /** The request's `Accept` header, which may ask for problem+json. */
  readonly accept?: string | null | undefined;
  /** The matched route's contract, if any. */
  readonly route?: RouteContract | undefined;
  /** Where a code outside the catalog is reported (a bug of the app's); `error` is called once. */
  readonly log?: Pick<ContractLogger, 'error'> | undefined;
  /**
   * Whether the answer already carries a `WWW-Authenticate` the app set
   * itself, which the default challenge then leaves alone; asked only for a
   * 401 or 403.
   */
  readonly hasChallenge?: (() => boolean) | undefined;
}

/** A whole error answer, ready to write: status, headers (names in lower case) and the body's text. */
export interface ErrorAnswer {
  readonly status: number;
  /** The code the body carries: the error's, or `internal_error` for a code outside the catalog. */
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Turns an {@link ApiError} into the whole answer, in the profile this
 * request gets (see `chooseProfile`): the status, the body, and every header
 * the contract sends with it: `content-type`, `retry-after`, `cache-control`,
 * the error's own (`allow`, ...), `x-request-id`, and for a 401 or a 403 for
 * want of scope the default `www-authenticate` challenge (unless the app set
 * one itself: see `hasChallenge`). A code outside the catalog is
 * logged and answered as `internal_error`. The one place every adapter's
 * error answers come from.
 *
 * @example
 * ```ts
 * const answer = errorAnswer(error, settings, { id: requestId, accept: request.headers.get('accept') });
 * return new Response(answer.body, { status: answer.status, headers: answer.headers });
 * ```
 */
export function errorAnswer(error: ApiError, settings: ContractSettings, request: ErrorAnswerRequest): ErrorAnswer {
  const route = request.route;
  const requestId = request.id;
  const context = route?.context;
  const options = {
    catalog: settings.catalog,
    profile: chooseProfile(route?.profile, request.accept, settings.profile),
    requestId,
    docsUrl: settings.docsUrl,
    classicFieldErrors: settings.classicFieldErrors,
    ...(context ? { context } : {}),
  };
  let response = writeErrorResponse(error, options);
  if (response === undefined) {
    // A code outside the catalog is a bug in the app, not in the request.
    request.log?.error(
      { code: error.code },
      `Error code "${error.code}" is not in the catalog; answering internal_error instead.`,
    );
    response = writeErrorResponse(internalError(settings.catalog, requestId), options);
    if (response === undefined) throw new TypeError('The catalog has no internal_error entry.');
  }
  // writeErrorResponse builds a fresh headers object per answer: completed in place, not copied.
  const headers = response.headers as Record<string, string>;
  headers[requestIdHeader] = requestId;
  const status = response.status;
  if ((status === 401 || status === 403) && headers['www-authenticate'] === undefined && request.hasChallenge?.() !== true) {
    const codes = [error.code, response.code];
    const challenge = defaultChallenge(settings.realm, status, codes, error.detail, error.extensions['scope']);
    if (challenge !== undefined) headers['www-authenticate'] = challenge;
  }
  return response;
}
