// @faultline/hono against what a Hono app uses instead (issue #17): Hono's HTTPException handling and its own 404
// for the error paths, hono-rate-limiter for the limit. Every figure is a ratio of two contenders measured side by
// side in one run: rounds interleave every server (the order reversed every other round) and each row keeps the
// median of its per-round ratios, with the lowest and highest, so the noise of a shared machine shows.
//   req/s ratio = ours / theirs; CPU ratio = their server CPU per request / ours: above 1 is better. 50 connections.
import { pinned, startChildServer } from './child-server.js';
import { connections, httpRows, printRows, rounds, seconds } from './side-by-side.js';

/** Prints the Hono table; resolves with whether every target was met. */
export async function hono() {
  const started = [];
  const rows = [];
  try {
    const server = async (kind, path, status, name) => {
      const child = await startChildServer('./hono-server.js', kind);
      started.push(child);
      return { name, url: `http://127.0.0.1:${child.port}${path}`, status, server: child };
    };
    const honoServer = await server('hono', '/no/such/route', 404, "Hono's own 404");
    const faultlineServer = await server('faultline', '/no/such/route', 404, 'Faultline 404');
    const honoThrow = { ...honoServer, url: honoServer.url.replace('/no/such/route', '/throws'), name: 'HTTPException(404)' };
    const faultlineThrow = {
      ...faultlineServer,
      url: faultlineServer.url.replace('/no/such/route', '/throws'),
      name: 'Faultline thrown 404',
    };
    const theirLimiter = await server('hono-limiter', '/items/42', 200, 'hono-rate-limiter (memory), same app');
    const ourLimiter = await server('faultline-limiter', '/items/42', 200, 'rateLimit(), MemoryStore');
    const pairs = [
      ['unknown route 404', faultlineServer, honoServer, 1.0],
      ['a thrown 404', faultlineThrow, honoThrow, 1.0],
      ['allowed through the limiter, memory', ourLimiter, theirLimiter, 1.2],
    ];
    rows.push(...(await httpRows(pairs)));
    await Promise.all(started.map((child) => child.ask('close').catch(() => undefined)));
  } finally {
    for (const child of started) child.stop();
  }

  return printRows(
    `\n@faultline/hono vs Hono's usual choices (issue #17): ${rounds} interleaved rounds, medians of per-round ratios [lowest–highest]; ` +
      `${seconds}s a round, ${connections} connections, @hono/node-server${pinned ? ', servers on the other core than the load' : ''}.`,
    'req/s ratio = ours / theirs, CPU ratio = their CPU per request / ours: above 1 is better, and the worse of the two decides.',
    rows,
  );
}
