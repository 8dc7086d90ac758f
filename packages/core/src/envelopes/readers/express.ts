import type { EnvelopeReader } from '../error-envelope.js';
import { lineOfHtml } from '../readable-line.js';

const page = /<title>Error<\/title>/;
/** The `<pre>` holds the message, then (outside production) the stack after a `<br>`: only the message is read. */
const message = /<pre>([^<]*)/;

/** Express's default error page (finalhandler): `<title>Error</title>` and `<pre>Cannot GET /x</pre>`. */
export const express: EnvelopeReader = {
  name: 'express',
  matches: (body) => typeof body === 'string' && body.length < 100_000 && page.test(body) && body.includes('<pre>'),
  read: (body: string) => ({ message: lineOfHtml(message.exec(body)?.[1] ?? '') || undefined }),
};
