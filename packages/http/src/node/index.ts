/**
 * @faultline/http/node: the parts of the contract that work on a `node:http`
 * server itself, below any framework: the per-address connection cap (or
 * behind a proxy, the cap on each forwarded address's requests), the
 * answers written straight to a socket, and the server's timeouts.
 * @packageDocumentation
 */
export { clientLimitRetryAfterSeconds, defaultMaxConnectionsPerClient, limitConnectionsPerClient } from './client-limit.js';
export {
  answerClientError,
  answerConnect,
  answerIdleTimeout,
  answerOnSocket,
  answerOutsideApp,
  answerStarted,
} from './raw-socket-responses.js';
export {
  applyServerTimeouts,
  defaultServerTimeouts,
  resolveServerTimeouts,
  type ServerTimeoutOptions,
  type ServerTimeouts,
} from './server-timeouts.js';
export { RequestsPerClient, limitRequestsPerClient } from './request-limit.js';
export { guardNodeServer, type NodeServerGuardOptions } from './guard-node-server.js';
