import { escapePointerToken, fieldValidationError, type FieldError } from '@faultline/core';
import type { preValidationHookHandler } from 'fastify';

/** At most this many fields are kept; the rest are only counted. */
const maxListed = 100;

/** What the walk found: the first fields with a NUL, and how many there were in all. */
interface Found {
  readonly fields: FieldError[];
  count: number;
}

/**
 * Refuses strings with a NUL character (U+0000) anywhere in the body, the
 * query or the path, naming each field. JSON allows them, but PostgreSQL's
 * text columns cannot store them, and no name, label or address needs one:
 * refused here, they are a 400 naming the field instead of a database error.
 */
export const refuseNulCharacters: preValidationHookHandler = (request, _reply, done) => {
  const found: Found = { fields: [], count: 0 };
  collect(request.body, 'body', found);
  collect(request.query, 'query', found);
  collect(request.params, 'path', found);
  if (found.count === 0) {
    done();
    return;
  }
  done(fieldValidationError(found.fields, { ...request.server.faultline, total: found.count }));
};

function add(found: Found, field: FieldError): void {
  found.count += 1;
  if (found.fields.length < maxListed) found.fields.push(field);
}

/** Walks `root` with a stack of its own, not recursion: a body may nest thousands of levels deep. */
function collect(root: unknown, location: FieldError['location'], found: Found): void {
  const pending: [unknown, string][] = [[root, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, pointer] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        add(found, { pointer, location, code: 'invalid_parameter', detail: 'must not contain the NUL character (U+0000)' });
      }
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) pending.push([value[index], `${pointer}/${index}`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value).reverse()) {
        const escaped = `${pointer}/${escapePointerToken(key)}`;
        if (key.includes('\u0000')) {
          add(found, {
            pointer: escaped,
            location,
            code: 'invalid_parameter',
            detail: 'has the NUL character (U+0000) in its name',
          });
        }
        pending.push([item, escaped]);
      }
    }
  }
}
