import { createHash } from 'node:crypto';
import { decide, type PolicyDecision, type RateLimitPolicy } from './gcra.js';
import { FallbackStore, type FallbackOptions } from './fallback-store.js';
import type { RateLimitStore } from './memory-store.js';

/**
 * What {@link RedisStore} needs of a Redis client: an ioredis `Redis`
 * satisfies it. Create it with `enableOfflineQueue: false`, so a command
 * sent while the connection is down fails at once instead of waiting in a
 * queue and being counted later.
 */
export interface RedisClientLike {
  /** ioredis' connection state: `ready` when commands go straight to the server. */
  readonly status: string;
  evalsha(sha: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** A client the caller owns, connects and quits; see {@link RedisClientLike} for the options it needs. */
  readonly client: RedisClientLike;
  /** Put before every key. Default `faultline:rate-limit:`. */
  readonly prefix?: string;
  /** How long a decision may wait for Redis before the local limiter takes it. Default 100 ms. */
  readonly timeoutMs?: number;
  /**
   * What to do when Redis fails or is slow: by default a local limiter in
   * this process decides with half of each policy's limit, and Redis is
   * tried again after a second. `false` rejects instead (the hook then
   * answers 500): only for callers who handle the failure themselves.
   */
  readonly fallback?: FallbackOptions | false;
  /**
   * Where "now" comes from. Default: the Redis server's clock (`TIME`), so the
   * clocks of the app processes sharing it do not matter. For tests and
   * simulations only.
   */
  readonly clock?: () => number;
}

/** Why a decision was not taken by Redis in time. */
export class RedisTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Redis did not answer the rate-limit script within ${timeoutMs} ms.`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * The same GCRA as `gcra.ts`, for every policy of a request at once, in one
 * atomic script: one round trip per decision. KEYS are one per policy;
 * ARGV[1] the cost, ARGV[2] the time in ms since the epoch (empty: the
 * server's TIME), then the limit and window of each policy. TATs are stored
 * as `%.17g` strings, so a double makes the round trip exactly, and each key
 * expires when its allowance is fully restored: an idle key carries no
 * information. It returns the time used, whether the request was admitted,
 * and the TATs it found (empty for a new key), from which `decide` rebuilds
 * exactly the decisions the memory store would make.
 */
export const gcraScript = `
-- Redis 3.2 to 4 need this to write after TIME; from 5 on it is the default (and a no-op in 7).
if redis.replicate_commands then redis.replicate_commands() end
local cost = tonumber(ARGV[1])
local now
if ARGV[2] == '' then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
else
  now = tonumber(ARGV[2])
end
local admitted = 1
local found = {}
local nextTats = {}
for index = 1, #KEYS do
  local limit = tonumber(ARGV[1 + 2 * index])
  local window = tonumber(ARGV[2 + 2 * index])
  local interval = window / limit
  local stored = redis.call('GET', KEYS[index])
  local tat = now
  if stored then
    found[index] = stored
    tat = math.max(tonumber(stored), now)
  else
    found[index] = ''
  end
  local nextTat = tat + cost * interval
  if cost > limit or nextTat - window > now then admitted = 0 end
  nextTats[index] = nextTat
end
if admitted == 1 then
  for index = 1, #KEYS do
    local ttl = math.ceil(nextTats[index] - now)
    if ttl > 0 then
      redis.call('SET', KEYS[index], string.format('%.17g', nextTats[index]), 'PX', string.format('%.0f', ttl))
    else
      redis.call('DEL', KEYS[index])
    end
  end
end
local reply = { string.format('%.17g', now), admitted }
for index = 1, #KEYS do reply[2 + index] = found[index] end
return reply
`;

const gcraScriptSha = createHash('sha1').update(gcraScript).digest('hex');

/**
 * Rate-limit state in Redis, shared by every process of an app: limits hold
 * exactly across processes. Each decision is one `EVALSHA` (after a restart
 * that lost the script, one `EVAL` reloads it), bounded by `timeoutMs`; when
 * Redis fails, is slow or is not connected, a local limiter with a share of
 * each policy's budget decides, and Redis takes over again by itself once it
 * answers (see {@link FallbackStore}).
 *
 * @example
 * ```ts
 * // No offline queue and no retries per command: a request never waits for a reconnect.
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1000 });
 * app.addHook('onRequest', rateLimitHook({ catalog, policies, store: new RedisStore({ client, fallback: { share: 0.5 } }) }));
 * // On shutdown, after app.close(): await client.quit();
 * ```
 */
export class RedisStore implements RateLimitStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #clock: (() => number) | undefined;
  readonly #fallback: FallbackStore | undefined;
  // The last policies seen and their script arguments (limit and window of each, as strings).
  #lastPolicies: readonly RateLimitPolicy[] | undefined;
  #lastPolicyArguments: string[] = [];
  /**
   * Decisions waiting for Redis, oldest first. They all wait `timeoutMs`, so
   * their deadlines come in the order they were sent: one timer, armed for
   * the oldest unanswered one, bounds them all (no timer per decision).
   */
  #waiting: Waiting[] = [];
  #waitingHead = 0;
  #unanswered = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RedisStoreOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'faultline:rate-limit:';
    this.#timeoutMs = options.timeoutMs ?? 100;
    if (!(this.#timeoutMs > 0)) throw new TypeError('RedisStore timeoutMs must be a positive number of milliseconds.');
    this.#clock = options.clock;
    const primary: RateLimitStore = { consume: (key, policies, cost) => this.consumeInRedis(key, policies, cost) };
    this.#fallback = options.fallback === false ? undefined : new FallbackStore({ ...options.fallback, primary });
  }

  /** Whether decisions are currently taken by Redis (`redis`) or by the local limiter (`local`). */
  get state(): 'redis' | 'local' {
    return this.#fallback?.state === 'fallback' ? 'local' : 'redis';
  }

  /** The Redis key holding a key's TAT for a policy; the braces keep a request's keys in one Redis Cluster slot. */
  keyFor(key: string, policy: RateLimitPolicy): string {
    return `${this.#prefix}{${key}}:${policy.name}`;
  }

  consume(key: string, policies: readonly RateLimitPolicy[], cost: number): Promise<PolicyDecision[]> {
    return this.#fallback === undefined ? this.consumeInRedis(key, policies, cost) : this.#fallback.consume(key, policies, cost);
  }

  /** One decision by Redis alone: rejects when Redis fails, is not connected or takes longer than `timeoutMs`. */
  consumeInRedis(key: string, policies: readonly RateLimitPolicy[], cost: number): Promise<PolicyDecision[]> {
    const client = this.#client;
    // Not connected: fail now rather than queue a command that would be counted after the answer was given.
    if (client.status !== 'ready' && client.status !== 'wait') {
      return Promise.reject(new Error(`Redis connection is ${client.status}.`));
    }
    const count = policies.length;
    const script: string[] = new Array<string>(2 * count + 2);
    const tagged = `${this.#prefix}{${key}}:`;
    for (let index = 0; index < count; index++) script[index] = tagged + (policies[index] as RateLimitPolicy).name;
    script[count] = String(cost);
    script[count + 1] = this.#clock === undefined ? '' : String(this.#clock());
    const policyArguments = this.#policyArguments(policies);
    for (let index = 0; index < policyArguments.length; index++) script[count + 2 + index] = policyArguments[index] as string;
    return new Promise<PolicyDecision[]>((resolve, reject) => {
      const waiting = this.#wait(reject);
      const answer = (reply: unknown): void => {
        if (!this.#answered(waiting)) return;
        try {
          resolve(decisionsFrom(reply, policies, cost));
        } catch (error) {
          reject(error);
        }
      };
      const fail = (error: unknown): void => {
        if (this.#answered(waiting)) reject(error);
      };
      client.evalsha(gcraScriptSha, count, ...script).then(answer, (error: unknown) => {
        if (!(error instanceof Error && error.message.includes('NOSCRIPT'))) return fail(error);
        // The server lost its scripts (a restart, SCRIPT FLUSH): EVAL runs the script and caches it again.
        if (waiting.settled) return;
        client.eval(gcraScript, count, ...script).then(answer, fail);
      });
    });
  }

  #policyArguments(policies: readonly RateLimitPolicy[]): string[] {
    if (policies !== this.#lastPolicies) {
      const policyArguments: string[] = [];
      for (const policy of policies) policyArguments.push(String(policy.limit), String(policy.windowMs));
      this.#lastPolicies = policies;
      this.#lastPolicyArguments = policyArguments;
    }
    return this.#lastPolicyArguments;
  }

  /** Enters a decision in the queue the timer watches. */
  #wait(reject: (error: unknown) => void): Waiting {
    const waiting: Waiting = { deadline: performance.now() + this.#timeoutMs, settled: false, reject };
    this.#waiting.push(waiting);
    this.#unanswered++;
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
    return waiting;
  }

  /** Marks a decision as answered; false when its time had already run out. */
  #answered(waiting: Waiting): boolean {
    if (waiting.settled) return false;
    waiting.settled = true;
    if (--this.#unanswered === 0) {
      // Nothing left to watch: no timer keeps the process alive, and the queue starts over.
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#waiting = [];
      this.#waitingHead = 0;
    }
    return true;
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => this.#expire(), Math.max(1, Math.ceil(delayMs)));
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const queue = this.#waiting;
    let head = this.#waitingHead;
    while (head < queue.length) {
      const waiting = queue[head] as Waiting;
      if (!waiting.settled) {
        if (waiting.deadline > now) break;
        // Timers run before the event loop reads its sockets: when this process was busy rather than Redis slow,
        // the answer is already waiting in the socket, and setImmediate lets the poll phase deliver it first.
        setImmediate(() => {
          if (this.#answered(waiting)) waiting.reject(new RedisTimeoutError(this.#timeoutMs));
        });
      }
      head++;
    }
    if (head >= queue.length) {
      this.#waiting = [];
      this.#waitingHead = 0;
      return;
    }
    if (head > 1024 && head * 2 > queue.length) {
      this.#waiting = queue.slice(head);
      head = 0;
    }
    this.#waitingHead = head;
    this.#arm((this.#waiting[head] as Waiting).deadline - now);
  }
}

/** A decision waiting for Redis. */
interface Waiting {
  readonly deadline: number;
  /** Answered, failed or timed out: whatever comes next is ignored. */
  settled: boolean;
  readonly reject: (error: unknown) => void;
}

/** Rebuilds the decisions from the script's reply, exactly as the memory store makes them. */
function decisionsFrom(reply: unknown, policies: readonly RateLimitPolicy[], cost: number): PolicyDecision[] {
  if (!Array.isArray(reply) || reply.length !== policies.length + 2)
    throw new Error('Unexpected reply from the rate-limit script.');
  const now = Number(reply[0]);
  const decisions: PolicyDecision[] = new Array<PolicyDecision>(policies.length);
  for (let index = 0; index < policies.length; index++) {
    const found = reply[index + 2] as unknown;
    decisions[index] = decide(
      policies[index] as RateLimitPolicy,
      found === '' || found === null ? undefined : Number(found),
      now,
      cost,
    );
  }
  return decisions;
}
