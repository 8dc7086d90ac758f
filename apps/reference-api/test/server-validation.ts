/**
 * The server's own validator, taken from a Fastify app with the Faultline
 * plugin registered (as the reference API builds it), for the tests that
 * check the typed client's input check agrees with it.
 */
import Fastify from 'fastify';
import { faultline } from '@faultline/fastify';

const app = Fastify();
await app.register(faultline);
await app.ready();
const setCompiler = app.validatorCompiler;
if (setCompiler === undefined) throw new Error('the Faultline plugin set no validator compiler');
const compile = setCompiler;

type Validate = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; keyword: string; params: Record<string, unknown> }[] | null;
};

const escape = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** What the server's validator finds wrong with `value`, as "pointer code" lines. */
export function serverFailures(schema: object, value: unknown, httpPart: string): string[] {
  const validate = compile({ schema, httpPart, method: 'POST', url: '/x' }) as Validate;
  if (validate(structuredClone(value))) return [];
  return (validate.errors ?? []).map((error) => {
    if (error.keyword === 'required')
      return `${error.instancePath}/${escape(String(error.params['missingProperty']))} missing_parameter`;
    if (error.keyword === 'additionalProperties')
      return `${error.instancePath}/${escape(String(error.params['additionalProperty']))} invalid_parameter`;
    return `${error.instancePath} invalid_parameter`;
  });
}
