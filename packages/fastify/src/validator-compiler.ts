import { createAjvCompiler, type RequestPart } from '@faultline/http/ajv';
import type { FastifySchemaCompiler } from 'fastify';

/** Fastify's names of a request's parts, as `@faultline/http` names them. */
const parts: Readonly<Record<string, RequestPart>> = {
  body: 'body',
  params: 'params',
  querystring: 'query',
  headers: 'headers',
};

/**
 * Fastify's default Ajv coerces body values ("5" becomes 5) and strips unknown
 * fields. For a JSON body that hides client mistakes, so bodies are checked
 * strictly; path, query and header values are always strings on the wire and
 * are coerced to the schema's types. An integer in the path or query must be
 * written canonically (`175`, never `0xaf` or `+175`) before it is coerced.
 * The rules are `createAjvCompiler`'s, of `@faultline/http/ajv`.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const compile = createAjvCompiler();
  // Ajv's failures are Fastify's schema errors; its types name them differently.
  return ({ schema, httpPart }) =>
    compile(schema as object, parts[httpPart ?? 'body'] ?? 'body') as unknown as ReturnType<FastifySchemaCompiler<unknown>>;
}
