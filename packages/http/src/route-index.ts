/** How paths match patterns; set them as the framework's router is set, so both agree. */
export interface RouteIndexOptions {
  /** `/Things` and `/things` are different paths. Default: true. */
  readonly caseSensitive?: boolean;
  /** `/things/` matches `/things` and the other way round. Default: false. */
  readonly ignoreTrailingSlash?: boolean;
}

/**
 * Turns a route pattern into a regular expression over paths. It reads the
 * patterns of Express 5 and Hono: `:name` (with a Hono `{regex}` or a
 * `(regex)` constraint, which is not checked: any one segment matches),
 * `:name?` (Hono's optional last segment), `*` and `*name` (the rest of the
 * path), and `{...}` (Express 5's optional part).
 */
function patternToRegExp(pattern: string, options: Required<RouteIndexOptions>): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (char === ':') {
      let end = index + 1;
      while (end < pattern.length && /[A-Za-z0-9_$"]/.test(pattern[end] as string)) end++;
      // A constraint after the name: `{...}` (Hono) or `(...)`, skipped with what it nests.
      const open = pattern[end];
      if (open === '{' || open === '(') {
        const close = open === '{' ? '}' : ')';
        let depth = 0;
        for (; end < pattern.length; end++) {
          if (pattern[end] === open) depth++;
          else if (pattern[end] === close && --depth === 0) {
            end++;
            break;
          }
        }
      }
      if (pattern[end] === '?' && source.endsWith('/')) {
        source = `${source.slice(0, -1)}(?:/[^/]+)?`;
        end++;
      } else source += '[^/]+';
      index = end - 1;
    } else if (char === '*') {
      let end = index + 1;
      while (end < pattern.length && /[A-Za-z0-9_$]/.test(pattern[end] as string)) end++;
      source += '.*';
      index = end - 1;
    } else if (char === '{') source += '(?:';
    else if (char === '}') source += ')?';
    else source += char.replace(/[.+?^$()|[\]\\]/g, '\\$&');
  }
  if (options.ignoreTrailingSlash) source = `${source.replace(/\/$/, '')}/?`;
  return new RegExp(`^${source}$`, options.caseSensitive ? '' : 'i');
}

/**
 * The routes of an app by method, kept to answer one question routers do not:
 * when no route matches a request, does its path exist with another method?
 * That decides between 404 and 405 (see `noRouteError`), and fills `Allow`.
 *
 * @example
 * ```ts
 * const routes = new RouteIndex();
 * routes.add('GET', '/v1/things/:id');
 * routes.add('DELETE', '/v1/things/:id');
 * routes.allowedMethods('/v1/things/7'); // ['DELETE', 'GET']
 * routes.allowedMethods('/v1/nope'); // []
 * ```
 */
export class RouteIndex {
  readonly #options: Required<RouteIndexOptions>;
  readonly #byMethod = new Map<string, RegExp[]>();
  readonly #patterns = new Set<string>();

  constructor(options: RouteIndexOptions = {}) {
    this.#options = {
      caseSensitive: options.caseSensitive ?? true,
      ignoreTrailingSlash: options.ignoreTrailingSlash ?? false,
    };
  }

  /** Records that `pattern` answers `method` (any case; kept in upper case). Adding a route twice is harmless. */
  add(method: string, pattern: string): void {
    const upper = method.toUpperCase();
    const id = `${upper} ${pattern}`;
    if (this.#patterns.has(id)) return;
    this.#patterns.add(id);
    const list = this.#byMethod.get(upper) ?? [];
    list.push(patternToRegExp(pattern, this.#options));
    this.#byMethod.set(upper, list);
  }

  /** The methods registered for `path` (no query string), sorted; empty when the path is unknown. */
  allowedMethods(path: string): string[] {
    const allowed: string[] = [];
    for (const [method, patterns] of this.#byMethod) if (patterns.some((each) => each.test(path))) allowed.push(method);
    return allowed.sort();
  }
}
