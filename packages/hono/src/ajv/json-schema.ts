import { fieldValidationError, type FieldLocation } from '@faultline/core';
import { missingBodyFieldError, schemaFieldError } from '@faultline/http';
import {
  createAjvCompiler,
  isPartialReport,
  partialValidationNote,
  rememberBodySize,
  type RequestPart,
} from '@faultline/http/ajv';
import { checkRequestPart, membersOf, type Checked, type RequestChecker } from '../request-checker.js';

const parts: Record<FieldLocation, RequestPart> = { body: 'body', query: 'query', path: 'params', header: 'headers' };

let compile: ReturnType<typeof createAjvCompiler> | undefined;

/**
 * A JSON Schema for `validate()`, compiled with Ajv on first use, then
 * once per request part: a body strictly (unknown fields reported, not
 * dropped), path and query strings coerced to the schema's types (integers
 * only from plain decimals). Every failing field is listed, by JSON pointer,
 * as a Standard Schema's would be; a body holding more than 32,000 values
 * reports its first failure only, and says so.
 *
 * @example
 * ```ts
 * import { validate } from '@faultline/hono';
 * import { jsonSchema } from '@faultline/hono/ajv';
 *
 * const note = jsonSchema({ type: 'object', required: ['title'], properties: { title: { type: 'string', minLength: 1 } } });
 * app.post('/v1/notes', validate('json', note), (c) => c.json(c.req.valid('json'), 201));
 * ```
 */
export function jsonSchema(schema: object): RequestChecker {
  const compiled = new Map<RequestPart, ReturnType<NonNullable<typeof compile>>>();
  // Compiled now as a body schema, so a schema Ajv cannot compile throws where it is written, not on a request.
  compile ??= createAjvCompiler();
  compiled.set('body', compile(schema, 'body'));
  return {
    [checkRequestPart]: (input, location, settings): Checked => {
      // No body at all is one missing field, as a Standard Schema's failure says it, not "must be object".
      if (input === undefined && location === 'body') return { error: fieldValidationError([missingBodyFieldError], settings) };
      const part = parts[location];
      let check = compiled.get(part);
      if (check === undefined) {
        compile ??= createAjvCompiler();
        check = compile(schema, part);
        compiled.set(part, check);
      }
      if (typeof input === 'object' && input !== null) {
        const members = membersOf(input);
        if (members !== undefined) rememberBodySize(input, members);
      }
      if (check(input)) return { value: input };
      const failures = check.errors ?? [];
      const error = fieldValidationError(
        failures.map((failure) => schemaFieldError(failure, location)),
        settings,
      );
      if (!isPartialReport(failures)) return { error };
      // A body too large to check in full reports its first failure only.
      return {
        error: settings.catalog.error(error.code, { detail: error.detail + partialValidationNote, errors: error.errors }),
      };
    },
  };
}
