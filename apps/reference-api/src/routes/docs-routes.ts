import type { ProfileName } from '@faultline/core';
import type { FastifyPluginAsync } from 'fastify';
import { errorReferenceJson, errorReferencePage } from '../docs/error-reference-page.js';

/** `GET /docs/errors` (HTML) and `GET /docs/errors.json`, both generated from the catalog at start-up. */
export const docsRoutes: FastifyPluginAsync<{ profile: ProfileName }> = async (app, { profile }) => {
  const { catalog, docsUrl } = app.faultline;
  const page = errorReferencePage(catalog, profile, docsUrl);
  const json = JSON.stringify(errorReferenceJson(catalog));
  app.get('/docs/errors', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .send(page),
  );
  app.get('/docs/errors.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(json));
};
