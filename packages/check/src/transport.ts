import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { HttpResponseReader, type ReadResponse } from './http-response-reader.js';

/**
 * The one way `faultline check` reaches the network. Every request goes over
 * a fresh raw socket to the target's origin and nowhere else, so it can send
 * what fetch will not (an oversized header block, a body that announces more
 * than it sends), and every bound lives here: the request budget, the pace,
 * the time per request and the bytes read of any body. Redirects are never
 * followed: a 3xx is an answer like any other.
 */
export interface TransportLimits {
  /** At most this many requests in the whole run. */
  readonly maxRequests: number;
  /** At most this many requests per second. */
  readonly rate: number;
  /** A request with no complete answer after this long is given up. */
  readonly timeoutMs: number;
  /** Only this many bytes of any answer's body are read. */
  readonly maxBodyBytes: number;
  /** The API document and the catalog the user pointed at may be larger; still bounded. */
  readonly maxDocumentBytes: number;
}

/** A request as it goes on the wire. */
export interface WireRequest {
  readonly method: string;
  /** The request target: a path and query, starting with `/`. */
  readonly target: string;
  /** Besides Host and Connection, which the transport writes. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
  /**
   * Announce this Content-Length instead of the body's own, and send only the
   * body given: for asking whether a server refuses a large body from its
   * announced length, without sending it.
   */
  readonly announcedLength?: number;
  /** Sent without waiting for the pace (the opt-in flood). */
  readonly unpaced?: boolean;
  /** A document the user pointed at (read up to `maxDocumentBytes`), not a probe. */
  readonly document?: boolean;
}

/** How a request failed to get an answer. */
export type WireFailure =
  | { readonly kind: 'budget'; readonly message: string }
  | { readonly kind: 'unreachable'; readonly message: string }
  | { readonly kind: 'timeout'; readonly message: string }
  | { readonly kind: 'reset'; readonly message: string }
  | { readonly kind: 'malformed'; readonly message: string };

type Answer = { readonly ok: true; readonly response: ReadResponse } | { readonly ok: false; readonly failure: WireFailure };

export type WireResult = Answer & { readonly ms: number };

export class Transport {
  private sent = 0;
  private nextSlot = 0;
  /** Called after each request, for the progress line. */
  onSent: ((count: number) => void) | undefined;

  constructor(
    /** The origin every request goes to, e.g. `http://127.0.0.1:3000`. */
    readonly origin: URL,
    readonly limits: TransportLimits,
  ) {}

  /** How many requests have been sent. */
  get count(): number {
    return this.sent;
  }

  /** How many more may be sent. */
  get left(): number {
    return Math.max(0, this.limits.maxRequests - this.sent);
  }

  async send(request: WireRequest): Promise<WireResult> {
    if (this.sent >= this.limits.maxRequests) {
      return {
        ok: false,
        ms: 0,
        failure: { kind: 'budget', message: `the budget of ${this.limits.maxRequests} requests is spent` },
      };
    }
    this.sent += 1;
    if (request.unpaced !== true) await this.pace();
    const started = performance.now();
    const result = await this.exchange(request);
    this.onSent?.(this.sent);
    return { ...result, ms: Math.round(performance.now() - started) };
  }

  /** Waits for the next free slot at the configured rate. */
  private async pace(): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.limits.rate;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }

  private exchange(request: WireRequest): Promise<Answer> {
    const { origin, limits } = this;
    const secure = origin.protocol === 'https:';
    const host = origin.hostname.replace(/^\[|\]$/g, '');
    const port = Number(origin.port || (secure ? 443 : 80));
    const reader = new HttpResponseReader(
      request.document === true ? limits.maxDocumentBytes : limits.maxBodyBytes,
      request.method === 'HEAD',
    );
    return new Promise((resolve) => {
      let settled = false;
      let connected = false;
      const socket: Socket = secure
        ? connectTls({ host, port, ALPNProtocols: ['http/1.1'], ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }) })
        : connectTcp({ host, port });
      const finish = (result: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(result);
      };
      const answerOr = (failure: WireFailure) => {
        const response = reader.result(true);
        if (response !== undefined) finish({ ok: true, response });
        else
          finish({
            ok: false,
            failure: reader.malformed === undefined ? failure : { kind: 'malformed', message: reader.malformed },
          });
      };
      const timer = setTimeout(
        () => answerOr({ kind: 'timeout', message: `no answer within ${limits.timeoutMs} ms` }),
        limits.timeoutMs,
      );
      socket.on(secure ? 'secureConnect' : 'connect', () => {
        connected = true;
        // A server may answer and close before it has read everything; what it answered still counts.
        socket.write(serialize(request, origin), () => undefined);
      });
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        if (reader.finished) answerOr({ kind: 'malformed', message: 'unreadable answer' });
      });
      socket.on('end', () => answerOr({ kind: 'reset', message: 'the server closed the connection without an answer' }));
      socket.on('close', () => answerOr({ kind: 'reset', message: 'the server closed the connection without an answer' }));
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (!connected) {
          finish({
            ok: false,
            failure: { kind: 'unreachable', message: `could not connect to ${origin.host}: ${error.code ?? error.message}` },
          });
          return;
        }
        answerOr({ kind: 'reset', message: `the connection failed: ${error.code ?? error.message}` });
      });
    });
  }
}

/** The request's bytes: request line, Host, the headers given, Connection: close, the body. */
function serialize(request: WireRequest, origin: URL): Buffer {
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${origin.host}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (request.body !== undefined || request.announcedLength !== undefined) {
    lines.push(`Content-Length: ${request.announcedLength ?? body.length}`);
  }
  lines.push('Connection: close', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}
