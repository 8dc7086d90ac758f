import type { FieldError } from '@faultline/core';
import type { FastifyRequest } from 'fastify';
import { collectFieldErrors } from './validation-errors.js';
import { isPartialReport } from '@faultline/http/ajv';

export { partialValidationNote } from '@faultline/http/ajv';

/**
 * Whether the schema failures of a request on a route with
 * `attachValidation: true` are the first one only, its body being too large to
 * list them all cheaply: add {@link partialValidationNote} to the detail.
 *
 * @example
 * ```ts
 * const error = fieldValidationError(fields, request.server.faultline);
 * if (isPartialValidation(request)) throw catalog.error(error.code, { detail: error.detail + partialValidationNote, errors: error.errors });
 * ```
 */
export function isPartialValidation(request: FastifyRequest): boolean {
  const failed = request.validationError as (Error & { validation?: unknown }) | undefined;
  return failed !== undefined && Array.isArray(failed.validation) && isPartialReport(failed.validation);
}

/**
 * The failing fields of a request on a route with `attachValidation: true`,
 * every part checked, exactly as the plugin would have reported them; empty
 * when the request passed its schema. Add the handler's own failures and
 * throw them as one error with `fieldValidationError` from `@faultline/core`.
 *
 * @example
 * ```ts
 * const fields = [...validationFieldErrors(request), ...duplicates];
 * if (fields.length > 0) throw fieldValidationError(fields, request.server.faultline);
 * ```
 */
export function validationFieldErrors(request: FastifyRequest): FieldError[] {
  const failed = request.validationError as (Error & { validation?: unknown; validationContext?: unknown }) | undefined;
  if (failed === undefined || !Array.isArray(failed.validation)) return [];
  return collectFieldErrors(request, String(failed.validationContext), failed.validation);
}
