/**
 * A small real HTTP server whose behaviour each test scripts: answer with
 * given statuses, headers and bodies, drop the connection before answering,
 * or never answer at all. It records every request it receives, so a test can
 * count attempts and measure the time between them.
 */
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as realDelay } from 'node:timers/promises';

/** One request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/items?page=2`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly idempotencyKey: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
  /** Arrival on the real monotonic clock (`performance.now()`), untouched by fake timers. */
  readonly at: number;
  /** Arrival by `Date.now()`, which follows vitest's fake clock when it is installed. */
  readonly clock: number;
}

/** What the server does with one request. */
export type Reply =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly headers?: OutgoingHttpHeaders;
      readonly body?: string;
    }
  /** Destroys the socket before any byte of a response is written. */
  | { readonly kind: 'drop' }
  /** Never answers; the connection is closed only when the server closes. */
  | { readonly kind: 'hang' }
  /** Sends the status, headers and the start of a body, then nothing more. */
  | { readonly kind: 'stall'; readonly status: number; readonly headers?: OutgoingHttpHeaders; readonly partialBody: string };

/** Decides the reply to a request; `index` counts requests from 0. */
export type Handler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export class FaultServer {
  readonly requests: RecordedRequest[] = [];
  /** The status of every response actually written, in order. */
  readonly statuses: number[] = [];
  readonly #server: Server;
  #handler: Handler = () => reply.json(200, { ok: true });
  #url = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const recorded: RecordedRequest = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          idempotencyKey: single(request.headers['idempotency-key']),
          authorization: request.headers.authorization,
          body: Buffer.concat(chunks).toString('utf8'),
          at: performance.now(),
          clock: Date.now(),
        };
        const index = this.requests.push(recorded) - 1;
        Promise.resolve(this.#handler(recorded, index)).then(
          (chosen) => this.#perform(chosen, response),
          () => this.#perform(reply.text(500, 'fault-server handler failed'), response),
        );
      });
    });
  }

  /** Starts a server on 127.0.0.1 and a free port. */
  static async start(handler?: Handler): Promise<FaultServer> {
    const server = new FaultServer();
    if (handler !== undefined) server.handle(handler);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.#server.address() as AddressInfo;
    server.#url = `http://127.0.0.1:${port}`;
    return server;
  }

  /** The base URL, e.g. `http://127.0.0.1:54321`. */
  get url(): string {
    return this.#url;
  }

  /** Decides every reply with a function of the request. */
  handle(handler: Handler): this {
    this.#handler = handler;
    return this;
  }

  /** Answers the next requests with these replies in turn; the last one answers every request after them. */
  script(...replies: Reply[]): this {
    if (replies.length === 0) throw new Error('script() needs at least one reply.');
    const start = this.requests.length;
    this.#handler = (_request, index) => replies[Math.min(index - start, replies.length - 1)] as Reply;
    return this;
  }

  /** Resolves once `count` requests have arrived; rejects after `timeoutMs` of real time. */
  async waitForRequests(count: number, timeoutMs = 5000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.requests.length < count) {
      if (performance.now() > until) throw new Error(`Expected ${count} requests, got ${this.requests.length}.`);
      await realDelay(2);
    }
  }

  /** Milliseconds of real time between consecutive requests. */
  gaps(): number[] {
    return this.requests.slice(1).map((request, index) => request.at - (this.requests[index] as RecordedRequest).at);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #perform(chosen: Reply, response: ServerResponse): void {
    if (chosen.kind === 'drop') {
      response.socket?.destroy();
      return;
    }
    if (chosen.kind === 'hang') return;
    if (chosen.kind === 'stall') {
      response.writeHead(chosen.status, chosen.headers);
      response.write(chosen.partialBody);
      return;
    }
    this.statuses.push(chosen.status);
    response.writeHead(chosen.status, chosen.headers);
    response.end(chosen.body ?? '');
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const problemType = (code: string): string => `/docs/errors#${code}`;

/** Replies, one builder per behaviour and body shape. */
export const reply = {
  respond(status: number, body = '', headers: OutgoingHttpHeaders = {}): Reply {
    return { kind: 'respond', status, headers, body };
  },
  json(status: number, value: unknown, headers: OutgoingHttpHeaders = {}): Reply {
    return reply.respond(status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', ...headers });
  },
  drop(): Reply {
    return { kind: 'drop' };
  },
  hang(): Reply {
    return { kind: 'hang' };
  },
  stall(status: number, partialBody: string): Reply {
    return { kind: 'stall', status, headers: { 'content-type': 'application/json' }, partialBody };
  },

  // --- Body shapes ---------------------------------------------------------
  /** RFC 9457 problem+json, as the `problem` profile writes it. */
  problem(
    status: number,
    code: string,
    detail: string,
    extra: Record<string, unknown> = {},
    headers: OutgoingHttpHeaders = {},
  ): Reply {
    const body = { type: problemType(code), title: 'Title', status, detail, code, ...extra };
    return reply.respond(status, JSON.stringify(body), { 'content-type': 'application/problem+json; charset=utf-8', ...headers });
  },
  /** `{code, error, time}`, as the `classic` profile writes it. */
  classic(
    status: number,
    code: string,
    error: string,
    extra: Record<string, unknown> = {},
    headers: OutgoingHttpHeaders = {},
  ): Reply {
    return reply.json(status, { code, error, time: new Date().toISOString(), ...extra }, headers);
  },
  /** `{message, description, code}`, as the `message` profile writes it. */
  message(
    status: number,
    code: string,
    description: string,
    extra: Record<string, unknown> = {},
    headers: OutgoingHttpHeaders = {},
  ): Reply {
    return reply.json(status, { message: 'Status name', description, code, ...extra }, headers);
  },
  /** RFC 6749 `{error, error_description}`. */
  oauth(status: number, error: string, description: string, headers: OutgoingHttpHeaders = {}): Reply {
    return reply.json(status, { error, error_description: description }, headers);
  },
  text(status: number, text: string, headers: OutgoingHttpHeaders = {}): Reply {
    return reply.respond(status, text, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  },
  html(status: number, title: string, headers: OutgoingHttpHeaders = {}): Reply {
    const page = `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>nginx</p></body></html>`;
    return reply.respond(status, page, { 'content-type': 'text/html; charset=utf-8', ...headers });
  },
  empty(status: number, headers: OutgoingHttpHeaders = {}): Reply {
    return reply.respond(status, '', headers);
  },
  /** JSON that follows no known error shape. */
  unknownJson(status: number, headers: OutgoingHttpHeaders = {}): Reply {
    return reply.json(status, { ok: false, reason: 42, nested: { deep: [1, 2, 3] } }, headers);
  },

  // --- Transient failures -------------------------------------------------------
  serviceUnavailable(retryAfterSeconds?: number): Reply {
    return reply.problem(503, 'service_unavailable', 'Down for maintenance.', {}, retryAfterHeader(retryAfterSeconds));
  },

  // --- 429 in each header style -----------------------------------------------
  tooManyRequests: {
    /** `Retry-After: <seconds>`. */
    retryAfterSeconds(seconds: number): Reply {
      return reply.problem(429, 'limit_reached', 'Too many requests.', {}, { 'retry-after': String(seconds) });
    },
    /** `Retry-After: <HTTP date>`. */
    retryAfterDate(at: Date): Reply {
      return reply.problem(429, 'limit_reached', 'Too many requests.', {}, { 'retry-after': at.toUTCString() });
    },
    /** The IETF fields only: `RateLimit-Policy` and `RateLimit`, no `Retry-After`. */
    rateLimitFields(policy: string, state: string): Reply {
      return reply.problem(429, 'limit_reached', 'Too many requests.', {}, { 'ratelimit-policy': policy, ratelimit: state });
    },
    /** The classic body, whose `error` sentence holds the time, with no header at all. */
    classicBody(at: Date): Reply {
      return reply.json(429, {
        code: 'limit_reached',
        error: `Please wait and try again after: ${at.toISOString()}`,
        time: new Date().toISOString(),
      });
    },
    /** problem+json with a `retry_after` member and no header. */
    problemBody(at: Date): Reply {
      return reply.problem(429, 'limit_reached', 'Too many requests.', { retry_after: at.toISOString() });
    },
    /** No hint at all: only the status. */
    bare(): Reply {
      return reply.problem(429, 'limit_reached', 'Too many requests.');
    },
  },
} as const;

function retryAfterHeader(seconds: number | undefined): OutgoingHttpHeaders {
  return seconds === undefined ? {} : { 'retry-after': String(seconds) };
}

/**
 * A handler that allows `limit` requests per fixed window of `windowSeconds`,
 * the window starting with the first request after the previous one ended.
 * Every answer carries `RateLimit-Policy` and `RateLimit`; refusals are 429
 * with `Retry-After`. Time is `Date.now()`, so it follows a fake clock.
 */
export function windowLimiter(options: { limit: number; windowSeconds: number; name?: string }): Handler {
  const name = options.name ?? 'burst';
  const windowMs = options.windowSeconds * 1000;
  let windowStart = -Infinity;
  let used = 0;
  return (request) => {
    if (request.clock >= windowStart + windowMs) {
      windowStart = request.clock;
      used = 0;
    }
    const resetSeconds = Math.max(1, Math.ceil((windowStart + windowMs - request.clock) / 1000));
    const policy = `"${name}";q=${options.limit};w=${options.windowSeconds}`;
    if (used >= options.limit) {
      return reply.problem(
        429,
        'limit_reached',
        'Too many requests.',
        {},
        {
          'ratelimit-policy': policy,
          ratelimit: `"${name}";r=0;t=${resetSeconds}`,
          'retry-after': String(resetSeconds),
        },
      );
    }
    used++;
    return reply.json(
      200,
      { n: used },
      { 'ratelimit-policy': policy, ratelimit: `"${name}";r=${options.limit - used};t=${resetSeconds}` },
    );
  };
}
