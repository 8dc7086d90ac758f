import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

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
 * are coerced to the schema's types.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats(new Ajv({ ...shared, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
