import type { FieldError, FieldLocation } from '../../api-error.js';
import { recordsOf, stringMember } from '../members.js';

const locations: ReadonlySet<string> = new Set(['body', 'query', 'path', 'header']);

/**
 * The `errors[]` our profiles write (`{pointer, location, code, detail}`);
 * items without a pointer are skipped. With `fragments`, a pointer written as
 * a URI fragment (`#/age`, as RFC 9457's own example does) is decoded.
 */
export function faultlineFieldErrors(value: unknown, fragments = false): FieldError[] {
  const fields: FieldError[] = [];
  for (const item of recordsOf(value)) {
    const written = stringMember(item, 'pointer');
    if (written === undefined) continue;
    const pointer = fragments && written.startsWith('#/') ? fromFragment(written) : written;
    const location = stringMember(item, 'location');
    fields.push({
      pointer,
      location: location !== undefined && locations.has(location) ? (location as FieldLocation) : 'body',
      code: stringMember(item, 'code') ?? 'invalid_parameter',
      detail: stringMember(item, 'detail') ?? stringMember(item, 'message') ?? '',
    });
  }
  return fields;
}

function fromFragment(fragment: string): string {
  try {
    return decodeURIComponent(fragment.slice(1));
  } catch {
    return fragment.slice(1);
  }
}
