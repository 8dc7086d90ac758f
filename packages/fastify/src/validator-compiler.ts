import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { integerProperties, nonCanonicalIntegers } from './canonical-integers.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const shared: Options = {
  // Report every failing field, not only the first.
  allErrors: true,
  // Unknown fields are errors to report, not data to drop silently.
  removeAdditional: false,
  useDefaults: true,
  strict: false,
};

/**
 * Fastify's default Ajv coerces body values ("5" becomes 5) and strips unknown
 * fields. For a JSON body that hides client mistakes, so bodies are checked
 * strictly; path, query and header values are always strings on the wire and
 * are coerced to the schema's types. An integer in the path or query must be
 * written canonically (`175`, never `0xaf` or `+175`) before it is coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats(new Ajv({ ...shared, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => {
    if (httpPart === 'body') return strict.compile(schema as object);
    const validate = coercing.compile(schema as object);
    const integers = httpPart === 'params' || httpPart === 'querystring' ? integerProperties(schema) : [];
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
