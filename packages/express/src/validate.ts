import { fieldValidationError, type FieldErrorInput, type FieldLocation } from '@faultline/core';
import { missingBodyFieldError, schemaFieldError, validateStandardSchema, type StandardSchemaV1 } from '@faultline/http';
import { createAjvCompiler, isPartialReport, partialValidationNote, type RequestPart } from '@faultline/http/ajv';
import { contractOf, type ExpressRequest, type Middleware } from './request-state.js';

/**
 * A schema for one part of a request: a Standard Schema (zod, valibot,
 * ArkType and others: any object with a `~standard` member), or a JSON
 * Schema object checked with Ajv (bodies strictly, path and query values
 * coerced from their strings to the schema's types).
 */
export type RequestSchema = object;

/** The schemas of the parts of a request; a part without one is not checked. */
export interface ValidateSchemas {
  readonly params?: RequestSchema;
  readonly query?: RequestSchema;
  readonly body?: RequestSchema;
  readonly headers?: RequestSchema;
}

type Part = keyof ValidateSchemas;

/** The parts in the order their failures are listed: where the request goes, then what it carries. */
const parts: readonly Part[] = ['params', 'body', 'query', 'headers'];
const locations: Readonly<Record<Part, FieldLocation>> = { params: 'path', body: 'body', query: 'query', headers: 'header' };

/** What checking one part found: its checked value, or its failing fields (and whether they are the first only). */
type PartResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly fields: readonly FieldErrorInput[]; readonly partial?: boolean };
type PartCheck = (input: unknown) => PartResult | Promise<PartResult>;

let compileAjv: ReturnType<typeof createAjvCompiler> | undefined;

/** A check of one part with its schema: Standard Schema when it has `~standard`, else JSON Schema through Ajv. */
function compilePart(schema: object, part: Part): PartCheck {
  const location = locations[part];
  if ('~standard' in schema) {
    const standard = schema as StandardSchemaV1;
    return (input) => {
      const checked = validateStandardSchema(standard, input, location);
      const settle = (result: Awaited<typeof checked>): PartResult =>
        result.fields === undefined ? { ok: true, value: result.value } : { ok: false, fields: result.fields };
      return checked instanceof Promise ? checked.then(settle) : settle(checked);
    };
  }
  compileAjv ??= createAjvCompiler();
  const validate = compileAjv(schema, part satisfies RequestPart);
  return (input) => {
    // Ajv coerces and fills defaults in place: the path and query are copied, never changed under Express.
    const value = part === 'body' || typeof input !== 'object' || input === null ? input : { ...input };
    if (validate(value)) return { ok: true, value };
    const failures = validate.errors ?? [];
    return {
      ok: false,
      fields: failures.map((failure) => schemaFieldError(failure, location)),
      partial: isPartialReport(failures),
    };
  };
}

/**
 * Checks the parts of a request against their schemas, and answers 400 with
 * every failing field of every part at once, each by JSON pointer
 * (`missing_parameter` when one is absent, else `invalid_parameter`). The
 * validated values replace the request's (`req.body`, `req.query`,
 * `req.params`), so defaults, coercions and transforms apply. Put it after
 * the contract's `json()` parser.
 *
 * @example
 * ```js
 * import { z } from 'zod';
 * app.post(
 *   '/v1/teams/:teamId/members',
 *   contract.json(),
 *   validate({
 *     params: z.object({ teamId: z.coerce.number().int() }),
 *     body: z.object({ email: z.email(), role: z.enum(['admin', 'member']) }).strict(),
 *   }),
 *   addMember,
 * );
 * // or JSON Schema: validate({ body: { type: 'object', required: ['email'], properties: { email: { type: 'string' } } } })
 * ```
 */
export function validate(schemas: ValidateSchemas): Middleware {
  const checks: { part: Part; check: PartCheck }[] = [];
  for (const part of parts) {
    const schema = schemas[part];
    if (schema === undefined) continue;
    if (typeof schema !== 'object' || schema === null)
      throw new TypeError(`validate(): the ${part} schema must be a Standard Schema (zod, valibot, …) or a JSON Schema object.`);
    checks.push({ part, check: compilePart(schema, part) });
  }
  return function faultlineValidate(request, _response, next) {
    const fields: FieldErrorInput[] = [];
    const values: { part: Part; value: unknown }[] = [];
    let partial = false;
    let pending: Promise<void>[] | undefined;
    for (const { part, check } of checks) {
      const input = partOf(request, part);
      if (part === 'body' && input === undefined) {
        fields.push(missingBodyFieldError);
        continue;
      }
      const outcome = check(input);
      const settle = (result: Awaited<typeof outcome>): void => {
        if (result.ok) values.push({ part, value: result.value });
        else {
          fields.push(...result.fields);
          if (result.partial === true) partial = true;
        }
      };
      if (outcome instanceof Promise) (pending ??= []).push(outcome.then(settle));
      else settle(outcome);
    }
    const finish = (): void => {
      if (fields.length > 0) {
        // Listed in the parts' order whatever order async checks finished in.
        fields.sort((a, b) => locationRank(a.location) - locationRank(b.location));
        const error = fieldValidationError(fields, contractOf(request).settings);
        // A body too large to check in full is reported by its first failure, and says so.
        next(
          partial
            ? contractOf(request).catalog.error(error.code, {
                detail: error.detail + partialValidationNote,
                errors: error.errors,
              })
            : error,
        );
        return;
      }
      for (const { part, value } of values) setPart(request, part, value);
      next();
    };
    if (pending === undefined) finish();
    else Promise.all(pending).then(finish, next);
  };
}

const rank: Readonly<Record<FieldLocation, number>> = { path: 0, body: 1, query: 2, header: 3 };
const locationRank = (location: FieldLocation): number => rank[location];

function partOf(request: ExpressRequest, part: Part): unknown {
  switch (part) {
    case 'params':
      return request.params ?? {};
    case 'query':
      return request.query ?? {};
    case 'body':
      return request.body;
    default:
      return request.headers;
  }
}

function setPart(request: ExpressRequest, part: Part, value: unknown): void {
  if (part === 'headers') return;
  if (part === 'body') {
    request.body = value;
    return;
  }
  // Express 5 reads `req.query` through a getter that parses the URL again: the checked value shadows it.
  Object.defineProperty(request, part, { value, writable: true, configurable: true, enumerable: true });
}
