/**
 * Where idempotency records live. One record per scope and key, found by an
 * id derived from both (see `recordKeys`); it is either `running` (claimed by
 * a request in progress until `expiresAt`, after which the claim is dead and
 * may be taken again) or `done` (holding the answer, sealed unless the request
 * said otherwise, until `expiresAt`).
 *
 * A store must make {@link IdempotencyStore.claim} atomic: of many requests
 * claiming one id at once, exactly one gets `undefined`.
 */
export interface IdempotencyStore {
  /**
   * Takes the record for this request unless a live one exists (an expired
   * record counts as none and is replaced). Resolves `undefined` when this
   * request now holds the claim, or with the live record that stopped it.
   */
  claim(claim: NewClaim): Promise<ExistingRecord | undefined>;
  /**
   * Stores the answer, if the claim is still this request's (the
   * token matches a `running` record); resolves whether it was.
   */
  complete(completion: Completion): Promise<boolean>;
  /** Drops the claim, if it is still this request's, so the key can be used again at once. */
  release(id: string, token: string): Promise<void>;
}

/** A claim as a store writes it. */
export interface NewClaim {
  readonly id: string;
  readonly fingerprint: string;
  /** Unique to this request: only it may complete or release the claim. */
  readonly token: string;
  /** When the claim dies if the request never finishes, in ms since the epoch. */
  readonly expiresAt: number;
  /** The time of the claim, in ms since the epoch, to tell expired records from live ones. */
  readonly now: number;
}

/** A finished request's answer, for {@link IdempotencyStore.complete}. */
export interface Completion {
  readonly id: string;
  readonly token: string;
  /** The request's fingerprint, as claimed: kept with the answer, so a different request with the key is told apart. */
  readonly fingerprint: string;
  /** The answer, sealed with the key's own secret (see `sealAnswer`), or plain JSON for an answer without secrets (`plainAnswer`). */
  readonly answer: string;
  /** When the answer is forgotten, in ms since the epoch. */
  readonly expiresAt: number;
}

/** A live record that stopped a claim. */
export type ExistingRecord =
  | { readonly state: 'running'; readonly fingerprint: string; readonly expiresAt: number }
  | { readonly state: 'done'; readonly fingerprint: string; readonly expiresAt: number; readonly answer: string };
