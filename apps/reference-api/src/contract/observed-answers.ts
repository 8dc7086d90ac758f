import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileName } from '@faultline/core';
import type { FastifyInstance } from 'fastify';

/**
 * The environment variable that turns recording on: the directory the answers
 * are written to. Set by the test suite (test/observed-answers-setup.ts), never in production.
 */
export const observedAnswersVariable = 'FAULTLINE_OBSERVED_ANSWERS';

/** One answer the app sent, as the observed-answers check reads it (one JSON line each). */
export interface ObservedAnswer {
  /** The method of the request, e.g. `HEAD`. */
  readonly method: string;
  /** The route that answered, as declared (`/v1/campaigns/:id`); absent when no route matched. */
  readonly route?: string;
  readonly status: number;
  /** The response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body when it is JSON text of at most {@link bodyLimit} characters. */
  readonly body?: string;
  /** The app's default profile, which decides the document it is held to. */
  readonly profile: ProfileName;
}

const bodyLimit = 256 * 1024;
const flushEvery = 500;

/**
 * Records every answer of `app` for the observed-answers check, written to
 * `directory/<pid>.jsonl` in batches, when the app closes and at exit. Routes hidden from the document (Swagger UI's files)
 * are left out.
 */
export function recordAnswers(app: FastifyInstance, directory: string, profile: ProfileName): void {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${process.pid}.jsonl`);
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    appendFileSync(file, pending.join(''));
    pending = [];
  };
  process.once('exit', flush);
  app.addHook('onClose', async () => flush());
  // The body as serialized (onSend), the headers once every hook has set them (onResponse).
  const bodies = new WeakMap<object, string>();
  app.addHook('onSend', async (_request, reply, payload) => {
    const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (text !== undefined && text.length <= bodyLimit) bodies.set(reply, text);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const schema = request.routeOptions.schema as { hide?: boolean } | undefined;
    if (schema?.hide === true) return;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const body = bodies.get(reply);
    const answer: ObservedAnswer = {
      method: request.method,
      ...(request.routeOptions.url === undefined || request.is404 ? {} : { route: request.routeOptions.url }),
      status: reply.statusCode,
      headers,
      ...(body !== undefined && /json/.test(headers['content-type'] ?? '') ? { body } : {}),
      profile,
    };
    pending.push(`${JSON.stringify(answer)}\n`);
    if (pending.length >= flushEvery) flush();
  });
}
