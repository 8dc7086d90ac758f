import { createHash } from 'node:crypto';
import type { Completion, ExistingRecord, IdempotencyStore, NewClaim } from './idempotency-store.js';

/** What {@link RedisIdempotencyStore} needs of a Redis client: an ioredis `Redis` or `Cluster` satisfies it. */
export interface IdempotencyRedisClient {
  evalsha(sha: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
}

export interface RedisIdempotencyStoreOptions {
  /** A client the caller owns, connects and quits. */
  readonly client: IdempotencyRedisClient;
  /** Put before every key. Default `faultline:idempotency:`. */
  readonly prefix?: string;
  /** How long one command may take before it fails (the request then gets a 503 and may retry). Default 1,000 ms. */
  readonly timeoutMs?: number;
}

/*
 * Each record is one Redis string, "state|token|fingerprint|answer", expiring
 * with PX at its own expiry, so Redis forgets dead claims and old answers by
 * itself. Every step is one Lua script, atomic on the server: of many
 * processes claiming a key at once, one SETs it.
 */

/** KEYS[1] the record; ARGV: the new record, its ttl in ms. Returns nil when claimed, else the record found. */
const claimScript = `
local found = redis.call('GET', KEYS[1])
if found then return {found, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

/** KEYS[1] the record; ARGV: the token, the done record, its ttl in ms. Returns 1 when the claim was still ours. */
const completeScript = `
local found = redis.call('GET', KEYS[1])
if not found or string.sub(found, 1, 8 + #ARGV[1]) ~= 'running|' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/** KEYS[1] the record; ARGV: the token. */
const releaseScript = `
local found = redis.call('GET', KEYS[1])
if found and string.sub(found, 1, 8 + #ARGV[1]) == 'running|' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const scripts = {
  claim: { source: claimScript, sha: sha1(claimScript) },
  complete: { source: completeScript, sha: sha1(completeScript) },
  release: { source: releaseScript, sha: sha1(releaseScript) },
};

/**
 * Records in Redis, shared by every process of the app: a key claimed by one
 * process is seen as in progress by the others, and its answer is replayed by
 * any of them. Claims are atomic (one Lua script each, as `SET NX PX` with a
 * look at the record it found); records expire in Redis by themselves.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const store = new RedisIdempotencyStore({ client: new Redis(process.env.REDIS_URL) });
 * const idempotency = new Idempotency({ store });
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #client: IdempotencyRedisClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  constructor(options: RedisIdempotencyStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'faultline:idempotency:';
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  async claim(claim: NewClaim): Promise<ExistingRecord | undefined> {
    const ttl = Math.max(1, claim.expiresAt - claim.now);
    const found = await this.#run(scripts.claim, claim.id, `running|${claim.token}|${claim.fingerprint}|`, String(ttl));
    if (found === null || found === undefined || found === 0 || !Array.isArray(found)) return undefined;
    const [record, pttl] = found as [string, number];
    const [state, , fingerprint = '', ...answer] = record.split('|');
    const expiresAt = claim.now + Math.max(0, Number(pttl));
    if (state === 'done') return { state: 'done', fingerprint, expiresAt, answer: answer.join('|') };
    return { state: 'running', fingerprint, expiresAt };
  }

  async complete(completion: Completion): Promise<boolean> {
    const ttl = Math.max(1, completion.expiresAt - Date.now());
    const result = await this.#run(
      scripts.complete,
      completion.id,
      completion.token,
      `done|${completion.token}|${completion.fingerprint}|${completion.answer}`,
      String(ttl),
    );
    return Number(result) === 1;
  }

  async release(id: string, token: string): Promise<void> {
    await this.#run(scripts.release, id, token);
  }

  /** Runs a script by its hash, loading it on the first NOSCRIPT; fails after `timeoutMs`. */
  #run(script: { source: string; sha: string }, id: string, ...args: string[]): Promise<unknown> {
    const key = this.#prefix + id;
    const attempt = this.#client
      .evalsha(script.sha, 1, key, ...args)
      .catch((error: unknown) =>
        error instanceof Error && error.message.includes('NOSCRIPT')
          ? this.#client.eval(script.source, 1, key, ...args)
          : Promise.reject(error),
      );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.#timeoutMs} ms.`)), this.#timeoutMs);
    });
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
  }
}
