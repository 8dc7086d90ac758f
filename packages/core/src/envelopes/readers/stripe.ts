import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, otherMembers, recordMember, stringMember, type JsonRecord } from '../members.js';

const modelled = new Set(['code', 'message', 'param', 'doc_url']);

/**
 * Stripe's `{error: {type, code, message, param, doc_url, …}}`: the code is
 * `code` when given, else the `type`; `param` (`items[0][price]`) names the
 * failing field; `decline_code`, `type` and the rest are kept as extensions.
 * The request id comes from the `Request-Id` header. A `rate_limit` code is
 * a rate limit whatever the status (Stripe sends some as 400).
 */
export const stripe: EnvelopeReader = {
  name: 'stripe',
  matches: (body) => {
    const error = isRecord(body) ? recordMember(body, 'error') : undefined;
    return error !== undefined && stringMember(error, 'type') !== undefined;
  },
  read: (body: JsonRecord) => {
    const error = recordMember(body, 'error') as JsonRecord;
    const code = stringMember(error, 'code') ?? stringMember(error, 'type');
    const message = stringMember(error, 'message');
    const param = stringMember(error, 'param');
    return {
      code,
      message,
      fieldErrors: param === undefined ? [] : [fieldError(pointerOf(param), message, stringMember(error, 'code'))],
      docsUrl: stringMember(error, 'doc_url'),
      rateLimited: code === 'rate_limit' || stringMember(error, 'type') === 'rate_limit',
      extensions: otherMembers(error, modelled),
    };
  },
};
