import type { CheckStatus, Severity } from '../check-definition.js';
import type { ErrorShapeName } from '../error-shape.js';

/**
 * The report of one run: what `checkApi` resolves to and what
 * `faultline check --format json` prints. Its schema is versioned by
 * `schemaVersion`: fields are only ever added within a version; a change that
 * removes or retypes one makes a new version.
 */
export interface CheckReport {
  readonly schemaVersion: 1;
  /** The base URL checked. */
  readonly target: string;
  /** When the run started (ISO 8601). */
  readonly startedAt: string;
  readonly durationMs: number;
  /** Requests sent, the document's and catalog's included. */
  readonly requests: number;
  /** False when a check of severity `error` failed, or the target could not be reached. */
  readonly ok: boolean;
  /** Set when the target could not be reached; no check ran. */
  readonly unreachable?: string;
  /** The API document the checks used, or null when none was found. */
  readonly document: { readonly source: string; readonly openapi: string; readonly operations: number } | null;
  /** Why no document was used, when none was given and the default one was not there. */
  readonly documentMissing?: string;
  readonly catalog: { readonly source: string; readonly codes: number } | null;
  /** The envelope most error bodies were written in; null when no error body was seen. */
  readonly shape: ErrorShapeName | null;
  readonly summary: { readonly pass: number; readonly fail: number; readonly warn: number; readonly skip: number };
  readonly checks: readonly CheckResult[];
}

/** One check's result. */
export interface CheckResult {
  /** Stable, e.g. `unknown-path-404`. */
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly severity: Severity;
  readonly status: CheckStatus;
  /** Where the check is explained, with its anchor. */
  readonly docsUrl: string;
  readonly expects: string;
  /** How to fix a failure; written once in the check's definition. */
  readonly remedy: string;
  /** Why it was skipped, when it was. */
  readonly skipped?: string;
  /** What was looked at. */
  readonly covered?: string;
  readonly findings: readonly FindingReport[];
}

/** One fault, with the exact request and the relevant part of the answer. */
export interface FindingReport {
  readonly message: string;
  /** The part of the answer that shows it (a header, a body member). */
  readonly evidence?: string;
  readonly request?: {
    readonly method: string;
    /** The full URL. */
    readonly url: string;
    readonly headers: readonly (readonly [string, string])[];
    readonly body?: string;
    readonly announcedLength?: number;
  };
  readonly response?: {
    readonly status: number;
    readonly headers: readonly (readonly [string, string])[];
    /** At most the first 2000 characters. */
    readonly body: string;
    readonly bodyCut: boolean;
  };
  /** How the request failed to get an answer (a timeout, a reset). */
  readonly failure?: string;
}
