import type { ErrorProfile } from './error-profile.js';
import { fieldErrorsMember } from './field-errors.js';

/** The sentence the classic format uses to say when a rate-limited client may try again. */
export const retryAfterSentence = 'Please wait and try again after: ';

/**
 * Seed 000's body, exactly `{code, error, time}`, where `error` is a message
 * for a person; for field errors the message names the failing fields. With
 * the `classicFieldErrors` option, field errors also get the `errors[]`
 * member the other profiles write, for clients that read fields by pointer.
 */
export const classicProfile: ErrorProfile = {
  name: 'classic',
  contentType: 'application/json',
  body(error, resolved, context) {
    const rateLimited = resolved.entry.category === 'rate_limit' && error.retryAt !== undefined;
    const body: Record<string, unknown> = {
      code: resolved.code,
      error: rateLimited ? retryAfterSentence + error.retryAt.toISOString() : error.detail,
      time: context.time,
    };
    if (context.classicFieldErrors === true && error.errors.length > 0) body['errors'] = fieldErrorsMember(error.errors);
    return body;
  },
  compile(resolved) {
    const head = `{"code":${JSON.stringify(resolved.code)},"error":`;
    const rateLimit = resolved.entry.category === 'rate_limit';
    return (error, _requestId, time) => {
      if (error.errors.length > 0) return undefined;
      const message = rateLimit && error.retryAt !== undefined ? retryAfterSentence + error.retryAt.toISOString() : error.detail;
      return `${head}${JSON.stringify(message)},"time":${JSON.stringify(time)}}`;
    };
  },
};
