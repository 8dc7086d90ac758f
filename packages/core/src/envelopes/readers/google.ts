import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, member, numberMember, recordMember, recordsOf, stringMember, type JsonRecord } from '../members.js';
import { afterSeconds, durationSeconds } from '../retry-times.js';

/** The `google.rpc` detail types read here, by the name after `type.googleapis.com/google.rpc.`. */
type DetailName = 'ErrorInfo' | 'RetryInfo' | 'BadRequest' | 'QuotaFailure' | 'Help' | 'LocalizedMessage' | 'RequestInfo';

/** Reasons of ErrorInfo (and of the older `errors[]`) that say a rate limit or a quota is spent. */
const rateLimitReasons = /rate_?limit|quota|limit_?exceeded/i;

/**
 * Google's AIP-193 `{error: {code, message, status, details[]}}` (also sent
 * as a one-element array by some endpoints), with the `google.rpc` details:
 * ErrorInfo's `reason` is the code (else the canonical `status`), RetryInfo
 * the retry time, BadRequest the field errors, Help the docs link,
 * LocalizedMessage the message, RequestInfo the request id; QuotaFailure
 * and ErrorInfo's `domain` and `metadata` are kept as extensions. The older
 * `errors[{domain, reason, message}]` of v1 APIs is read too (Drive's 403
 * `rateLimitExceeded`).
 */
export const google: EnvelopeReader = {
  name: 'google',
  hasRequestIdPlace: true,
  matches: (body) => {
    const error = errorOf(body);
    if (error === undefined) return false;
    // Azure's `details[]` has no `@type`; Google's numeric `code` or typed details tell them apart.
    const detail = recordsOf(member(error, 'details'), 1)[0];
    return numberMember(error, 'code') !== undefined || (detail !== undefined && stringMember(detail, '@type') !== undefined);
  },
  read: (body: unknown, input) => {
    const error = errorOf(body) as JsonRecord;
    const details = new Map<DetailName, JsonRecord>();
    for (const detail of recordsOf(member(error, 'details'), 50)) {
      const type = stringMember(detail, '@type');
      const name = type?.slice(type.lastIndexOf('.') + 1) as DetailName | undefined;
      if (name !== undefined && !details.has(name)) details.set(name, detail);
    }
    const errorInfo = details.get('ErrorInfo');
    const legacy = recordsOf(member(error, 'errors'), 1)[0];
    const reason = (errorInfo && stringMember(errorInfo, 'reason')) ?? (legacy && stringMember(legacy, 'reason'));
    const status = stringMember(error, 'status');
    const retryDelay = details.get('RetryInfo');
    const delay = retryDelay && stringMember(retryDelay, 'retryDelay');
    const help = recordsOf(details.get('Help')?.['links'], 1)[0];
    const quota = details.get('QuotaFailure');

    const extensions: JsonRecord = {};
    if (status !== undefined) extensions['status'] = status;
    if (errorInfo !== undefined) {
      if (typeof errorInfo['domain'] === 'string') extensions['domain'] = errorInfo['domain'];
      if (isRecord(errorInfo['metadata'])) extensions['metadata'] = errorInfo['metadata'];
    }
    if (quota !== undefined && Array.isArray(quota['violations'])) extensions['quotaViolations'] = quota['violations'];
    if (Array.isArray(error['details'])) extensions['details'] = error['details'];

    return {
      code: reason ?? status,
      message: stringMember(details.get('LocalizedMessage') ?? {}, 'message') ?? stringMember(error, 'message'),
      fieldErrors: fieldViolations(details.get('BadRequest')),
      docsUrl: help && stringMember(help, 'url'),
      requestId: stringMember(details.get('RequestInfo') ?? {}, 'requestId'),
      retryAt: delay === undefined ? undefined : afterSeconds(durationSeconds(delay), input.now),
      rateLimited: status === 'RESOURCE_EXHAUSTED' || (reason !== undefined && rateLimitReasons.test(reason)),
      status: numberMember(error, 'code'),
      extensions,
    };
  },
};

function errorOf(body: unknown): JsonRecord | undefined {
  const outer = Array.isArray(body) ? (body.length === 1 ? body[0] : undefined) : body;
  return isRecord(outer) ? recordMember(outer, 'error') : undefined;
}

function fieldViolations(badRequest: JsonRecord | undefined): FieldError[] {
  if (badRequest === undefined) return [];
  return recordsOf(badRequest['fieldViolations']).map((violation) =>
    fieldError(
      pointerOf(stringMember(violation, 'field') ?? ''),
      stringMember(violation, 'description'),
      stringMember(violation, 'reason'),
    ),
  );
}
