import { describe, expect, it } from 'vitest';
import { Idempotency, MemoryIdempotencyStore, type Completion, type StoredAnswer } from '../src/index.js';

/** A memory store that also keeps each completion as the store received it, to see what a store holds. */
class WatchedStore extends MemoryIdempotencyStore {
  readonly completions: Completion[] = [];
  override complete(completion: Completion): Promise<boolean> {
    this.completions.push(completion);
    return super.complete(completion);
  }
}

const identity = { key: 'k1', scope: 'team:1', method: 'POST', path: '/v1/api-keys', body: { label: 'ci' } };
const answer: StoredAnswer = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"key":"sk_live_secret"}' };

/** Runs one request with the key to its stored answer, and returns what the store was given. */
async function store(idempotency: Idempotency, watched: WatchedStore, sealAnswer?: boolean): Promise<string> {
  const admission = await idempotency.admit(identity, sealAnswer === undefined ? {} : { sealAnswer });
  if (admission.kind !== 'execute') throw new Error(`expected to run, got ${admission.kind}`);
  expect(await idempotency.finish(admission.claim, answer)).toBe('stored');
  return (watched.completions.at(-1) as Completion).answer;
}

describe('sealed and plain answers', () => {
  it('are sealed by default: the store never holds the answer readable, and the replay opens it', async () => {
    const watched = new WatchedStore();
    const idempotency = new Idempotency({ store: watched });
    const stored = await store(idempotency, watched);
    expect(stored).not.toContain('sk_live_secret');
    expect(stored.startsWith('{')).toBe(false);
    expect(await idempotency.admit(identity)).toEqual({ kind: 'replay', answer });
  });

  it('are stored as plain JSON for a request that says sealAnswer: false, and replayed alike', async () => {
    const watched = new WatchedStore();
    const idempotency = new Idempotency({ store: watched });
    const stored = await store(idempotency, watched, false);
    expect(JSON.parse(stored)).toEqual(answer);
    expect(await idempotency.admit(identity, { sealAnswer: false })).toEqual({ kind: 'replay', answer });
  });

  it('follow the engine’s sealAnswers, which a request may overrule', async () => {
    const watched = new WatchedStore();
    const plainByDefault = new Idempotency({ store: watched, sealAnswers: false });
    expect(plainByDefault.sealAnswers).toBe(false);
    expect(JSON.parse(await store(plainByDefault, watched))).toEqual(answer);
    const again = new WatchedStore();
    const overruled = new Idempotency({ store: again, sealAnswers: false });
    expect(await store(overruled, again, true)).not.toContain('sk_live_secret');
  });

  it('never replay a plain record to a request whose answers are sealed: an answer altered into plain text is refused', async () => {
    const watched = new WatchedStore();
    const idempotency = new Idempotency({ store: watched });
    await store(idempotency, watched, false);
    expect(await idempotency.admit(identity, { sealAnswer: true })).toEqual({ kind: 'reused' });
  });

  it('replay a sealed record to a request whose answers are now plain: the key opens it', async () => {
    const watched = new WatchedStore();
    const idempotency = new Idempotency({ store: watched });
    await store(idempotency, watched, true);
    expect(await idempotency.admit(identity, { sealAnswer: false })).toEqual({ kind: 'replay', answer });
  });
});
