/**
 * Text and HTML reduced to one readable line, never markup. Written here
 * rather than taken from an HTML-to-text library: an error page needs its
 * title or its words, not a layout, and this runs in browsers too, where a
 * parser such as htmlparser2 would weigh more than the whole client. Only a
 * bounded prefix is read, and every pattern stops at the next `<`, so no
 * body makes the scan slow.
 */

/** How much of a text or HTML body is read. */
const maxScanned = 20_000;
/** A line taken from a text or HTML body is cut to this many characters. */
export const maxTextLine = 300;
/** A message taken from a JSON member is cut to this many characters. */
const maxMessage = 2000;

/** A tag, comment or declaration: `<` directly followed by a name, `/`, `!` or `?`. */
const tag = /<[A-Za-z/!?][^<>]*>?/g;
const needsCleaning = /[<&\r\n\t]|\s\s/;
const entities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The title of an HTML page, else its words; plain text as it is, on one line. */
export function lineOfText(body: string): string {
  const head = body.slice(0, maxScanned);
  // `[^<]` keeps each match within one tag or one text run.
  const title = /<title[^<>]*>([^<]*)<\/title>/i.exec(head)?.[1];
  const text = title ?? head.replace(/<(script|style)[^<>]*>[^]*?<\/\1>/gi, ' ');
  return oneLine(text, maxTextLine);
}

/** The words of an HTML fragment (a `<pre>` of Express, say), on one line. */
export function lineOfHtml(fragment: string): string {
  return oneLine(fragment, maxTextLine);
}

/** A message from a JSON member, made safe: no markup, no line breaks, bounded. */
export function cleanMessage(message: string): string {
  if (message.length <= maxMessage && !needsCleaning.test(message)) return message;
  return oneLine(message, maxMessage);
}

function oneLine(text: string, max: number): string {
  const words = decodeEntities(text.slice(0, maxScanned).replace(tag, ' '))
    // A decoded `&lt;b&gt;` must not become a tag again: a space after `<` keeps it text.
    .replace(/<(?=[A-Za-z/!?])/g, '< ')
    .replace(/\s+/g, ' ')
    .trim();
  return words.length > max ? words.slice(0, max - 1) + '…' : words;
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const point = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return point > 0 && point <= 0x10ffff ? String.fromCodePoint(point) : whole;
    }
    return entities[name.toLowerCase()] ?? whole;
  });
}
