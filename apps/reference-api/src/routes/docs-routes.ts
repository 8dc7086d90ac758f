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

/**
 * `GET /docs/errors` (HTML) and `GET /docs/errors.json`, generated from the
 * catalog. The page also lists the operations each code can come from, read
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
  app.get('/docs/errors.json', { config: { operation: errorCatalogOperation } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(json),
  );
};
