// What reading an error costs the client: `errorFromResponse` on the bodies our
// own profiles write (problem, classic, message, oauth; field errors, a rate
// limit with Retry-After, a quota with extension members), against the factory
// as it was before the envelope table, kept in bench/baselines/ as a copy. Both
// run in this process, interleaved in rounds that swap which goes first;
// medians. Target: the new factory costs at most 10% more per error.
import { isDeepStrictEqual } from 'node:util';
import { builtinCatalog, writeErrorResponse } from '@faultline/core';
import { errorFromResponse } from '@faultline/client';
import { errorFromResponseBefore } from './baselines/error-factory-before-envelopes.js';

const perRound = Number(process.env.BENCH_FACTORY_ERRORS ?? 10_000);
const rounds = Number(process.env.BENCH_FACTORY_ROUNDS ?? 31);
const target = 1.1;

/** Our answers, as the Fastify layer writes them, with the headers it sends. */
function ourAnswers() {
  const fields = [
    { pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' },
    { pointer: '/limit', location: 'query', code: 'invalid_parameter', detail: 'must be at most 100' },
  ];
  const errors = [
    builtinCatalog.error('not_found', { detail: 'No campaign has id 7.' }),
    builtinCatalog.error('invalid_parameter', { detail: 'Two fields are wrong.', errors: fields }),
    builtinCatalog.error('invalid_api_key', { detail: 'The API key was revoked.' }),
    builtinCatalog.error('limit_reached', { detail: 'Too many requests.', retryAt: new Date(Date.now() + 30_000) }),
    builtinCatalog.error('exceeds_monthly_recipients', {
      detail: 'Over the monthly quota.',
      extensions: { quota: 100, used: 98, remaining: 2, requested: 5, resets_at: '2030-02-01T00:00:00.000Z' },
    }),
  ];
  const answers = [];
  for (const profile of ['problem', 'classic', 'message', 'oauth']) {
    for (const error of errors) {
      const written = writeErrorResponse(error, {
        catalog: builtinCatalog,
        profile,
        requestId: 'req-bench-1',
        docsUrl: 'https://api.example.test/docs/errors',
      });
      if (written === undefined) continue;
      answers.push({
        method: 'GET',
        url: 'https://api.example.test/v1/campaigns/7',
        status: written.status,
        headers: new Headers({ 'x-request-id': 'req-bench-1', ...written.headers }),
        body: written.body,
        attempts: 1,
      });
    }
  }
  return answers;
}

/**
 * Nanoseconds of this process's CPU per error for `read` over `answers`,
 * `count` errors in all: CPU time, not wall time, so other processes on a
 * shared machine do not count.
 */
function measure(read, answers, count) {
  let keep = 0;
  const before = process.cpuUsage();
  for (let index = 0; index < count; index++) keep += read(answers[index % answers.length]).status;
  const used = process.cpuUsage(before);
  if (keep === 0) throw new Error('nothing was read');
  return ((used.user + used.system) * 1000) / count;
}

/** Prints the factory table; resolves with whether the target was met. */
export async function clientErrorFactory() {
  const answers = ourAnswers();
  // Both must read our bodies alike, or the comparison means nothing.
  for (const answer of answers) {
    const [now, before] = [errorFromResponse(answer), errorFromResponseBefore(answer)];
    const same = ['constructor', 'code', 'detail', 'requestId', 'docsUrl', 'fieldErrors', 'extensions'].every((key) =>
      isDeepStrictEqual(now[key], before[key]),
    );
    if (!same || now.retryAt?.getTime() !== before.retryAt?.getTime())
      throw new Error(`the two factories read ${answer.status} ${answer.body} differently`);
  }
  const contenders = [
    { name: 'before the envelope table', read: errorFromResponseBefore },
    { name: 'errorFromResponse (envelopes)', read: errorFromResponse },
  ];
  for (const contender of contenders) measure(contender.read, answers, perRound * 2);

  const samples = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) samples[index].push(measure(contenders[index].read, answers, perRound));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const costs = samples.map(median);
  const ratio = costs[1] / costs[0];
  console.log(
    `\nClient error factory on our own bodies (${answers.length} answers: 4 profiles x 404, 400 with fields, 401, 429, quota): ` +
      `${rounds} rounds x ${perRound} errors, interleaved, medians of CPU time.`,
  );
  console.log(`Ratio = new cost per error / old cost per error (target <= ${target}x).\n`);
  contenders.forEach((contender, index) => {
    const verdict = index === 0 ? 'baseline' : ratio <= target ? `meets <= ${target}x` : `ABOVE ${target}x`;
    console.log(
      `${contender.name.padEnd(32)} ${(costs[index] / 1000).toFixed(2).padStart(7)} µs/error ${(costs[index] / costs[0]).toFixed(3)}x  ${verdict}`,
    );
  });
  return ratio <= target;
}
