import type { ProfileName } from '@faultline/core';
import { errorReferenceContentSecurityPolicy, errorReferenceJson, errorReferencePage, operationsByCode } from '@faultline/docs';
import type { FastifyPluginAsync } from 'fastify';

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
  app.get('/docs/errors', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', errorReferenceContentSecurityPolicy).send(page()),
  );
  app.get('/docs/errors.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(json));
};
