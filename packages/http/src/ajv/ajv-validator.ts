import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
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
 * Fastify's default Ajv coerces body values ("5" becomes 5) and strips unknown
 * fields. For a JSON body that hides client mistakes, so bodies are checked
 * strictly; path, query and header values are always strings on the wire and
 * are coerced to the schema's types. An integer in the path or query must be
 * written canonically (`175`, never `0xaf` or `+175`) before it is coerced.
 *
 * Each schema is checked first by a validator that stops at the first
 * failure (the common, valid case costs one pass); only a request that fails
 * is checked again for every failing field, so one round trip tells the
 * client all its mistakes, unless its body is too large for that to be cheap.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
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
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? compilers.strict : compilers.coercing;
    const first = ajv.first.compile(schema as object);
    const all = ajv.all.compile(schema as object);
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
    const integers = httpPart === 'params' || httpPart === 'querystring' ? integerProperties(schema) : [];
    if (integers.length === 0) return validate as unknown as ValidateFunction;
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
