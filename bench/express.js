// @faultline/express against what an Express 5 app has without it (issue #17): Express's own 404
// and error handler, and express-rate-limit. Every figure is a ratio of two servers measured side by
// side in one run: rounds interleave every server (the order reversed every other round) and each
// row keeps the median of its per-round ratios, with the lowest and highest, so the noise of a
// shared machine shows. Requests/s (ours / theirs) and server CPU per request (theirs / ours), 50
// connections; the verdict takes the worse of the two. A last row calls both limiters as middleware
// without HTTP (express-limiter-alone.js), where Express's own cost does not hide the difference.
import { pinned, startChildServer } from './child-server.js';
import { limiterAlone } from './express-limiter-alone.js';
import { connections, httpRows, median, printRows, rounds, seconds, spread } from './side-by-side.js';

/** Prints the Express table; resolves with whether every target was met. */
export async function expressPart() {
  const started = [];
  const rows = [];
  try {
    const server = async (kind, path, status, name) => {
      const child = await startChildServer('./express-server.js', kind);
      started.push(child);
      return { name, url: `http://127.0.0.1:${child.port}${path}`, status, server: child };
    };
    const express404 = await server('express', '/no/such/route', 404, "Express's default 404");
    const faultline404 = await server('faultline', '/no/such/route', 404, 'Faultline 404');
    const expressThrow = {
      ...express404,
      url: express404.url.replace('/no/such/route', '/throws'),
      name: "Express's error handler, next(err) 404",
    };
    const faultlineThrow = {
      ...faultline404,
      url: faultline404.url.replace('/no/such/route', '/throws'),
      name: 'Faultline thrown 404',
    };
    const theirs = await server('express-rate-limit', '/items/42', 200, 'express-rate-limit (memory), same app');
    const ours = await server('faultline-rate-limit', '/items/42', 200, 'rateLimit, MemoryStore');
    const their429 = await server('express-429', '/items/42', 429, "express-rate-limit's 429, same app");
    const our429 = await server('faultline-429', '/items/42', 429, 'rateLimit 429');
    const pairs = [
      ['unknown route 404', faultline404, express404, 1.0],
      ['an error passed to the error handler', faultlineThrow, expressThrow, 1.0],
      ['allowed through the limiter', ours, theirs, 1.2],
      ['429 flood', our429, their429, 1.0],
    ];
    rows.push(...(await httpRows(pairs)));
    await Promise.all(started.map((child) => child.ask('close').catch(() => undefined)));
  } finally {
    for (const child of started) child.stop();
  }

  // The limiters alone (no HTTP, in this process): what the HTTP row measures, without Express's own cost around it.
  const alone = await limiterAlone(rounds);
  rows.push({
    what: 'allowed through the limiter, alone',
    versus: 'express-rate-limit (memory), called as middleware',
    target: 1.2,
    rate: spread(alone.map(([theirs, ours]) => ours / theirs)),
    figures: `${median(alone.map(([, ours]) => ours)).toFixed(0)} vs ${median(alone.map(([theirs]) => theirs)).toFixed(0)} requests/s`,
  });

  return printRows(
    `\n@faultline/express vs Express's own handling and express-rate-limit (issue #17): ${rounds} interleaved rounds, medians of per-round ratios [lowest–highest]; ` +
      `${seconds}s a round, ${connections} connections${pinned ? ', servers on the other core than the load' : ''}.`,
    'req/s ratio = ours / theirs, CPU ratio = their CPU per request / ours: above 1 is better, and the worse of the two decides.',
    rows,
  );
}
