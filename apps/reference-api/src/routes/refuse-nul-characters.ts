import { builtinCatalog, type FieldError } from '@faultline/core';
import type { preValidationHookHandler } from 'fastify';

/** At most this many fields are named; the count says how many there were. */
const maxListed = 100;

/**
 * Refuses strings with a NUL character (U+0000) anywhere in the body, the
 * query or the path, naming each field. JSON allows them, but PostgreSQL's
 * text columns cannot store them, and no name, label or address needs one:
 * refused here, they are a 400 naming the field instead of a database error.
 */
export const refuseNulCharacters: preValidationHookHandler = (request, _reply, done) => {
  const found: FieldError[] = [];
  collect(request.body, 'body', found);
  collect(request.query, 'query', found);
  collect(request.params, 'path', found);
  if (found.length === 0) {
    done();
    return;
  }
  const named = found.slice(0, maxListed);
  done(
    builtinCatalog.error('invalid_parameter', {
      detail: `${found.length === 1 ? 'One field contains' : `${found.length} fields contain`} the NUL character (U+0000), which no text here may hold: ${named.map((error) => `${error.location} ${error.pointer}`).join(', ')}${found.length > named.length ? ', …' : ''}.`,
      errors: named,
    }),
  );
};

/** Walks `root` with a stack of its own, not recursion: a body may nest thousands of levels deep. */
function collect(root: unknown, location: FieldError['location'], found: FieldError[]): void {
  const pending: [unknown, string][] = [[root, '']];
  for (let next = pending.pop(); next !== undefined && found.length <= maxListed; next = pending.pop()) {
    const [value, pointer] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        found.push({ pointer, location, code: 'invalid_parameter', detail: 'must not contain the NUL character' });
      }
    } else if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) pending.push([value[index], `${pointer}/${index}`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value).reverse()) {
        const escaped = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (key.includes('\u0000')) {
          found.push({ pointer: escaped, location, code: 'invalid_parameter', detail: 'has the NUL character in its name' });
        }
        pending.push([item, escaped]);
      }
    }
  }
}
