/**
 * The parts of Express 5's router (the `router` package) this file reads:
 * each layer of a stack matches a path; a route layer knows its methods, a
 * layer added with `use(path, router)` holds that router's own stack.
 */
interface RouterLayer {
  match(path: string): false | { readonly path: string };
  readonly route?: { readonly methods: Readonly<Record<string, boolean | undefined>> };
  readonly handle?: { readonly stack?: readonly RouterLayer[] };
}

/** Nested routers deeper than this are not searched: no real app nests so far, and a cycle must end. */
const maxNesting = 32;

/**
 * The methods an Express app routes for `path` (no query string), upper case
 * and sorted, `HEAD` included wherever `GET` is (Express answers it); empty
 * when no route matches the path, or when one takes every method (`all`).
 * Express's router cannot say, when no route matched, whether the path exists
 * with another method: this walks its stacks, routers mounted with `use`
 * included, to tell a 405 from a 404 and to fill `Allow`.
 *
 * Read when a request has matched nothing, so it costs nothing on the
 * requests that reach a route. Sub-applications (`app.use(path, otherApp)`)
 * are not searched: their own `end` middleware answers for their paths.
 *
 * @example
 * ```js
 * app.get('/v1/notes', list);
 * app.post('/v1/notes', create);
 * routedMethods(app.router.stack, '/v1/notes'); // ['GET', 'HEAD', 'POST']
 * routedMethods(app.router.stack, '/v1/elsewhere'); // []
 * ```
 */
export function routedMethods(stack: readonly unknown[] | undefined, path: string): string[] {
  const found = new Set<string>();
  if (stack === undefined) return [];
  let anyMethod = false;
  const walk = (layers: readonly RouterLayer[], rest: string, depth: number): void => {
    for (const layer of layers) {
      let matched: false | { readonly path: string };
      try {
        matched = layer.match(rest);
      } catch {
        // A parameter with a malformed %-escape cannot match anything.
        continue;
      }
      if (matched === false) continue;
      if (layer.route !== undefined) {
        for (const method in layer.route.methods) {
          if (layer.route.methods[method] !== true) continue;
          if (method === '_all') anyMethod = true;
          else found.add(method.toUpperCase());
        }
        continue;
      }
      const inner = layer.handle?.stack;
      if (inner !== undefined && depth < maxNesting) {
        const remaining = rest.slice(matched.path.length);
        walk(inner, remaining.startsWith('/') ? remaining : `/${remaining}`, depth + 1);
      }
    }
  };
  walk(stack as readonly RouterLayer[], path, 0);
  if (anyMethod) return [];
  if (found.has('GET')) found.add('HEAD');
  return [...found].sort();
}
