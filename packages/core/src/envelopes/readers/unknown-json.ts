import type { EnvelopeReader } from '../error-envelope.js';
import { codeMember, isRecord, otherMembers, recordMember, stringMember } from '../members.js';
import { parseIsoTime } from '../retry-times.js';
import { faultlineFieldErrors } from './faultline-field-errors.js';

const modelled = new Set([
  'code',
  'error',
  'message',
  'detail',
  'description',
  'title',
  'error_description',
  'errors',
  'request_id',
  'requestId',
]);

/**
 * Any other JSON: the members most APIs use, best first — `code` (or the
 * nested `error.code`/`error.type`, or `error_code`), and a message from
 * `error.message`, `error`, `detail`, `description`, `message` or `title`.
 */
export const unknownJson: EnvelopeReader = {
  name: 'json',
  matches: (body) => typeof body !== 'string' && body !== undefined,
  read: (body: unknown) => {
    if (!isRecord(body)) return {};
    const error = recordMember(body, 'error');
    const retryAfter = stringMember(body, 'retry_after');
    return {
      code:
        codeMember(body, 'code') ??
        (error && (codeMember(error, 'code') ?? stringMember(error, 'type'))) ??
        codeMember(body, 'error_code') ??
        codeMember(body, 'errorCode'),
      message:
        (error && stringMember(error, 'message')) ??
        stringMember(body, 'error') ??
        stringMember(body, 'detail') ??
        stringMember(body, 'description') ??
        stringMember(body, 'message') ??
        stringMember(body, 'title') ??
        stringMember(body, 'error_description'),
      fieldErrors: faultlineFieldErrors(body['errors']),
      docsUrl: stringMember(body, 'error_uri'),
      requestId: stringMember(body, 'request_id') ?? stringMember(body, 'requestId'),
      retryAt: retryAfter === undefined ? undefined : parseIsoTime(retryAfter),
      time: stringMember(body, 'time'),
      extensions: otherMembers(body, modelled),
    };
  },
};
