import type { FieldError, FieldLocation } from '../api-error.js';
import { escapePointerToken } from '../fields/json-pointer.js';

/**
 * A JSON pointer (RFC 6901) from the ways APIs name a field: a pointer
 * already (`/data/attributes/name`), a dotted path with indexes
 * (`book.authors[0].name`, Google's fieldViolations, Stripe's `param`
 * `items[0][price]`), System.Text.Json's `$.name`, or path segments
 * (`["body", "name"]`).
 */
export function pointerOf(path: string | readonly (string | number)[]): string {
  if (typeof path !== 'string') return path.map((token) => `/${escapePointerToken(String(token))}`).join('');
  if (path === '' || path.startsWith('/')) return path;
  const tokens: string[] = [];
  // `a.b[0][c]` → a, b, 0, c; a `$` root (System.Text.Json) names the body itself.
  for (const part of path.replace(/^\$\.?/, '').split(/\.|\[|\]/)) if (part !== '') tokens.push(part);
  return tokens.map((token) => `/${escapePointerToken(token)}`).join('');
}

/** A field error with the defaults foreign APIs leave out. */
export function fieldError(
  pointer: string,
  detail: string | undefined,
  code: string | undefined,
  location: FieldLocation = 'body',
): FieldError {
  return { pointer, location, code: code ?? 'invalid_parameter', detail: detail ?? '' };
}

/** A code (`missing_field`, `NotBlank`) as words, when an API gives no message for a field. */
export function wordsOf(code: string): string {
  return code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}
