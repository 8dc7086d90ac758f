import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { integerProperties, nonCanonicalIntegers } from './canonical-integers.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const shared: Options = {
  // Unknown fields are errors to report, not data to drop silently.
  removeAdditional: false,
  useDefaults: true,
  strict: false,
};

/**
 * Listing every failing field costs a few microseconds per failure, and a
 * body can be built to fail everywhere (100,000 unknown keys take Ajv about
 * half a second). A body holding more values than this is reported by its
 * first failure only; smaller ones get every failure, at most a few tens of
 * milliseconds. It is above the 30,001 values of a full batch of 10,000
 * recipients with names, the largest body of the reference API, so a client
 * learns every mistake of a real batch in one round trip.
 */
export const fullReportMaxMembers = 32_000;

/** How many values each parsed JSON body holds, as counted by the JSON parser. */
const bodySizes = new WeakMap<object, number>();

/** Records how many values a parsed body holds, for the validator to decide how much to report. */
export function rememberBodySize(body: object, members: number): void {
  bodySizes.set(body, members);
}

/** Failure lists cut to the first failure because the body was too large to list them all. */
const partialReports = new WeakSet<readonly unknown[]>();

/** Whether a list of schema failures holds only the first one found (see {@link fullReportMaxMembers}). */
export function isPartialReport(failures: readonly unknown[]): boolean {
  return partialReports.has(failures);
}

/**
 * What a validation error's detail says when the body was too large to check
 * every field (see {@link fullReportMaxMembers}): the failures listed are the first found.
 */
export const partialValidationNote =
  ' The body is too large to check every field in one pass: this is the first failure found, others may follow.';

/** The part of a request a schema checks. */
export type RequestPart = 'body' | 'params' | 'query' | 'headers';

/** A compiled schema: true when the data passes; the failures in `errors` when not. */
export interface AjvValidate {
  (data: unknown): boolean;
  errors: ErrorObject[] | null;
}

/**
 * Compiles JSON Schemas with Ajv as the contract wants them checked: a body
 * strictly, the path, query and headers with the strings of a URL coerced to
 * the schema's types (an integer only from plain decimal: `0xaf`, `+175` and
 * `1.75e2` are refused); unknown fields reported, not dropped; every failing
 * field listed, except in a body holding more than {@link fullReportMaxMembers}
 * values (see {@link rememberBodySize}), whose first failure only is listed
 * and marked (see {@link isPartialReport}). Turn the failures into field
 * errors with `schemaFieldError` of `@faultline/http`.
 *
 * @example
 * ```ts
 * const compile = createAjvCompiler();
 * const validate = compile({ type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }, 'params');
 * if (!validate(params)) throw fieldValidationError(validate.errors!.map((each) => schemaFieldError(each, 'path')), settings);
 * ```
 */
export function createAjvCompiler(): (schema: object, part: RequestPart) => AjvValidate {
  const compilers = {
    strict: {
      first: addFormats(new Ajv({ ...shared, coerceTypes: false })),
      all: addFormats(new Ajv({ ...shared, allErrors: true, coerceTypes: false })),
    },
    coercing: {
      first: addFormats(new Ajv({ ...shared, coerceTypes: 'array' })),
      all: addFormats(new Ajv({ ...shared, allErrors: true, coerceTypes: 'array' })),
    },
  };
  return (schema, part) => {
    const ajv = part === 'body' ? compilers.strict : compilers.coercing;
    const first = ajv.first.compile(schema);
    const all = ajv.all.compile(schema);
    const validate = (data: unknown): boolean => {
      if (first(data) === true) {
        validate.errors = null;
        return true;
      }
      const members = typeof data === 'object' && data !== null ? bodySizes.get(data) : undefined;
      if (members !== undefined && members > fullReportMaxMembers) {
        const errors = [...(first.errors ?? [])];
        partialReports.add(errors);
        validate.errors = errors;
        return false;
      }
      const valid = all(data) as boolean;
      validate.errors = valid ? null : (all.errors ?? null);
      return valid;
    };
    validate.errors = null as ErrorObject[] | null;
    const integers = part === 'params' || part === 'query' ? integerProperties(schema) : [];
    if (integers.length === 0) return validate;
    const checked = (data: unknown): boolean => {
      // Before Ajv coerces the strings in place, after which `0xaf` and `175` look the same.
      const loose = nonCanonicalIntegers(data, integers);
      const valid = validate(data);
      const others = (validate.errors ?? []).filter((error) => !loose.some((each) => each.instancePath === error.instancePath));
      checked.errors = loose.length === 0 && valid ? null : [...loose, ...others];
      return loose.length === 0 && valid;
    };
    checked.errors = null as ErrorObject[] | null;
    return checked;
  };
}
