import { escapePointerToken, type FieldError, type FieldLocation } from '@faultline/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { missingBodyFieldError, unknownMemberDetail } from './schema-field-errors.js';

export type { StandardSchemaV1 } from '@standard-schema/spec';

/** The key of one step of an issue's path, whichever form the library wrote it in. */
function keyOf(segment: PropertyKey | StandardSchemaV1.PathSegment): PropertyKey {
  return typeof segment === 'object' ? segment.key : segment;
}

type Segment = PropertyKey | StandardSchemaV1.PathSegment;

/** The value at `path` in `input`, or undefined. */
function valueAt(input: unknown, path: readonly Segment[]): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[keyOf(segment)];
  }
  return value;
}

function pointerOf(path: readonly Segment[]): string {
  let pointer = '';
  for (const segment of path) pointer += `/${escapePointerToken(String(keyOf(segment)))}`;
  return pointer;
}

/**
 * The members a strict object refused, when the issue is one: zod's
 * `unrecognized_keys` (one issue naming every key, at the object's path) and
 * valibot's `strict_object` issue at a key the input has (a missing key has
 * the same type, at a key the input lacks).
 */
function unknownMembers(issue: StandardSchemaV1.Issue, input: unknown): Segment[][] | undefined {
  const path = issue.path ?? [];
  const details = issue as StandardSchemaV1.Issue & { code?: unknown; keys?: unknown; type?: unknown };
  if (details.code === 'unrecognized_keys' && Array.isArray(details.keys))
    return details.keys.filter((key): key is string => typeof key === 'string').map((key) => [...path, key]);
  if (details.type === 'strict_object' && path.length > 0 && valueAt(input, path) !== undefined) return [[...path]];
  return undefined;
}

/**
 * The field errors of Standard Schema issues (https://standardschema.dev:
 * zod, valibot, ArkType and others), by JSON pointer, as JSON Schema failures
 * give them: each issue's `path` of keys or `{ key }` segments becomes a
 * pointer; a field the input lacks is `missing_parameter` "is required" (a
 * body missing whole, "is required: send a JSON body"); a member a strict
 * object does not allow is named by its own pointer with JSON Schema's words,
 * whether zod (one issue for all of them) or valibot (one per member) found
 * it; any other is `invalid_parameter` with the library's message.
 *
 * @example
 * ```ts
 * const result = await schema['~standard'].validate(body);
 * if (result.issues) throw fieldValidationError(standardSchemaFieldErrors(result.issues, 'body', body), settings);
 * // [{ pointer: '/name', location: 'body', code: 'invalid_parameter', detail: 'Too small: expected string to have >=1 characters' }]
 * ```
 */
export function standardSchemaFieldErrors(
  issues: readonly StandardSchemaV1.Issue[],
  location: FieldLocation,
  input: unknown,
): FieldError[] {
  return issues.flatMap((issue): FieldError[] => {
    const path = issue.path ?? [];
    if (path.length === 0 && input === undefined && location === 'body') return [missingBodyFieldError];
    const unknown = unknownMembers(issue, input);
    if (unknown !== undefined)
      return unknown.map((member) => ({
        pointer: pointerOf(member),
        location,
        code: 'invalid_parameter',
        detail: unknownMemberDetail,
      }));
    const pointer = pointerOf(path);
    if (valueAt(input, path) === undefined) return [{ pointer, location, code: 'missing_parameter', detail: 'is required' }];
    return [{ pointer, location, code: 'invalid_parameter', detail: issue.message }];
  });
}

/** A value a schema checked: its output, or the failing fields. */
export type StandardSchemaValidation<Output> =
  { readonly value: Output; readonly fields?: undefined } | { readonly fields: FieldError[]; readonly value?: undefined };

/**
 * Validates one part of a request (its body, path parameters, query or
 * headers) with a Standard Schema, and gives its output or its failing fields
 * by JSON pointer ({@link standardSchemaFieldErrors}). Synchronous when the
 * schema is.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * const checked = await validateStandardSchema(z.object({ name: z.string().min(1) }), body, 'body');
 * if (checked.fields) throw fieldValidationError(checked.fields, settings);
 * checked.value.name; // a string
 * ```
 */
export function validateStandardSchema<Schema extends StandardSchemaV1>(
  schema: Schema,
  input: unknown,
  location: FieldLocation,
):
  | StandardSchemaValidation<StandardSchemaV1.InferOutput<Schema>>
  | Promise<StandardSchemaValidation<StandardSchemaV1.InferOutput<Schema>>> {
  type Output = StandardSchemaV1.InferOutput<Schema>;
  const settle = (result: StandardSchemaV1.Result<Output>): StandardSchemaValidation<Output> =>
    result.issues === undefined ? { value: result.value } : { fields: standardSchemaFieldErrors(result.issues, location, input) };
  const result = schema['~standard'].validate(input) as
    StandardSchemaV1.Result<Output> | Promise<StandardSchemaV1.Result<Output>>;
  return result instanceof Promise ? result.then(settle) : settle(result);
}
