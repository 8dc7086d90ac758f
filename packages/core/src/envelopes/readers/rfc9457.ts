import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, member, numberMember, otherMembers, recordsOf, stringMember, type JsonRecord } from '../members.js';
import { parseIsoTime } from '../retry-times.js';
import { faultlineFieldErrors } from './faultline-field-errors.js';
import { codeOfProblemType, docsOfProblemType } from './problem-type.js';

const modelled = new Set(['type', 'title', 'status', 'detail', 'code', 'errors', 'invalid-params']);

/**
 * RFC 9457 problem details from any server: the code is a `code` member or
 * what the `type` stands for; field errors come from `errors[{pointer, detail}]`
 * or the RFC's example `invalid-params[{name, reason}]`; every extension
 * member (and `instance`) is kept.
 */
export const rfc9457: EnvelopeReader = {
  name: 'rfc9457',
  hasRequestIdPlace: true,
  matches: (body, input) =>
    isRecord(body) &&
    ((input.header('content-type') ?? '').includes('problem+json') ||
      (stringMember(body, 'title') !== undefined &&
        (numberMember(body, 'status') !== undefined || stringMember(body, 'type') !== undefined)) ||
      (stringMember(body, 'type') !== undefined && stringMember(body, 'detail') !== undefined)),
  read: (body: JsonRecord) => {
    const type = stringMember(body, 'type');
    const retryAfter = stringMember(body, 'retry_after');
    return {
      code: stringMember(body, 'code') ?? codeOfProblemType(type),
      message: stringMember(body, 'detail') ?? stringMember(body, 'title'),
      fieldErrors: [...faultlineFieldErrors(body['errors'], true), ...invalidParams(member(body, 'invalid-params'))],
      docsUrl: docsOfProblemType(type),
      requestId: stringMember(body, 'request_id') ?? stringMember(body, 'requestId') ?? stringMember(body, 'traceId'),
      retryAt: retryAfter === undefined ? undefined : parseIsoTime(retryAfter),
      time: stringMember(body, 'time') ?? stringMember(body, 'timestamp'),
      status: numberMember(body, 'status'),
      extensions: otherMembers(body, modelled),
    };
  },
};

function invalidParams(value: unknown): FieldError[] {
  return recordsOf(value).flatMap((item) => {
    const name = stringMember(item, 'name');
    return name === undefined ? [] : [fieldError(pointerOf(name), stringMember(item, 'reason'), undefined)];
  });
}
