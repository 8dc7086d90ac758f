import type { FieldError, FieldLocation } from '../../api-error.js';
import { recordsOf, stringMember } from '../members.js';

const locations: ReadonlySet<string> = new Set(['body', 'query', 'path', 'header']);

/** The `errors[]` our profiles write (`{pointer, location, code, detail}`); items without a pointer are skipped. */
export function faultlineFieldErrors(value: unknown): FieldError[] {
  const fields: FieldError[] = [];
  for (const item of recordsOf(value)) {
    const pointer = stringMember(item, 'pointer');
    if (pointer === undefined) continue;
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
