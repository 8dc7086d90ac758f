import type { EnvelopeReader } from '../error-envelope.js';
import { lineOfText } from '../readable-line.js';

/** An HTML page (a proxy's, a gateway's): its title, else its words, on one line. */
export const html: EnvelopeReader = {
  name: 'html',
  matches: (body, input) =>
    typeof body === 'string' && (body.trimStart().startsWith('<') || (input.header('content-type') ?? '').includes('html')),
  read: (body: string) => ({ message: lineOfText(body) || undefined }),
};

/** Plain text: the text, on one line. */
export const text: EnvelopeReader = {
  name: 'text',
  matches: (body) => typeof body === 'string' && body.trim() !== '',
  read: (body: string) => ({ message: lineOfText(body) || undefined }),
};

/** No body, or nothing in it: only the status and the headers speak. */
export const empty: EnvelopeReader = {
  name: 'empty',
  matches: () => true,
  read: () => ({}),
};
