import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * Which proxies to trust, as Fastify's `trustProxy` and Express's
 * `trust proxy` take it: `true` trusts every hop (the client is the first
 * address of `X-Forwarded-For`), a number that many hops from the server, a
 * string or list of addresses and subnets (`'loopback'`, `'10.0.0.0/8'`, …)
 * those proxies, a function each address it says to.
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/**
 * The client's address from the forwarded headers, trusting the proxies
 * `trust` names (the same rule as Fastify's and Express's, by the same
 * library); undefined when nothing is trusted.
 */
export function forwardedClientAddress(trust: TrustProxy): ((request: IncomingMessage) => string | undefined) | undefined {
  if (trust === false) return undefined;
  let trusted: (address: string, hop: number) => boolean;
  if (trust === true) trusted = () => true;
  else if (typeof trust === 'number') trusted = (_address, hop) => hop < trust;
  else if (typeof trust === 'function') trusted = trust;
  else {
    // A bad address or subnet throws here, where the server is guarded, naming it.
    trusted = proxyAddr.compile(typeof trust === 'string' ? trust.split(',').map((each) => each.trim()) : [...trust]);
  }
  return (request) => proxyAddr(request, trusted);
}
