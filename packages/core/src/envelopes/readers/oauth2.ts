import type { EnvelopeReader } from '../error-envelope.js';
import { isRecord, otherMembers, stringMember, type JsonRecord } from '../members.js';
import { parseIsoTime } from '../retry-times.js';
import { faultlineFieldErrors } from './faultline-field-errors.js';

const codeLike = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
const modelled = new Set(['error', 'error_description', 'error_uri', 'message', 'errors', 'retry_after', 'request_id']);

/**
 * RFC 6749 section 5.2, `{error, error_description, error_uri}`: our `oauth`
 * profile, any OAuth 2 server, and seed 002's `{error, message}`.
 */
export const oauth2: EnvelopeReader = {
  name: 'oauth2',
  hasRequestIdPlace: true,
  matches: (body) => {
    if (!isRecord(body)) return false;
    const error = stringMember(body, 'error');
    return error !== undefined && codeLike.test(error);
  },
  read: (body: JsonRecord) => {
    const retryAfter = stringMember(body, 'retry_after');
    return {
      code: stringMember(body, 'error'),
      message: stringMember(body, 'error_description') ?? stringMember(body, 'message'),
      fieldErrors: faultlineFieldErrors(body['errors']),
      docsUrl: stringMember(body, 'error_uri'),
      requestId: stringMember(body, 'request_id'),
      retryAt: retryAfter === undefined ? undefined : parseIsoTime(retryAfter),
      extensions: otherMembers(body, modelled),
    };
  },
};
