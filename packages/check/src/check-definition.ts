import type { ApiDocument } from './discovery/api-document.js';
import type { CatalogIndex } from './catalog-index.js';
import type { Exchange, OperationRef } from './exchange.js';

/** `error` fails the run; `warning` is reported and does not. */
export type Severity = 'error' | 'warning';

/** What one check concluded. `warn` is a failed check of severity `warning`. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** One thing a check found wrong, with the request that showed it. */
export interface Finding {
  readonly message: string;
  readonly exchange?: Exchange;
  /** The part of the response that shows the fault, e.g. a header or a body member. */
  readonly evidence?: string;
}

/** What a check's run returns. */
export interface CheckOutcome {
  /** When set, the check did not apply; says why. */
  readonly skipped?: string;
  readonly findings: readonly Finding[];
  /** What was looked at, for the report: "3 error answers from 3 requests". */
  readonly covered?: string;
}

/** A request a check asks to send. */
export interface Probe {
  readonly method: string;
  /** The path (and query) after the base URL's path, starting with `/`. */
  readonly path: string;
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: string | Buffer;
  readonly announcedLength?: number;
  readonly operation?: OperationRef;
  /** Leave out the credentials given with --header. */
  readonly withoutCredentials?: boolean;
  readonly oauthEndpoint?: boolean;
  readonly unpaced?: boolean;
  /** `path` is from the origin's root, not under the base path (a URL the API itself gave). */
  readonly fromOrigin?: boolean;
}

/** What a check can use while it runs. */
export interface CheckContext {
  /** The base URL: the target's origin and base path. */
  readonly base: URL;
  readonly send: (probe: Probe) => Promise<Exchange>;
  /** The API document, when one was found. */
  readonly document: ApiDocument | undefined;
  /** Paths given with --path, or those of the document's GET operations without parameters. */
  readonly knownPaths: readonly string[];
  readonly catalog: CatalogIndex | undefined;
  /** Whether credentials were given with --header. */
  readonly hasCredentials: boolean;
  /** Every exchange so far, in order. */
  readonly exchanges: readonly Exchange[];
  readonly allowWrites: boolean;
  /** Requests for the rate-limit check, or undefined when it was not asked for. */
  readonly flood: number | undefined;
  /** How many requests may still be sent. */
  readonly requestsLeft: () => number;
  /** Waits, bounded by the caller's signal. */
  readonly sleep: (ms: number) => Promise<void>;
  /** The longest a check may wait for a `Retry-After`. */
  readonly maxWaitMs: number;
}

/**
 * One check of the error contract. Its words (what it sends, what it expects,
 * why it matters and how to fix a failure) are written here once; the report
 * and the docs page both render from them.
 */
export interface CheckDefinition {
  /** Stable: used in the JSON report, JUnit, and the docs anchor. */
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly severity: Severity;
  /**
   * `probe` checks send requests; `flood` runs after them (its 429s would spoil
   * their answers); `review` checks then read every answer the others got.
   */
  readonly phase: 'probe' | 'flood' | 'review';
  readonly sends: string;
  readonly expects: string;
  /** Why it matters, for the person reading a failure. */
  readonly why: string;
  readonly remedy: string;
  run(context: CheckContext): Promise<CheckOutcome>;
}
