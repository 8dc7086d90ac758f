import type { FastifyError, FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { methodNotAllowedDetail, pathOf, requestIdHeader, unknownRouteDetail } from '@faultline/http';
import { answerConnect, answerIdleTimeout } from '@faultline/http/node';
import { compileAnswer } from './compiled-answer.js';
import { createJsonBodyParser } from './json-body-parser.js';
import { limitClients } from './overload/client-limit.js';
import { RouteIndex } from './route-index.js';
import { sendApiError } from './send-api-error.js';
import { rememberSettings } from './settings-store.js';
import { resolveSettings, type FaultlineOptions, type FaultlineSettings } from './settings.js';
import { toApiError } from './to-api-error.js';
import { createValidatorCompiler } from './validator-compiler.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The contract's settings: the catalog, the default profile, the docs URL. */
    faultline: FaultlineSettings;
  }
}

const plugin: FastifyPluginCallback<FaultlineOptions> = (fastify, options, done) => {
  // Avvio does not catch a callback plugin's synchronous throw: a bad option
  // would crash the process instead of rejecting `register()`, so pass it to done.
  let settings: FaultlineSettings;
  try {
    settings = resolveSettings(options);
  } catch (error) {
    done(error as Error);
    return;
  }
  rememberSettings(fastify, settings);
  fastify.decorate('faultline', settings);

  // Only the media types the app declares are read; anything else is a 415.
  if (!settings.contentTypes.includes('text/plain')) fastify.removeContentTypeParser('text/plain');
  fastify.removeContentTypeParser('application/json');
  if (settings.contentTypes.includes('application/json')) {
    fastify.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer' },
      createJsonBodyParser(settings.catalog, settings.jsonLimits),
    );
  }
  fastify.setValidatorCompiler(createValidatorCompiler());
  // Every answer carries the request id: set as the request arrives, so the answer needs no
  // onSend hook (sendApiError sets it too, for the answers given before any hook runs).
  fastify.addHook('onRequest', function requestId(request, reply, done) {
    reply.header(requestIdHeader, request.id);
    done();
  });
  // Before any other onRequest hook (register load shedding after this plugin): one address over
  // its share is refused before it takes a slot of the server's.
  limitClients(fastify, settings);

  const routes = new RouteIndex(routeMatching(fastify));
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.add(method, route.url);
  });

  // Node answers an `Expect` other than 100-continue with a bare 417 of its own (no body,
  // no request id) unless someone listens. RFC 9110 lets a server ignore an expectation
  // it does not know, so such a request goes to the app like any other.
  fastify.server.on('checkExpectation', (request, response) => fastify.server.emit('request', request, response));
  fastify.server.on('connect', answerConnect(settings, fastify.log));
  // Listening takes over from Node's default, which destroys a silent socket without a word.
  fastify.server.on('timeout', answerIdleTimeout(settings, fastify.log));

  // The plugin's own answers, compiled once: no route config of the app's applies to them.
  const notFound = compileAnswer(settings, 'not_found');
  const methodNotAllowed = compileAnswer(settings, 'method_not_allowed');
  const answerNoRoute = (request: FastifyRequest, reply: FastifyReply): void => {
    const path = pathOf(request.url);
    const allowed = routes.allowedMethods(path);
    // A route that matched and then called `callNotFound` (a static file that is not there) is a 404, not a 405.
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      methodNotAllowed(reply, methodNotAllowedDetail(request.method, path, allowed), { allow: allowed.join(', ') });
      return;
    }
    notFound(reply, unknownRouteDetail(request.method, path));
  };
  fastify.setNotFoundHandler(answerNoRoute);

  fastify.setErrorHandler((thrown: FastifyError, request, reply) => {
    // Fastify reads a body before its not-found handler runs. A body it cannot take (an unknown type, too
    // large) sent to a path no route has is still a 404 (or 405): the path is what the client must fix first.
    if (request.is404 && typeof thrown.code === 'string' && thrown.code.startsWith('FST_ERR_CTP_')) {
      answerNoRoute(request, reply);
      return;
    }
    const { error, unexpected } = toApiError(thrown, request, settings);
    if (unexpected) {
      request.log.error({ err: thrown }, 'Unexpected error; answered with internal_error');
    } else if (error.status >= 500) {
      request.log.warn({ code: error.code }, error.detail);
    }
    sendApiError(reply, error, settings);
  });

  done();
};

/**
 * Makes a whole Fastify app speak the Faultline contract: every failure, from
 * an unknown route to an unexpected exception, is answered with a catalog
 * code, the right status and headers, and a body in the configured profile.
 *
 * Register it before the routes, and pass {@link faultlineServerOptions} to
 * the Fastify constructor.
 */
export const faultline = fastifyPlugin(plugin, { fastify: '5.x', name: '@faultline/fastify' });

function routeMatching(fastify: FastifyInstance): {
  ignoreTrailingSlash?: boolean;
  ignoreDuplicateSlashes?: boolean;
  caseSensitive?: boolean;
} {
  const config = fastify.initialConfig as { routerOptions?: Record<string, unknown> } & Record<string, unknown>;
  const router = { ...config, ...(config.routerOptions ?? {}) };
  const pick = (name: string): boolean | undefined => (typeof router[name] === 'boolean' ? (router[name] as boolean) : undefined);
  const matching: { ignoreTrailingSlash?: boolean; ignoreDuplicateSlashes?: boolean; caseSensitive?: boolean } = {};
  for (const name of ['ignoreTrailingSlash', 'ignoreDuplicateSlashes', 'caseSensitive'] as const) {
    const value = pick(name);
    if (value !== undefined) matching[name] = value;
  }
  return matching;
}
