import type { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';

/** Hono's marker for middleware (`app.use`) and `app.all` routes: they match every method, so they never make a 405. */
const anyMethod = 'ALL';

/**
 * Which methods a path has, learned from the app's own `app.routes` and
 * matched by Hono's own router, so `/notes/:id{[0-9]+}`, optional parameters
 * and wildcards mean here what they mean to the app. Hono answers a known path
 * with another method as a 404; this is what tells the two apart.
 *
 * Built on first use and again whenever the app has gained routes since, so
 * routes added after the Faultline middleware still count.
 */
export class MethodIndex {
  readonly #app: Pick<Hono, 'routes'>;
  #router = new TrieRouter<string>();
  #indexed = -1;

  constructor(app: Pick<Hono, 'routes'>) {
    this.#app = app;
  }

  /** The methods `path` has, sorted, `HEAD` wherever `GET` is (Hono answers it); empty when the path is unknown. */
  allowedMethods(path: string): string[] {
    this.#refresh();
    // Every route is filed under ALL, its method as the handler: one match lists them all.
    const [matched] = this.#router.match(anyMethod, path);
    if (matched.length === 0) return [];
    const methods = new Set<string>();
    for (const [method] of matched) {
      methods.add(method);
      if (method === 'GET') methods.add('HEAD');
    }
    return [...methods].sort();
  }

  #refresh(): void {
    const routes = this.#app.routes;
    if (routes.length === this.#indexed) return;
    const router = new TrieRouter<string>();
    for (const route of routes) {
      const method = route.method.toUpperCase();
      if (method !== anyMethod) router.add(anyMethod, route.path, method);
    }
    this.#router = router;
    this.#indexed = routes.length;
  }
}
