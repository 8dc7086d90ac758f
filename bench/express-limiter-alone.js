// The limiters of the Express benchmark called as middleware alone, without HTTP: how many allowed
// requests each admits per second, each over 1,000 client addresses. Express's own work per request
// (routing, the socket) is the same with either limiter and dwarfs both on a loaded machine, so the
// HTTP rows of express.js cannot tell the limiters apart; this row can.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import express from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { rateLimit } from '@faultline/express';

const seconds = Number(process.env.BENCH_DECISION_SECONDS ?? 1);
const roomy = { name: 'hourly', limit: 1_000_000_000, windowMs: 3_600_000 };

/** Requests as Express hands them to a middleware: Node's objects with Express's request and response methods. */
function requests(count) {
  return Array.from({ length: count }, (_, index) => {
    const request = Object.setPrototypeOf(new IncomingMessage(new Socket()), express.request);
    request.method = 'GET';
    request.url = '/items/42';
    Object.defineProperty(request, 'ip', { value: `10.0.${index >> 8}.${index & 255}` });
    const response = Object.setPrototypeOf(new ServerResponse(request), express.response);
    response.req = request;
    return { request, response };
  });
}

/** Allowed requests per second through `middleware`, awaiting each `next` in turn. */
async function admitted(middleware, pool) {
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let batch = 0; batch < 1000; batch++) {
      const { request, response } = pool[(done + batch) % pool.length];
      await new Promise((resolve, reject) => {
        const result = middleware(request, response, (error) => (error ? reject(error) : resolve()));
        if (result instanceof Promise) result.catch(reject);
      });
    }
    done += 1000;
  }
  return done / ((performance.now() - start) / 1000);
}

/** Per round, the allowed requests per second of [express-rate-limit, ours], the order alternating. */
export async function limiterAlone(rounds) {
  const pool = requests(1000);
  const theirs = expressRateLimit({
    windowMs: roomy.windowMs,
    limit: roomy.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    validate: false,
  });
  const ours = rateLimit({ policies: [roomy] });
  await admitted(theirs, pool);
  await admitted(ours, pool);
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      const t = await admitted(theirs, pool);
      samples.push([t, await admitted(ours, pool)]);
    } else {
      const o = await admitted(ours, pool);
      samples.push([await admitted(theirs, pool), o]);
    }
  }
  return samples;
}
