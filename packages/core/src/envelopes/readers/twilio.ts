import type { EnvelopeReader } from '../error-envelope.js';
import { isRecord, numberMember, otherMembers, stringMember, type JsonRecord } from '../members.js';

const modelled = new Set(['code', 'message', 'more_info', 'status']);

/**
 * Twilio's `{code, message, more_info, status}`: a numeric code (`20404`),
 * kept as its decimal string, and `more_info` linking to its page. Code
 * 20429 is Twilio's "Too Many Requests".
 */
export const twilio: EnvelopeReader = {
  name: 'twilio',
  matches: (body) =>
    isRecord(body) &&
    Number.isSafeInteger(body['code']) &&
    (stringMember(body, 'more_info') !== undefined ||
      (stringMember(body, 'message') !== undefined && numberMember(body, 'status') !== undefined)),
  read: (body: JsonRecord) => ({
    code: numberMember(body, 'code'),
    message: stringMember(body, 'message'),
    docsUrl: stringMember(body, 'more_info'),
    rateLimited: numberMember(body, 'code') === 20429,
    status: numberMember(body, 'status'),
    extensions: otherMembers(body, modelled),
  }),
};
