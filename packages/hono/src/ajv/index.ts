/**
 * @faultline/hono/ajv: JSON Schema for `validate()`, checked with Ajv as
 * `@faultline/fastify` checks route schemas. Apart from the main entry
 * because Ajv compiles code at run time, which some edge runtimes refuse.
 * @packageDocumentation
 */
export { jsonSchema } from './json-schema.js';
