import type { ProfileName } from '@faultline/core';
import { errorReferenceContentSecurityPolicy, errorReferenceJson, errorReferencePage } from '@faultline/docs';
import type { FastifyPluginAsync } from 'fastify';

/** `GET /docs/errors` (HTML) and `GET /docs/errors.json`, both generated from the catalog at start-up. */
export const docsRoutes: FastifyPluginAsync<{ profile: ProfileName }> = async (app, { profile }) => {
  const { catalog, docsUrl } = app.faultline;
  const page = errorReferencePage(catalog, { profile, docsUrl });
  const json = JSON.stringify(errorReferenceJson(catalog));
  app.get('/docs/errors', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', errorReferenceContentSecurityPolicy).send(page),
  );
  app.get('/docs/errors.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(json));
};
