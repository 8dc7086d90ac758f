import { randomUUID } from 'node:crypto';
import type { Catalog } from '@faultline/core';
import { idempotencyErrors } from './idempotency-errors.js';
import type { Completion, ExistingRecord, IdempotencyStore } from './idempotency-store.js';
import { MemoryIdempotencyStore } from './memory-store.js';
import { storeFailed, type RequestAdmission } from './request-admission.js';
import { recordKeys, requestFingerprint, type RequestIdentity } from './request-fingerprint.js';
import { isPlainAnswer, openAnswer, plainAnswer, readPlainAnswer, sealAnswer, type StoredAnswer } from './stored-answer.js';

/** Per operation: keys ignored, accepted, or demanded. */
export type IdempotencyMode = 'off' | 'optional' | 'required';

export interface IdempotencyOptions {
  /** Where records live. Default: {@link MemoryIdempotencyStore}, this process only. */
  readonly store?: IdempotencyStore;
  /** How long an answer is replayed, in ms. Default 24 hours. */
  readonly answerTtlMs?: number;
  /**
   * How long a request may hold its key before its claim is presumed dead
   * (the process was killed, the request hung) and the key may be used again,
   * in ms. Longer than the slowest request. Default 60 seconds.
   */
  readonly claimTtlMs?: number;
  /**
   * Whether a 5xx answer (other than 503) is stored and replayed. True by
   * default, as Stripe does: the store cannot know whether the work partly
   * happened before the failure, so a retry must not run it again blindly.
   * Set false only where the answer is recorded in the same transaction as
   * the work, so a 5xx means nothing was committed and a retry is safe.
   */
  readonly keepServerErrors?: boolean;
  /**
   * Whether stored answers are sealed (AES-256-GCM, with a secret derived
   * from the key, which the store never sees), so a leaked store leaks no
   * answer, and an altered one is never replayed. True by default. A request
   * may say otherwise ({@link AdmitOptions.sealAnswer}) for an answer that
   * holds no secret: sealing costs about 10 µs of CPU per answer.
   */
  readonly sealAnswers?: boolean;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Per request, for {@link Idempotency.admit} and {@link Idempotency.prepare}. */
export interface AdmitOptions {
  /**
   * Whether this request's answer is stored sealed; default
   * {@link IdempotencyOptions.sealAnswers}. Say false only for an answer with
   * no secret in it (a new API key, a token or a client secret must be
   * sealed): a plain answer can be read by anyone who reads the store.
   */
  readonly sealAnswer?: boolean;
}

/** What to do with a request that carries a key; see {@link Idempotency.admit}. */
export type Admission =
  /** The request holds the key: run it, then {@link Idempotency.finish} (or {@link Idempotency.abandon}). */
  | { readonly kind: 'execute'; readonly claim: Claim }
  /** The same request ran before: answer this, marked `Idempotent-Replayed: true`, without running it. */
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  /** The key was used for a different request: 422. */
  | { readonly kind: 'reused' }
  /** The first request with this key is still running: 409, retry after this many seconds. */
  | { readonly kind: 'in_progress'; readonly retryAfterSeconds: number };

/**
 * A request's hold on its key. Made by {@link Idempotency.admit} once the
 * store granted it (`taken`), or by {@link Idempotency.prepare} for a route
 * that claims the key in the transaction of its own work: it reads the
 * record there ({@link Claim.judge}), writes {@link Claim.completion} beside
 * the work, and calls {@link Claim.markRecorded}.
 */
export class Claim {
  readonly id: string;
  readonly token: string;
  readonly fingerprint: string;
  /** Whether a store granted this claim; false for a claim the route takes in its own transaction. */
  readonly taken: boolean;
  /** Whether the answer is stored sealed; see {@link IdempotencyOptions.sealAnswers}. */
  readonly sealed: boolean;
  readonly #sealKey: Buffer;
  readonly #answerTtlMs: number;
  readonly #now: () => number;
  #settled = false;

  constructor(
    id: string,
    fingerprint: string,
    sealKey: Buffer,
    answerTtlMs: number,
    now: () => number,
    taken: boolean,
    sealed = true,
  ) {
    this.id = id;
    this.token = randomUUID();
    this.fingerprint = fingerprint;
    this.taken = taken;
    this.sealed = sealed;
    this.#sealKey = sealKey;
    this.#answerTtlMs = answerTtlMs;
    this.#now = now;
  }

  /**
   * What a live record found for this key means for this request: the
   * replay of its answer, `reused` for another request's record, or
   * `in_progress` while the record's request still runs.
   */
  judge(existing: ExistingRecord): Exclude<Admission, { kind: 'execute' }> {
    if (existing.fingerprint !== this.fingerprint) return { kind: 'reused' };
    if (existing.state === 'running') {
      const left = Math.ceil((existing.expiresAt - this.#now()) / 1000);
      return { kind: 'in_progress', retryAfterSeconds: Math.max(1, Math.min(left, 5)) };
    }
    // A sealed answer opens whatever this request's choice; a plain one is taken only where answers may be plain,
    // so a record altered into plain text is never replayed for a route whose answers hold secrets.
    const answer = isPlainAnswer(existing.answer)
      ? this.sealed
        ? undefined
        : readPlainAnswer(existing.answer)
      : openAnswer(existing.answer, this.#sealKey);
    // Same scope, key and request, but the answer does not open: the record was altered. Never replay it.
    if (answer === undefined) return { kind: 'reused' };
    return { kind: 'replay', answer };
  }

  /** Whether the answer was stored or the claim released; nothing is left to do. */
  get settled(): boolean {
    return this.#settled;
  }

  /** The completion for `answer`: sealed (or plain), with its expiry, ready for a store's `complete` or a transaction of the work. */
  completion(answer: StoredAnswer): Completion {
    return {
      id: this.id,
      token: this.token,
      fingerprint: this.fingerprint,
      answer: this.sealed ? sealAnswer(answer, this.#sealKey) : plainAnswer(answer),
      expiresAt: this.#now() + this.#answerTtlMs,
    };
  }

  /** Says the answer was recorded elsewhere (in the work's own transaction). */
  markRecorded(): void {
    this.#settled = true;
  }
}

/**
 * The framework-neutral heart of idempotent requests: admits a request with
 * an `Idempotency-Key` (claim, replay, reused key, or still in progress), and
 * stores its answer when it finishes. Framework adapters call it from their
 * hooks; see `@faultline/fastify`'s `idempotency` plugin.
 *
 * @example
 * const idempotency = new Idempotency({ store: new RedisIdempotencyStore({ client: redis }) });
 * const admission = await idempotency.admit({ key, scope: teamId, method: 'POST', path: '/v1/orders', body });
 * if (admission.kind === 'execute') {
 *   const answer = await run();
 *   await idempotency.finish(admission.claim, answer);
 * }
 */
export class Idempotency {
  readonly store: IdempotencyStore;
  readonly answerTtlMs: number;
  readonly claimTtlMs: number;
  readonly keepServerErrors: boolean;
  readonly sealAnswers: boolean;
  readonly #now: () => number;

  constructor(options: IdempotencyOptions = {}) {
    this.store = options.store ?? new MemoryIdempotencyStore();
    this.answerTtlMs = duration('answerTtlMs', options.answerTtlMs ?? 24 * 60 * 60 * 1000);
    this.claimTtlMs = duration('claimTtlMs', options.claimTtlMs ?? 60_000);
    this.keepServerErrors = options.keepServerErrors ?? true;
    this.sealAnswers = options.sealAnswers ?? true;
    this.#now = options.now ?? Date.now;
  }

  /** Claims the key for this request, or says why it must not run. */
  async admit(identity: RequestIdentity, options: AdmitOptions = {}): Promise<Admission> {
    const prepared = this.#claimFor(identity, true, options);
    const existing = await this.#claimInStore(prepared);
    return existing === undefined ? { kind: 'execute', claim: prepared } : prepared.judge(existing);
  }

  /**
   * {@link admit} as a framework adapter answers it, in one place for every
   * adapter: a reused key or one in use becomes its catalog error (422, 409
   * with `Retry-After`), and a store that fails (unreachable, timed out)
   * becomes 503 `service_unavailable` with a retry time, since nothing was
   * done, with `storeFailure` saying what to log: a failing store never
   * rejects it. The step before it, from the request's header to its key, is
   * `checkIdempotencyKey`.
   *
   * @example
   * const admission = await idempotency.admitRequest({ key, scope: teamId, method: 'POST', path: '/v1/orders', body }, catalog);
   * if (admission.kind === 'error') {
   *   if (admission.storeFailure) log.error({ err: admission.storeFailure.error }, admission.storeFailure.message);
   *   throw admission.error; // 409, 422 or 503
   * }
   * if (admission.kind === 'replay') return replay(admission.answer);
   * const answer = await run();
   * await idempotency.finish(admission.claim, answer);
   */
  async admitRequest(identity: RequestIdentity, catalog: Catalog, options: AdmitOptions = {}): Promise<RequestAdmission> {
    // admit()'s steps, not a call to it: this runs on every keyed request, and another promise to wait for costs.
    let admission: Admission;
    try {
      const prepared = this.#claimFor(identity, true, options);
      const existing = await this.#claimInStore(prepared);
      admission = existing === undefined ? { kind: 'execute', claim: prepared } : prepared.judge(existing);
    } catch (error) {
      return storeFailed(catalog, error);
    }
    if (admission.kind === 'execute' || admission.kind === 'replay') return admission;
    return { kind: 'error', error: idempotencyErrors.refused(catalog, admission) };
  }

  /**
   * A claim the store has not granted, for a route that claims the key in
   * the transaction of its own work (see {@link Claim}). Nothing is stored.
   */
  prepare(identity: RequestIdentity, options: AdmitOptions = {}): Claim {
    return this.#claimFor(identity, false, options);
  }

  /** Asks the store for the key: undefined when this claim took it, else the live record that holds it. */
  #claimInStore(claim: Claim): Promise<ExistingRecord | undefined> {
    const now = this.#now();
    return this.store.claim({
      id: claim.id,
      fingerprint: claim.fingerprint,
      token: claim.token,
      expiresAt: now + this.claimTtlMs,
      now,
    });
  }

  #claimFor(identity: RequestIdentity, taken: boolean, options: AdmitOptions): Claim {
    const { id, sealKey } = recordKeys(identity.scope, identity.key);
    const sealed = options.sealAnswer ?? this.sealAnswers;
    return new Claim(id, requestFingerprint(identity), sealKey, this.answerTtlMs, this.#now, taken, sealed);
  }

  /**
   * Whether an answer with this status is stored for replay. Answers that say
   * "nothing was done, try again" are not, so they do not burn the key: 408,
   * 425, 429 and 503 (refused before any work, or shed); 5xx others only with
   * `keepServerErrors`. Everything else, errors of the request included, is.
   */
  keeps(status: number): boolean {
    if (status === 408 || status === 425 || status === 429 || status === 503) return false;
    if (status >= 500) return this.keepServerErrors;
    return true;
  }

  /**
   * Stores the answer (or releases the key, for an answer {@link keeps}
   * refuses). Resolves `lost` when the claim had expired and another request
   * took the key meanwhile.
   */
  async finish(claim: Claim, answer: StoredAnswer): Promise<'stored' | 'released' | 'lost'> {
    if (claim.settled) return 'stored';
    if (!this.keeps(answer.status)) {
      await this.abandon(claim);
      return 'released';
    }
    const stored = await this.store.complete(claim.completion(answer));
    claim.markRecorded();
    return stored ? 'stored' : 'lost';
  }

  /** Releases the key without an answer: the request ended without one worth keeping. */
  async abandon(claim: Claim): Promise<void> {
    if (claim.settled) return;
    claim.markRecorded();
    await this.store.release(claim.id, claim.token);
  }
}

function duration(name: string, value: number): number {
  if (Number.isInteger(value) && value >= 1) return value;
  throw new TypeError(`${name} must be a whole number of milliseconds from 1, not ${value}.`);
}
