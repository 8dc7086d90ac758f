import type { FieldError } from '../../api-error.js';
import type { EnvelopeReader } from '../error-envelope.js';
import { fieldError, pointerOf } from '../field-paths.js';
import { isRecord, stringMember, type JsonRecord } from '../members.js';

/** DRF's name for errors of the whole object. */
const wholeObject = 'non_field_errors';

/**
 * Django REST framework's answers: `{"detail": "Not found."}` (with `code`
 * when a handler adds it; FastAPI's `HTTPException` writes the same), and
 * validation errors as a map from field to messages, nested for nested
 * serializers and lists: `{"email": ["Enter a valid email address."],
 * "items": [{}, {"qty": ["…"]}], "non_field_errors": ["…"]}`. A throttled
 * answer's message names the wait ("Expected available in 56 seconds.").
 */
export const djangoRestFramework: EnvelopeReader = {
  name: 'django-rest-framework',
  matches: (body) => {
    if (!isRecord(body)) return false;
    const names = Object.keys(body);
    if (stringMember(body, 'detail') !== undefined) return names.every((name) => name === 'detail' || name === 'code');
    return names.length > 0 && names.every((name) => isMessages(body[name], 0));
  },
  read: (body: JsonRecord) => {
    const detail = stringMember(body, 'detail');
    if (detail !== undefined) return { message: detail, code: stringMember(body, 'code') };
    const fields: FieldError[] = [];
    collect(body, [], fields);
    const first = fields[0];
    const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
    return {
      message:
        first === undefined ? undefined : `${first.pointer === '' ? '' : `${first.pointer.slice(1)}: `}${first.detail}${more}`,
      fieldErrors: fields,
    };
  },
};

/** A list of messages, or a map or list of such, a few levels deep. */
function isMessages(value: unknown, depth: number): boolean {
  if (depth > 4) return false;
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string' || isMessages(item, depth + 1));
  return isRecord(value) && Object.values(value).every((item) => isMessages(item, depth + 1));
}

function collect(value: unknown, path: (string | number)[], fields: FieldError[]): void {
  if (fields.length >= 1000 || path.length > 5) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === 'string') fields.push(fieldError(pointerOf(path), item, undefined));
      else collect(item, [...path, index], fields);
    });
  } else if (isRecord(value)) {
    for (const [name, item] of Object.entries(value)) collect(item, name === wholeObject ? path : [...path, name], fields);
  }
}
