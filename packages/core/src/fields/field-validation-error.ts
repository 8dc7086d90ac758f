import type { ApiError, FieldError } from '../api-error.js';
import type { Catalog } from '../catalog/define-catalog.js';

/** One failing field as a handler reports it; the code defaults to `invalid_parameter`. */
export interface FieldErrorInput {
  /** JSON pointer into the part named by `location` (see `escapePointerToken`); `""` is the whole part. */
  readonly pointer: string;
  readonly location: FieldError['location'];
  /** What is wrong with the field, for a person, e.g. `is required` or `must be an email address`. */
  readonly detail: string;
  /** `missing_parameter` for a field that is absent; `invalid_parameter` (the default) for one that is wrong. */
  readonly code?: string;
}

export interface FieldValidationOptions {
  /** The catalog the error comes from: `missing_parameter` and `invalid_parameter`, else `invalid_request`. */
  readonly catalog: Catalog;
  /** At most this many fields go into `errors[]`. Default: 100. */
  readonly maxFieldErrors?: number;
  /** How many fields failed, when `fields` holds only the first of them. Default: `fields.length`. */
  readonly total?: number;
}

/** At most this many fields are named in the message; `errors[]` lists up to `maxFieldErrors`. */
const namedInDetail = 10;

/**
 * The error for a request whose fields are missing or invalid, worded the
 * same whoever found them (schema validation, a handler's own rule, the
 * client before sending): `missing_parameter` when any field is absent, else
 * `invalid_parameter`, every field in `errors[]` by JSON pointer and the first
 * ten named in the detail. The Fastify plugin's settings (`app.faultline`)
 * are valid options.
 *
 * @example
 * ```ts
 * throw fieldValidationError(
 *   [{ pointer: '/recipients/2/email', location: 'body', detail: 'repeats the address of /recipients/0/email' }],
 *   request.server.faultline,
 * );
 * // 400 invalid_parameter: "One field is missing or invalid: body /recipients/2/email repeats the address of /recipients/0/email."
 * ```
 */
export function fieldValidationError(fields: readonly FieldErrorInput[], options: FieldValidationOptions): ApiError {
  const errors: FieldError[] = fields.slice(0, options.maxFieldErrors ?? 100).map((field) => ({
    pointer: field.pointer,
    location: field.location,
    code: field.code ?? 'invalid_parameter',
    detail: field.detail,
  }));
  const code = fields.some((field) => field.code === 'missing_parameter') ? 'missing_parameter' : 'invalid_parameter';
  const { catalog } = options;
  return catalog.error(catalog.has(code) ? code : 'invalid_request', {
    detail: describeFieldErrors(fields, options.total),
    errors,
  });
}

/**
 * The one sentence that names failing fields, e.g. `2 fields are missing or
 * invalid: path /id must be integer; body /name is required.` The first ten
 * are named; the rest are counted.
 */
export function describeFieldErrors(fields: readonly Omit<FieldErrorInput, 'code'>[], total: number = fields.length): string {
  const named = fields.slice(0, namedInDetail);
  const names = named.map((field) => `${field.location} ${field.pointer === '' ? '(whole)' : field.pointer} ${field.detail}`);
  const count = Math.max(total, fields.length);
  const more = count > named.length ? ` (and ${count - named.length} more)` : '';
  return `${count === 1 ? 'One field is' : `${count} fields are`} missing or invalid: ${names.join('; ')}${more}.`;
}
