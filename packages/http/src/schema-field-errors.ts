import { escapePointerToken, type FieldError, type FieldLocation } from '@faultline/core';

/** The detail of a member the schema does not allow, whichever validator found it. */
export const unknownMemberDetail = 'is not a field this operation accepts';

/**
 * One failure as JSON Schema validators report it: Ajv's `ErrorObject`, and
 * Fastify's schema errors, which are the same.
 */
export interface SchemaFailure {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: object;
  readonly message?: string | undefined;
}

/**
 * The field error of one JSON Schema failure, by JSON pointer: a missing
 * required property is `missing_parameter` "is required", a property the
 * schema does not allow is `invalid_parameter` "is not a field this operation
 * accepts", anything else `invalid_parameter` with the validator's message.
 *
 * @example
 * ```ts
 * if (!validate(body)) throw fieldValidationError(validate.errors!.map((each) => schemaFieldError(each, 'body')), settings);
 * ```
 */
export function schemaFieldError(failure: SchemaFailure, location: FieldLocation): FieldError {
  const params = failure.params as Record<string, unknown>;
  const path = failure.instancePath;
  if (failure.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    return {
      pointer: `${path}/${escapePointerToken(params['missingProperty'])}`,
      location,
      code: 'missing_parameter',
      detail: 'is required',
    };
  }
  if (failure.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    return {
      pointer: `${path}/${escapePointerToken(params['additionalProperty'])}`,
      location,
      code: 'invalid_parameter',
      detail: unknownMemberDetail,
    };
  }
  return { pointer: path, location, code: 'invalid_parameter', detail: failure.message ?? `fails the "${failure.keyword}" rule` };
}

/**
 * The field error of a route that expects a body and got none: a missing
 * parameter, not a wrong one.
 */
export const missingBodyFieldError: FieldError = {
  pointer: '',
  location: 'body',
  code: 'missing_parameter',
  detail: 'is required: send a JSON body',
};
