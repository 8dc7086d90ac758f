// Bytes per tracked key of one in-memory rate-limit store, in a process of its
// own (run with --expose-gc): the heap after `count` keys have each made one
// request, less the heap before, over `count`. The key strings are built
// before the first measure, so only what the store adds is counted.
// Prints one JSON line: { bytesPerKey, tracked }.
//   faultline:  @faultline/fastify's MemoryStore.
//   flexible:   rate-limiter-flexible's RateLimiterMemory.
//   fastify:    @fastify/rate-limit's in-memory store (an LRU map, sized to hold every key).
import FastifyLocalStore from '@fastify/rate-limit/store/LocalStore.js';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { MemoryStore } from '@faultline/fastify';

const [kind, countText] = process.argv.slice(2);
const count = Number(countText);
const windowMs = 3_600_000;
const policies = [{ name: 'hourly', limit: 1000, windowMs }];
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('Run with --expose-gc.');

// Addresses, as a limiter keyed by client sees them.
const keys = Array.from({ length: count }, (_, index) => `ip:10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`);

function heap() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const before = heap();
let store;
let tracked;
switch (kind) {
  case 'faultline': {
    store = new MemoryStore({ maxKeys: count });
    for (const key of keys) store.consume(key, policies, 1);
    tracked = () => store.size;
    break;
  }
  case 'flexible': {
    store = new RateLimiterMemory({ points: 1000, duration: windowMs / 1000 });
    for (let from = 0; from < count; from += 10_000) {
      await Promise.all(keys.slice(from, from + 10_000).map((key) => store.consume(key)));
    }
    tracked = () => store._memoryStorage._storage.size;
    break;
  }
  case 'fastify': {
    store = new FastifyLocalStore(false, false, count);
    for (const key of keys) store.incr(key, () => {}, windowMs, 1000);
    tracked = () => store.lru.size;
    break;
  }
  default:
    throw new Error(`Unknown store "${kind}": use faultline, flexible or fastify.`);
}
const after = heap();
process.stdout.write(`${JSON.stringify({ bytesPerKey: (after - before) / count, tracked: tracked() })}\n`);
