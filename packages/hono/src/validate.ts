import { fieldValidationError, type FieldLocation } from '@faultline/core';
import { validateStandardSchema, type StandardSchemaV1, type StandardSchemaValidation } from '@faultline/http';
import type { Context, Env, MiddlewareHandler, ValidationTargets } from 'hono';
import { readJsonBody } from './json-body.js';
import { checkRequestPart, type Checked, type RequestChecker } from './request-checker.js';
import { answerError, settingsOf } from './send-error.js';
import type { FaultlineSettings } from './settings.js';

/** The parts of a request {@link validate} checks, by Hono's names. */
export type ValidateTarget = 'json' | 'query' | 'param' | 'header';

/** A schema {@link validate} takes: a Standard Schema (zod, valibot, ArkType...), or a JSON Schema made by `jsonSchema()` of `@faultline/hono/ajv`. */
export type RequestSchema = StandardSchemaV1 | RequestChecker;

/** What `c.req.valid(target)` gives after {@link validate}: the schema's output, or the data a JSON Schema passed. */
export type ValidatedOutput<Schema> = Schema extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<Schema> : unknown;

/** Options of {@link validate}. */
export interface ValidateOptions {
  /** For `json`: the most bytes this route's body may have. Default: the `bodyLimit` of {@link faultline}. */
  readonly bodyLimit?: number;
}

const locations: Record<ValidateTarget, FieldLocation> = { json: 'body', query: 'query', param: 'path', header: 'header' };

/**
 * Validates one part of the request (`json` body, `query`, `param`,
 * `header`) and answers a failure with every failing field at once, each by
 * JSON pointer: a 400 `missing_parameter` or `invalid_parameter` whose
 * `errors[]` lists them, the same answer whichever validator found them.
 * Takes a Standard Schema (zod, valibot, ArkType and others), or a JSON
 * Schema through `jsonSchema()` of `@faultline/hono/ajv`. For `json`, the
 * body is read first with the contract's limits (415, 413, malformed JSON
 * 400: see {@link readJsonBody}).
 *
 * The value that passed is at `c.req.valid(target)`, typed from a Standard Schema.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * const note = z.strictObject({ title: z.string().min(1).max(200), body: z.string().max(5000).optional() });
 * app.post('/v1/notes', validate('json', note), (c) => {
 *   const { title } = c.req.valid('json');
 *   return c.json({ title }, 201);
 * });
 * ```
 */
export function validate<Target extends ValidateTarget, Schema extends RequestSchema>(
  target: Target,
  schema: Schema,
  options: ValidateOptions = {},
): MiddlewareHandler<Env, string, { in: { [K in Target]: unknown }; out: { [K in Target]: ValidatedOutput<Schema> } }> {
  const location = locations[target];
  if (location === undefined)
    throw new TypeError(`validate: the target must be json, query, param or header, not "${String(target)}".`);
  const check = checkerOf(schema, location);
  const bodyLimit = options.bodyLimit;

  return async function validateRequest(c, next) {
    const settings = settingsOf(c);
    const input = target === 'json' ? await readJsonBody(c, bodyLimit) : inputOf(c, target);
    const pending = check(input, settings);
    const checked = pending instanceof Promise ? await pending : pending;
    if (checked.error !== undefined) return answerError(c, checked.error, settings);
    c.req.addValidatedData(target as keyof ValidationTargets, checked.value as never);
    await next();
    return undefined;
  };
}

type Check = (input: unknown, settings: FaultlineSettings) => Checked | Promise<Checked>;

function checkerOf(schema: RequestSchema, location: FieldLocation): Check {
  if (checkRequestPart in schema) {
    const check = schema[checkRequestPart];
    return (input, settings) => check(input, location, settings);
  }
  if (typeof (schema as Partial<StandardSchemaV1>)['~standard'] !== 'object')
    throw new TypeError(
      'validate: the schema must be a Standard Schema (zod, valibot...) or jsonSchema() of @faultline/hono/ajv.',
    );
  const standard = schema as StandardSchemaV1;
  return (input, settings) => {
    const settle = (checked: StandardSchemaValidation<unknown>): Checked =>
      checked.fields === undefined ? { value: checked.value } : { error: fieldValidationError(checked.fields, settings) };
    const checked = validateStandardSchema(standard, input, location);
    return checked instanceof Promise ? checked.then(settle) : settle(checked);
  };
}

function inputOf(c: Context, target: Exclude<ValidateTarget, 'json'>): unknown {
  if (target === 'query') return c.req.query();
  if (target === 'param') return c.req.param();
  return c.req.header();
}
