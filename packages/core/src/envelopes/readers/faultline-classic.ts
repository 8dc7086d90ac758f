import { retryAfterSentence } from '../../profiles/classic-profile.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { isRecord, otherMembers, stringMember, type JsonRecord } from '../members.js';
import { parseIsoTime } from '../retry-times.js';
import { faultlineFieldErrors } from './faultline-field-errors.js';

const modelled = new Set(['code', 'error', 'time', 'errors', 'request_id']);

/** Our `classic` profile (seed 000): `{code, error, time}`, `error` a sentence; a rate limit's sentence ends with the retry time. */
export const faultlineClassic: EnvelopeReader = {
  name: 'faultline-classic',
  hasRequestIdPlace: true,
  matches: (body) => isRecord(body) && stringMember(body, 'code') !== undefined && stringMember(body, 'error') !== undefined,
  read: (body: JsonRecord) => {
    const error = stringMember(body, 'error') as string;
    return {
      code: stringMember(body, 'code'),
      message: error,
      fieldErrors: faultlineFieldErrors(body['errors']),
      requestId: stringMember(body, 'request_id'),
      retryAt: error.startsWith(retryAfterSentence) ? parseIsoTime(error.slice(retryAfterSentence.length)) : undefined,
      time: stringMember(body, 'time'),
      extensions: otherMembers(body, modelled),
    };
  },
};
