import type { EnvelopeReader } from '../error-envelope.js';
import { isRecord, otherMembers, stringMember, type JsonRecord } from '../members.js';
import { parseIsoTime } from '../retry-times.js';
import { faultlineFieldErrors } from './faultline-field-errors.js';

const modelled = new Set(['message', 'description', 'code', 'request_id', 'errors', 'retry_after']);

/** Our `message` profile (seeds 001/003): `message` names the status, `description` says what went wrong. */
export const faultlineMessage: EnvelopeReader = {
  name: 'faultline-message',
  hasRequestIdPlace: true,
  matches: (body) =>
    isRecord(body) && stringMember(body, 'code') !== undefined && stringMember(body, 'description') !== undefined,
  read: (body: JsonRecord) => {
    const retryAfter = stringMember(body, 'retry_after');
    return {
      code: stringMember(body, 'code'),
      message: stringMember(body, 'description'),
      fieldErrors: faultlineFieldErrors(body['errors']),
      requestId: stringMember(body, 'request_id'),
      retryAt: retryAfter === undefined ? undefined : parseIsoTime(retryAfter),
      extensions: otherMembers(body, modelled),
    };
  },
};
