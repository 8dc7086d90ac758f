// Framework-neutral, and meant for @faultline/http's standardSchemaFieldErrors: kept here until it moves there.
import { escapePointerToken, type FieldError, type FieldLocation } from '@faultline/core';
import { standardSchemaFieldErrors, type StandardSchemaV1 } from '@faultline/http';

/** The detail of a member the schema does not allow, as the JSON Schema path words it. */
const unknownMemberDetail = 'is not a field this operation accepts';

type Segment = PropertyKey | StandardSchemaV1.PathSegment;
const keyOf = (segment: Segment): PropertyKey => (typeof segment === 'object' ? segment.key : segment);
const pointerOf = (path: readonly Segment[]): string =>
  path.map((segment) => `/${escapePointerToken(String(keyOf(segment)))}`).join('');

/** The value at `path` in `input`, or undefined. */
function valueAt(input: unknown, path: readonly Segment[]): unknown {
  let value = input;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[keyOf(segment)];
  }
  return value;
}

/**
 * The members a strict object refused, when the issue is one: zod's
 * `unrecognized_keys` (one issue naming every key, at the object's path) and
 * valibot's `strict_object` issue at a key the input has (a missing key has
 * the same type, at a key the input lacks).
 */
function unknownMembers(issue: StandardSchemaV1.Issue, input: unknown): readonly Segment[][] | undefined {
  const path = issue.path ?? [];
  const details = issue as StandardSchemaV1.Issue & { code?: unknown; keys?: unknown; type?: unknown };
  if (details.code === 'unrecognized_keys' && Array.isArray(details.keys))
    return details.keys.filter((key): key is string => typeof key === 'string').map((key) => [...path, key]);
  if (details.type === 'strict_object' && path.length > 0 && valueAt(input, path) !== undefined) return [[...path]];
  return undefined;
}

/**
 * The field errors of Standard Schema issues, as `standardSchemaFieldErrors`
 * of `@faultline/http` gives them, except that a member a strict object does
 * not allow is named by its own pointer with the words JSON Schema failures
 * get (`invalid_parameter` "is not a field this operation accepts"), whether
 * zod (one issue for all of them, at the object) or valibot (one per key)
 * found it: the same body for the same mistake whichever validator runs.
 */
export function fieldErrorsOfIssues(
  issues: readonly StandardSchemaV1.Issue[],
  location: FieldLocation,
  input: unknown,
): FieldError[] {
  const fields: FieldError[] = [];
  for (const issue of issues) {
    const unknown = unknownMembers(issue, input);
    if (unknown === undefined) fields.push(...standardSchemaFieldErrors([issue], location, input));
    else
      for (const path of unknown)
        fields.push({ pointer: pointerOf(path), location, code: 'invalid_parameter', detail: unknownMemberDetail });
  }
  return fields;
}
