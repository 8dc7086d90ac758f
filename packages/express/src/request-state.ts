import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteContract } from '@faultline/http';
import type { Logger } from './logger.js';
import type { FaultlineExpressSettings } from './settings.js';
import { defaultState } from './default-state.js';

/**
 * A request as the middleware reads it: Node's, with what Express 5 adds.
 * Typed structurally, so the package needs no `@types/express` and its
 * middleware fits `app.use()` whatever Express types an app uses.
 */
export interface ExpressRequest extends IncomingMessage {
  /** The request id, set by the contract's `start` middleware. */
  id?: string;
  body?: unknown;
  readonly originalUrl?: string;
  readonly params?: Readonly<Record<string, string | string[]>>;
  readonly query?: unknown;
  readonly ip?: string | undefined;
  readonly app?: { readonly router?: { readonly stack?: readonly unknown[] }; get?(setting: string): unknown };
  /** What `apiKeyAuth` let the request in with: the key, or what its `verify` returned. */
  apiKey?: unknown;
  /** pino-http's per-request logger, preferred when present. */
  readonly log?: Logger;
}

/** Express's `next`: no argument to go on, an error to answer with. */
export type Next = (error?: unknown) => void;

/** A middleware of the package, as Express calls it. */
export type Middleware = (request: ExpressRequest, response: ServerResponse, next: Next) => void;

/** An error-handling middleware: Express tells it apart by its four parameters. */
export type ErrorMiddleware = (error: unknown, request: ExpressRequest, response: ServerResponse, next: Next) => void;

/** What the middleware of one contract share, reached from each request. */
export interface ContractState {
  readonly settings: FaultlineExpressSettings;
  readonly catalog: FaultlineExpressSettings['catalog'];
  /** The request's logger: pino-http's `req.log` when there is one, else the contract's. */
  logger(request: ExpressRequest): Logger;
}

const kState = Symbol('faultline.express.contract');

/** Ties a request to its contract; the contract's `start` middleware calls it. */
export function bindContract(request: ExpressRequest, state: ContractState): void {
  (request as unknown as Record<symbol, ContractState>)[kState] = state;
}

/**
 * The contract a request passed through, or the defaults (the built-in
 * catalog, the `problem` profile, logs on stderr) when the app uses a
 * middleware of the package without the contract's `start`.
 */
export function contractOf(request: ExpressRequest): ContractState {
  return (request as unknown as Record<symbol, ContractState | undefined>)[kState] ?? defaultState();
}

const kRoute = Symbol('faultline.express.route');

/** The route's format, set by {@link errorFormat}; undefined for most routes. */
export function routeContractOf(request: ExpressRequest): RouteContract | undefined {
  return (request as unknown as Record<symbol, RouteContract | undefined>)[kRoute];
}

/**
 * A middleware that sets how the errors of the routes after it are written:
 * a forced profile, or the context that picks a code's variant.
 *
 * @example
 * ```js
 * app.post('/oauth/token', errorFormat({ profile: 'oauth', context: 'oauth-token' }), contract.json(), issueToken);
 * ```
 */
export function errorFormat(format: RouteContract): Middleware {
  return function faultlineErrorFormat(request, _response, next) {
    (request as unknown as Record<symbol, RouteContract>)[kRoute] = format;
    next();
  };
}
