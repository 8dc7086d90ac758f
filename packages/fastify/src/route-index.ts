import findMyWay, { type HTTPMethod } from 'find-my-way';

/** Router options that change which paths match, copied from the app so both agree. */
export interface RouteMatching {
  readonly ignoreTrailingSlash?: boolean;
  readonly ignoreDuplicateSlashes?: boolean;
  readonly caseSensitive?: boolean;
}

/**
 * A shadow of the app's routes, kept to answer one question Fastify's router
 * cannot: when no route matches a request, does its path exist with another
 * method? That decides between 404 and 405, and fills the `Allow` header.
 */
export class RouteIndex {
  readonly #router;
  readonly #methods = new Set<HTTPMethod>();

  constructor(matching: RouteMatching = {}) {
    this.#router = findMyWay({ ...matching });
  }

  add(method: string, url: string): void {
    const upper = method.toUpperCase() as HTTPMethod;
    if (this.#router.hasRoute(upper, url)) return;
    this.#router.on(upper, url, () => undefined);
    this.#methods.add(upper);
  }

  /** The methods registered for `path` (no query string), in a stable order; empty when the path is unknown. */
  allowedMethods(path: string): string[] {
    const allowed: string[] = [];
    for (const method of this.#methods) if (this.#router.find(method, path) !== null) allowed.push(method);
    return allowed.sort();
  }
}
