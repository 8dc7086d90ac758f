import { ApiError, type ApiErrorOptions } from '../api-error.js';
import type { CatalogEntry, CatalogEntryDefinition, ErrorContext, ProfileName } from './catalog-entry.js';

/** What a code becomes on the wire for one profile in one context. */
export interface ResolvedCode {
  /** The code written in the body. */
  readonly code: string;
  readonly status: number;
  readonly entry: CatalogEntry;
}

const codePattern = /^[a-z][a-z0-9_]*$/;
const headerPattern = /^[A-Za-z][A-Za-z0-9-]*$/;
const memberPattern = /^[a-z][a-z0-9_]*$/;
/** Members every profile may write itself; an extension of the same name would be shadowed. */
const reservedMembers = new Set([
  'type',
  'title',
  'status',
  'detail',
  'instance',
  'code',
  'request_id',
  'time',
  'errors',
  'retry_after',
]);

/**
 * A checked, frozen set of error codes. Build one with {@link defineCatalog}.
 */
export class Catalog<C extends string = string> {
  readonly #entries: ReadonlyMap<string, CatalogEntry<C>>;
  readonly #resolved = new Map<string, Map<string, ResolvedCode>>();

  constructor(entries: ReadonlyMap<string, CatalogEntry<C>>) {
    this.#entries = entries;
    // Bound, so `const { error } = catalog` works; a method (not an arrow property) so that
    // a `Catalog<'a' | 'b'>` is assignable to `Catalog` (method parameters are bivariant).
    this.error = this.error.bind(this);
  }

  /** Every entry, in definition order. */
  get entries(): readonly CatalogEntry<C>[] {
    return [...this.#entries.values()];
  }

  /** Every code, in definition order. */
  get codes(): readonly C[] {
    return [...this.#entries.keys()] as C[];
  }

  has(code: string): code is C {
    return this.#entries.has(code);
  }

  /** The entry for a code; throws for a code the catalog does not hold, since that is a programming error. */
  get(code: C): CatalogEntry<C> {
    const entry = this.#entries.get(code);
    if (entry === undefined) throw new TypeError(`Unknown error code "${code}": add it to the catalog first.`);
    return entry;
  }

  /** The entry for any string, or undefined. */
  find(code: string): CatalogEntry<C> | undefined {
    return this.#entries.get(code);
  }

  /**
   * The code and status to send for `code` when `profile` writes it in
   * `context`, after applying the entry's variants. Cached per profile and
   * context, so the hot path is two map look-ups.
   */
  resolve(code: string, profile: ProfileName, context: ErrorContext = 'api'): ResolvedCode | undefined {
    const key = `${profile}:${context}`;
    let table = this.#resolved.get(key);
    if (table === undefined) {
      table = new Map();
      for (const entry of this.#entries.values()) table.set(entry.code, resolveVariants(entry, profile, context));
      this.#resolved.set(key, table);
    }
    return table.get(code);
  }

  /**
   * An {@link ApiError} for a code of this catalog, with the catalog's status
   * and, unless a detail is given, its description as the message.
   */
  error(code: C, options: ApiErrorOptions = {}): ApiError<C> {
    const entry = this.get(code);
    return new ApiError(code, entry.status, options.detail ?? entry.description, options);
  }
}

function resolveVariants(entry: CatalogEntry, profile: ProfileName, context: ErrorContext): ResolvedCode {
  let code = entry.code;
  let status = entry.status;
  for (const variant of entry.variants) {
    if (variant.profile !== undefined && variant.profile !== profile) continue;
    if (variant.context !== undefined && variant.context !== context) continue;
    if (variant.code !== undefined) code = variant.code;
    if (variant.status !== undefined) status = variant.status;
  }
  return { code, status, entry };
}

/**
 * Checks and freezes a catalog. Throws a `TypeError` that names the entry at
 * fault when a code, status, header or variant is malformed, so a bad catalog
 * fails at start-up, not in the middle of an error response.
 *
 * @example
 * const catalog = defineCatalog({
 *   not_found: { status: 404, title: 'Not found', description: '…', action: '…', category: 'not_found', retry: 'never' },
 * });
 */
export function defineCatalog<const D extends Record<string, CatalogEntryDefinition>>(
  definitions: D,
): Catalog<Extract<keyof D, string>> {
  type C = Extract<keyof D, string>;
  const entries = new Map<string, CatalogEntry<C>>();
  for (const [code, definition] of Object.entries(definitions)) {
    const where = `Catalog entry "${code}"`;
    if (!codePattern.test(code)) throw new TypeError(`${where}: a code is lower-case letters, digits and underscores.`);
    if (!Number.isInteger(definition.status) || definition.status < 400 || definition.status > 599) {
      throw new TypeError(`${where}: status ${definition.status} is not an HTTP error status (400-599).`);
    }
    for (const field of ['title', 'description', 'action'] as const) {
      if (typeof definition[field] !== 'string' || definition[field].trim() === '') {
        throw new TypeError(`${where}: "${field}" must be a non-empty string.`);
      }
    }
    for (const header of definition.headers ?? []) {
      if (!headerPattern.test(header)) throw new TypeError(`${where}: "${header}" is not a header name.`);
    }
    for (const [name, member] of Object.entries(definition.extensions ?? {})) {
      if (!memberPattern.test(name) || reservedMembers.has(name)) {
        throw new TypeError(
          `${where}: "${name}" cannot be an extension member (lower-case snake_case, not a member of the body itself).`,
        );
      }
      if (typeof member.description !== 'string' || member.description.trim() === '') {
        throw new TypeError(`${where}: extension member "${name}" needs a description.`);
      }
    }
    for (const variant of definition.variants ?? []) {
      if (variant.code !== undefined && !Object.hasOwn(definitions, variant.code)) {
        throw new TypeError(`${where}: variant code "${variant.code}" is not in the catalog.`);
      }
      if (variant.status !== undefined && (!Number.isInteger(variant.status) || variant.status < 300 || variant.status > 599)) {
        throw new TypeError(`${where}: variant status ${variant.status} is not a redirect or error status.`);
      }
    }
    entries.set(
      code,
      Object.freeze({
        ...definition,
        code: code as C,
        headers: Object.freeze([...(definition.headers ?? [])]),
        variants: Object.freeze([...(definition.variants ?? [])]),
        occursIn: Object.freeze([...(definition.occursIn ?? ['api'])]),
        extensions: Object.freeze({ ...definition.extensions }),
        retryable: definition.retry !== 'never',
      }),
    );
  }
  return new Catalog<C>(entries);
}
