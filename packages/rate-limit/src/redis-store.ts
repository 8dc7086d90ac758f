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
  /** ioredis' `Cluster` says true: decisions are then sent one by one, as their keys live in different slots. */
  readonly isCluster?: boolean;
  evalsha(sha: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArguments: string[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** A client the caller owns, connects and quits; see {@link RedisClientLike} for the options it needs. */
  readonly client: RedisClientLike;
  /** Put before every key. Default `faultline:rate-limit:`. */
  readonly prefix?: string;
  /**
   * How long a decision may wait for Redis before the local limiter takes it
   * (a failure towards the fallback's `failuresToFallback`). Default 100 ms.
   */
  readonly timeoutMs?: number;
  /**
   * What to do when Redis fails or is slow: by default a failed decision is
   * taken by a local limiter in this process with half of each policy's
   * limit; after 3 failures in a row over at least 500 ms, every decision is,
   * and Redis is tried again each second. `false` rejects instead (the hook then
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
 * What both scripts share: the server's clock, and one decision (every
 * policy of one request, admitted only if all admit) whose time, verdict
 * and the TATs it found are appended to the reply.
 */
const gcraPrelude = `
-- Redis 3.2 to 4 need this to write after TIME; from 5 on it is the default (and a no-op in 7).
if redis.replicate_commands then redis.replicate_commands() end
local function serverTime()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
-- The decision's keys are KEYS[keyAt + 1 .. keyAt + count]; its limits and windows are ARGV[limitAt ..] in pairs.
local function decide(keyAt, count, cost, now, limitAt, reply)
  local admitted = 1
  local found = {}
  local nextTats = {}
  for index = 1, count do
    local limit = tonumber(ARGV[limitAt + 2 * (index - 1)])
    local window = tonumber(ARGV[limitAt + 2 * (index - 1) + 1])
    local interval = window / limit
    local stored = redis.call('GET', KEYS[keyAt + index])
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
    for index = 1, count do
      -- A second of slack past full restoration: an expired key and a restored one decide alike, and the
      -- slack keeps a key alive while a caller's clock (the clock option) runs behind Redis's expiry.
      local ttl = math.ceil(nextTats[index] - now) + 1000
      if nextTats[index] > now then
        redis.call('SET', KEYS[keyAt + index], string.format('%.17g', nextTats[index]), 'PX', string.format('%.0f', ttl))
      else
        redis.call('DEL', KEYS[keyAt + index])
      end
    end
  end
  reply[#reply + 1] = string.format('%.17g', now)
  reply[#reply + 1] = admitted
  for index = 1, count do reply[#reply + 1] = found[index] end
end
`;

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
export const gcraScript = `${gcraPrelude}
local now
if ARGV[2] == '' then now = serverTime() else now = tonumber(ARGV[2]) end
local reply = {}
decide(0, #KEYS, tonumber(ARGV[1]), now, 3, reply)
return reply
`;

const gcraScriptSha = createHash('sha1').update(gcraScript).digest('hex');

/**
 * {@link gcraScript} for several decisions at once, taken one after the
 * other as if sent one by one: the decisions that reach the store in the
 * same turn of the event loop share one round trip. ARGV[1] is the number of
 * decisions, then for each: its cost, its time (empty: the server's TIME,
 * read once per batch), its number of policies and their limits and
 * windows; KEYS are each decision's keys in turn. The reply is, for each
 * decision, what {@link gcraScript} replies.
 */
const gcraBatchScript = `${gcraPrelude}
local serverNow
local reply = {}
local at = 2
local keyAt = 0
for _ = 1, tonumber(ARGV[1]) do
  local cost = tonumber(ARGV[at])
  local now
  if ARGV[at + 1] == '' then
    serverNow = serverNow or serverTime()
    now = serverNow
  else
    now = tonumber(ARGV[at + 1])
  end
  local count = tonumber(ARGV[at + 2])
  decide(keyAt, count, cost, now, at + 3, reply)
  at = at + 3 + 2 * count
  keyAt = keyAt + count
end
return reply
`;

const gcraBatchScriptSha = createHash('sha1').update(gcraBatchScript).digest('hex');

/** The most decisions one script call takes, so Redis is never blocked long. */
const maxBatch = 128;

/**
 * Rate-limit state in Redis, shared by every process of an app: limits hold
 * exactly across processes. The decisions a turn of the event loop brings go
 * together in one `EVALSHA` (one round trip, taken one after the other in
 * Redis, one by one for a Redis Cluster; after a restart that lost the
 * script, one `EVAL` reloads it), each bounded by `timeoutMs`; when
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
  /** Decisions not sent yet: the ones this turn of the event loop brought. */
  #batch: Waiting[] = [];

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
    const tagged = `${this.#prefix}{${key}}:`;
    const now = this.#clock === undefined ? '' : String(this.#clock());
    return new Promise<PolicyDecision[]>((resolve, reject) => {
      const waiting: Waiting = {
        deadline: performance.now() + this.#timeoutMs,
        settled: false,
        resolve,
        reject,
        tagged,
        policies,
        cost,
        now,
      };
      this.#waiting.push(waiting);
      this.#unanswered++;
      if (this.#timer === undefined) this.#arm(this.#timeoutMs);
      // Sent once this turn of the event loop has read its sockets, with every other decision it brought.
      this.#batch.push(waiting);
      if (this.#batch.length === 1) setImmediate(this.#flush);
    });
  }

  readonly #flush = (): void => {
    const batch = this.#batch;
    this.#batch = [];
    const size = this.#client.isCluster === true ? 1 : maxBatch;
    for (let start = 0; start < batch.length; start += size) this.#send(batch.slice(start, start + size));
  };

  /** Sends decisions to Redis: one alone as {@link gcraScript} does it, several in one batch script. */
  #send(group: Waiting[]): void {
    const client = this.#client;
    const keys: string[] = [];
    const rest: string[] = [];
    for (const waiting of group) {
      for (const policy of waiting.policies) keys.push(waiting.tagged + policy.name);
      if (group.length > 1) rest.push(String(waiting.cost), waiting.now, String(waiting.policies.length));
      else rest.push(String(waiting.cost), waiting.now);
      for (const argument of this.#policyArguments(waiting.policies)) rest.push(argument);
    }
    const single = group.length === 1;
    const sha = single ? gcraScriptSha : gcraBatchScriptSha;
    const script = single ? gcraScript : gcraBatchScript;
    const args = single ? [...keys, ...rest] : [...keys, String(group.length), ...rest];
    const answer = (reply: unknown): void => {
      let total = 0;
      for (const waiting of group) total += waiting.policies.length + 2;
      if (!Array.isArray(reply) || reply.length !== total) return fail(new Error('Unexpected reply from the rate-limit script.'));
      let at = 0;
      for (const waiting of group) {
        const end = at + waiting.policies.length + 2;
        if (this.#answered(waiting)) {
          try {
            waiting.resolve(decisionsFrom(reply, at, waiting.policies, waiting.cost));
          } catch (error) {
            waiting.reject(error);
          }
        }
        at = end;
      }
    };
    const fail = (error: unknown): void => {
      for (const waiting of group) if (this.#answered(waiting)) waiting.reject(error);
    };
    /** Runs `command`; a client that throws instead of rejecting fails the decisions just the same. */
    const run = (command: () => Promise<unknown>): Promise<unknown> => {
      try {
        return command();
      } catch (error) {
        return Promise.reject(error as Error);
      }
    };
    run(() => client.evalsha(sha, keys.length, ...args)).then(answer, (error: unknown) => {
      if (!(error instanceof Error && error.message.includes('NOSCRIPT'))) return fail(error);
      // The server lost its scripts (a restart, SCRIPT FLUSH): EVAL runs the script and caches it again.
      if (group.every((waiting) => waiting.settled)) return;
      run(() => client.eval(script, keys.length, ...args)).then(answer, fail);
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
  readonly resolve: (decisions: PolicyDecision[]) => void;
  readonly reject: (error: unknown) => void;
  /** The prefix and the caller's key in braces: the start of its Redis keys. */
  readonly tagged: string;
  readonly policies: readonly RateLimitPolicy[];
  readonly cost: number;
  /** The time to decide at, or empty for the Redis server's. */
  readonly now: string;
}

/** Rebuilds one decision's results from the reply, from `from` on, exactly as the memory store makes them. */
function decisionsFrom(reply: unknown[], from: number, policies: readonly RateLimitPolicy[], cost: number): PolicyDecision[] {
  const now = Number(reply[from]);
  const decisions: PolicyDecision[] = new Array<PolicyDecision>(policies.length);
  for (let index = 0; index < policies.length; index++) {
    const found = reply[from + 2 + index] as unknown;
    decisions[index] = decide(
      policies[index] as RateLimitPolicy,
      found === '' || found === null ? undefined : Number(found),
      now,
      cost,
    );
  }
  return decisions;
}
