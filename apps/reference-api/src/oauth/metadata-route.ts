import type { FastifyPluginAsync } from 'fastify';
import { responseTypes } from './authorization-request.js';
import { clientAuthenticationMethods } from './client-authentication.js';
import type { OAuthContext } from './oauth-context.js';
import { grantTypes } from './oauth-apps.js';
import { codeChallengeMethods } from './pkce.js';
import { knownScopes } from './scopes.js';

/** Where RFC 8414 section 3 puts the metadata of an issuer without a path. */
export const metadataPath = '/.well-known/oauth-authorization-server';

const endpoint = (description: string) => ({ type: 'string', format: 'uri', maxLength: 2000, description }) as const;
const names = (description: string, items: readonly string[]) =>
  ({
    type: 'array',
    minItems: 1,
    maxItems: items.length,
    uniqueItems: true,
    description,
    items: { type: 'string', enum: items },
  }) as const;

const metadataResponse = {
  type: 'object',
  description: 'The authorization server metadata (RFC 8414), from which a client configures itself.',
  required: [
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'revocation_endpoint',
    'response_types_supported',
    'response_modes_supported',
    'grant_types_supported',
    'code_challenge_methods_supported',
    'token_endpoint_auth_methods_supported',
    'revocation_endpoint_auth_methods_supported',
    'scopes_supported',
    'authorization_response_iss_parameter_supported',
    'service_documentation',
  ],
  additionalProperties: false,
  properties: {
    issuer: endpoint('The issuer identifier: `PUBLIC_URL`, which every authorization response carries as `iss`.'),
    authorization_endpoint: endpoint('Where the user logs in and consents.'),
    token_endpoint: endpoint('Where codes and refresh tokens are exchanged, and client credentials used.'),
    revocation_endpoint: endpoint('Where a client revokes a token (RFC 7009).'),
    response_types_supported: names('Only the authorization code flow.', responseTypes),
    response_modes_supported: names('The authorization response is in the redirect’s query.', ['query']),
    grant_types_supported: names('The grants an app may be registered for.', grantTypes),
    code_challenge_methods_supported: names('PKCE with S256 only.', codeChallengeMethods),
    token_endpoint_auth_methods_supported: names(
      'How a client authenticates at the token endpoint.',
      clientAuthenticationMethods,
    ),
    revocation_endpoint_auth_methods_supported: names(
      'How a client authenticates at the revocation endpoint.',
      clientAuthenticationMethods,
    ),
    scopes_supported: names('Every scope a token can carry.', knownScopes),
    authorization_response_iss_parameter_supported: {
      type: 'boolean',
      const: true,
      description: 'Every authorization response, success or error, carries `iss` (RFC 9207).',
    },
    service_documentation: endpoint('The API reference.'),
  },
} as const;

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414): what a client
 * needs to discover this server, written from the rules the endpoints apply.
 */
export const metadataRoute: FastifyPluginAsync<OAuthContext> = async (app, { issuer }) => {
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    response_types_supported: responseTypes,
    response_modes_supported: ['query'],
    grant_types_supported: grantTypes,
    code_challenge_methods_supported: codeChallengeMethods,
    token_endpoint_auth_methods_supported: clientAuthenticationMethods,
    revocation_endpoint_auth_methods_supported: clientAuthenticationMethods,
    scopes_supported: knownScopes,
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${issuer}/docs`,
  };
  app.get(
    metadataPath,
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getAuthorizationServerMetadata',
        summary: 'OAuth2 authorization server metadata',
        description: 'RFC 8414 discovery: the endpoints, grants, PKCE methods, client authentication methods and scopes.',
        tags: ['oauth'],
        response: { 200: metadataResponse },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=3600').send(metadata),
  );
};
