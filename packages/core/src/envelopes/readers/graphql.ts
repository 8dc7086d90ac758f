import type { EnvelopeReader } from '../error-envelope.js';
import { isRecord, member, otherMembers, recordMember, recordsOf, stringMember, type JsonRecord } from '../members.js';

const modelled = new Set(['message']);

/**
 * GraphQL over HTTP's `{errors: [{message, locations, path, extensions}], data}`:
 * the code is the first error's `extensions.code` (Apollo and most servers)
 * or its `type` (GitHub's `RATE_LIMITED`); `locations`, `path` and
 * `extensions` are kept. Paths name places in the answer, not request fields,
 * so there are no field errors.
 */
export const graphql: EnvelopeReader = {
  name: 'graphql',
  matches: (body) => {
    if (!isRecord(body)) return false;
    const first = recordsOf(member(body, 'errors'), 1)[0];
    return first !== undefined && stringMember(first, 'message') !== undefined;
  },
  read: (body: JsonRecord) => {
    const first = recordsOf(body['errors'], 1)[0] as JsonRecord;
    const extensions = recordMember(first, 'extensions');
    const code = (extensions && stringMember(extensions, 'code')) ?? stringMember(first, 'type');
    return {
      code,
      message: stringMember(first, 'message'),
      rateLimited: code === 'RATE_LIMITED',
      extensions: otherMembers(first, modelled),
    };
  },
};
