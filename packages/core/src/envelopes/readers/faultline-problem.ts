import type { EnvelopeReader } from '../error-envelope.js';
import { isRecord, numberMember, otherMembers, stringMember, type JsonRecord } from '../members.js';
import { parseIsoTime } from '../retry-times.js';
import { faultlineFieldErrors } from './faultline-field-errors.js';

const modelled = new Set(['type', 'title', 'status', 'detail', 'code', 'request_id', 'time', 'errors', 'retry_after']);

/** Our `problem` profile: RFC 9457 with the `code`, `request_id`, `time`, `errors[]` and `retry_after` members. */
export const faultlineProblem: EnvelopeReader = {
  name: 'faultline-problem',
  hasRequestIdPlace: true,
  matches: (body) => isRecord(body) && stringMember(body, 'code') !== undefined && stringMember(body, 'type') !== undefined,
  read: (body: JsonRecord) => {
    const type = stringMember(body, 'type');
    const retryAfter = stringMember(body, 'retry_after');
    return {
      code: stringMember(body, 'code'),
      message: stringMember(body, 'detail') ?? stringMember(body, 'title'),
      fieldErrors: faultlineFieldErrors(body['errors']),
      docsUrl: type === 'about:blank' ? undefined : type,
      requestId: stringMember(body, 'request_id'),
      retryAt: retryAfter === undefined ? undefined : parseIsoTime(retryAfter),
      time: stringMember(body, 'time'),
      status: numberMember(body, 'status'),
      extensions: otherMembers(body, modelled),
    };
  },
};
