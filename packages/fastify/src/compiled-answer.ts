import { compileErrorResponse, type CompiledErrorResponse, type ProfileName } from '@faultline/core';
import { chooseProfile } from '@faultline/http';
import type { FastifyReply } from 'fastify';
import { writeApiError } from './send-api-error.js';
import type { FaultlineSettings } from './settings.js';

/** Sends one catalog code's answer with this detail, and these headers on top. */
export type CompiledAnswer = (reply: FastifyReply, detail: string, headers?: Readonly<Record<string, string>>) => void;

/**
 * The plugin's own answer with one catalog code (its 404 and 405), compiled
 * once per profile: an unknown route is the commonest error there is, and a
 * scanner sends thousands, so each costs no `ApiError` and no catalog look-up.
 * The same bytes as `writeApiError(reply, catalog.error(code, { detail, headers }), settings, undefined)`,
 * which it falls back to for a code the catalog lacks or a status that needs
 * a challenge (a variant could make it a 401 or 403).
 *
 * Sent from the not-found handler, after the plugin's `onRequest` hook has set
 * the request id header.
 */
export function compileAnswer(settings: FaultlineSettings, code: string): CompiledAnswer {
  const compiled = new Map<ProfileName, CompiledErrorResponse | undefined>();
  const compiledFor = (profile: ProfileName): CompiledErrorResponse | undefined => {
    if (compiled.has(profile)) return compiled.get(profile);
    const response = compileErrorResponse(code, { catalog: settings.catalog, profile, docsUrl: settings.docsUrl });
    const usable = response !== undefined && response.status !== 401 && response.status !== 403 ? response : undefined;
    compiled.set(profile, usable);
    return usable;
  };
  return (reply, detail, headers) => {
    const request = reply.request;
    const response = compiledFor(chooseProfile(undefined, request.headers.accept, settings.profile));
    if (response === undefined) {
      const error = settings.catalog.error(code, headers === undefined ? { detail } : { detail, headers });
      writeApiError(reply, error, settings, undefined);
      return;
    }
    reply.code(response.status);
    const fixed = response.headers;
    for (const name in fixed) reply.header(name, fixed[name]);
    if (headers !== undefined) for (const name in headers) reply.header(name.toLowerCase(), headers[name]);
    reply.serializer(asIs).send(response.body(detail, request.id));
  };
}

const asIs = (body: unknown): string => body as string;
