import type { FieldError } from '../api-error.js';

/** The `errors` member every profile writes when an error is about fields. */
export function fieldErrorsMember(errors: readonly FieldError[]): Record<string, unknown>[] {
  return errors.map((field) => ({ pointer: field.pointer, location: field.location, code: field.code, detail: field.detail }));
}
