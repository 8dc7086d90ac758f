import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf, wordsOf } from '../field-paths.js';
import { isRecord, otherMembers, recordsOf, stringMember, type JsonRecord } from '../members.js';
import { afterSeconds } from '../retry-times.js';

const modelled = new Set(['message', 'documentation_url', 'errors']);
const primaryLimit = /\bAPI rate limit exceeded\b/i;
const secondaryLimit = /\bsecondary rate limit\b/i;

/**
 * GitHub's `{message, documentation_url, errors[{resource, field, code}], status}`.
 * It has no code of its own; each field error keeps GitHub's (`missing_field`).
 * Its rate limits come as 403 (or 429): the primary one says "API rate limit
 * exceeded" with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`, the
 * secondary one says "secondary rate limit", sometimes with `Retry-After`;
 * without any header GitHub asks to wait at least a minute.
 */
export const github: EnvelopeReader = {
  name: 'github',
  matches: (body) =>
    isRecord(body) && stringMember(body, 'message') !== undefined && stringMember(body, 'documentation_url') !== undefined,
  read: (body: JsonRecord, input) => {
    const message = stringMember(body, 'message') as string;
    const secondary = secondaryLimit.test(message);
    const toldWhen =
      input.header('retry-after') !== undefined ||
      input.header('x-ratelimit-reset') !== undefined ||
      input.header('ratelimit') !== undefined;
    return {
      message,
      fieldErrors: fieldErrors(body['errors']),
      docsUrl: stringMember(body, 'documentation_url'),
      rateLimited: secondary || primaryLimit.test(message),
      retryAt: secondary && !toldWhen ? afterSeconds(60, input.now) : undefined,
      extensions: otherMembers(body, modelled),
    };
  },
};

function fieldErrors(value: unknown): FieldError[] {
  return recordsOf(value).flatMap((item) => {
    const field = stringMember(item, 'field');
    if (field === undefined) return [];
    const code = stringMember(item, 'code');
    const resource = stringMember(item, 'resource');
    const words = code === undefined ? undefined : `${resource === undefined ? '' : `${resource}.`}${field}: ${wordsOf(code)}`;
    return [fieldError(pointerOf(field), stringMember(item, 'message') ?? words, code)];
  });
}
