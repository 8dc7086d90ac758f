import { checkReferenceContentSecurityPolicy, checkReferencePage } from '@faultline/check';
import type { ProfileName } from '@faultline/core';
import { errorReferenceContentSecurityPolicy, errorReferenceJson, errorReferencePage, operationsByCode } from '@faultline/docs';
import type { FastifyPluginAsync } from 'fastify';
import type { SchemalessOperation } from '../contract/route-contract.js';

const errorPageOperation: SchemalessOperation = {
  operationId: 'getErrorReference',
  summary: 'The error reference page',
  tags: ['docs'],
  // No schema: an HTML page has none worth stating.
  responses: { 200: { description: 'Every error code, as HTML.', content: { 'text/html': {} } } },
};

const errorCatalogOperation: SchemalessOperation = {
  operationId: 'getErrorCatalog',
  summary: 'The error catalog as JSON',
  tags: ['docs'],
  responses: { 200: { description: 'Every error code.', content: { 'application/json': { schema: { type: 'object' } } } } },
};

const checkPageOperation: SchemalessOperation = {
  operationId: 'getCheckReference',
  summary: 'What faultline check checks',
  tags: ['docs'],
  responses: { 200: { description: 'Every check of faultline check, as HTML.', content: { 'text/html': {} } } },
};

/**
 * `GET /docs/errors` (HTML) and `GET /docs/errors.json`, generated from the
 * catalog, and `GET /docs/checks`, the reference of `faultline check`. The page also lists the operations each code can come from, read
 * from the OpenAPI document, which is complete only once the app is ready: so
 * the page is built on its first request, then kept.
 */
export const docsRoutes: FastifyPluginAsync<{ profile: ProfileName }> = async (app, { profile }) => {
  const { catalog, docsUrl } = app.faultline;
  let built: string | undefined;
  const page = () =>
    (built ??= errorReferencePage(catalog, {
      profile,
      docsUrl,
      operations: operationsByCode(app.swagger() as never, (code) => catalog.has(code)),
    }));
  const json = JSON.stringify(errorReferenceJson(catalog));
  app.get('/docs/errors', { config: { operation: errorPageOperation } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', errorReferenceContentSecurityPolicy).send(page()),
  );
  // Beside the error reference: the checks an API is held to, rendered from the same definitions as faultline check's reports.
  const checks = checkReferencePage();
  app.get('/docs/checks', { config: { operation: checkPageOperation } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', checkReferenceContentSecurityPolicy).send(checks),
  );
  app.get('/docs/errors.json', { config: { operation: errorCatalogOperation } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(json),
  );
};
