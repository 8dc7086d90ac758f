import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, otherMembers, recordMember, recordsOf, stringMember, type JsonRecord } from '../members.js';

const modelled = new Set(['code', 'message', 'target', 'details']);

/**
 * Azure's and OData's `{error: {code, message, target, details[], innererror}}`
 * (Microsoft REST API Guidelines, OData JSON format section 21): each detail
 * with a `target` is a field error; `innererror` and the rest are kept. The
 * code may also come in `x-ms-error-code`, the request id in `x-ms-request-id`.
 */
export const azure: EnvelopeReader = {
  name: 'azure',
  matches: (body) => {
    const error = isRecord(body) ? recordMember(body, 'error') : undefined;
    return error !== undefined && stringMember(error, 'message') !== undefined && stringMember(error, 'code') !== undefined;
  },
  read: (body: JsonRecord, input) => {
    const error = recordMember(body, 'error') as JsonRecord;
    const fields: FieldError[] = [];
    for (const detail of recordsOf(error['details'])) {
      const target = stringMember(detail, 'target');
      if (target !== undefined)
        fields.push(fieldError(pointerOf(target), stringMember(detail, 'message'), stringMember(detail, 'code')));
    }
    const target = stringMember(error, 'target');
    if (fields.length === 0 && target !== undefined)
      fields.push(fieldError(pointerOf(target), stringMember(error, 'message'), stringMember(error, 'code')));
    return {
      code: stringMember(error, 'code') ?? input.header('x-ms-error-code'),
      message: stringMember(error, 'message'),
      fieldErrors: fields,
      extensions: otherMembers(error, modelled),
    };
  },
};
