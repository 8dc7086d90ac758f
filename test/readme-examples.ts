/**
 * The README's code examples, found by the marker line `<!-- example: NAME -->`
 * before each of their blocks, so the tests run what the README shows.
 */
import { readFileSync } from 'node:fs';

/**
 * Every code block marked `<!-- example: name -->` in `markdown`, joined in
 * order (an example may be split across blocks), with the indentation of a
 * block inside a list item taken off.
 */
export function readmeExample(markdown: string, name: string): string {
  const lines = markdown.split('\n');
  const blocks: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if ((lines[index] as string).trim() !== `<!-- example: ${name} -->`) continue;
    let open = index + 1;
    while (open < lines.length && (lines[open] as string).trim() === '') open += 1;
    const fence = /^(\s*)```\w*$/.exec(lines[open] ?? '');
    if (fence === null) throw new Error(`The example marker "${name}" on line ${index + 1} is not followed by a code block.`);
    const indent = fence[1] as string;
    const close = lines.findIndex((line, at) => at > open && line.trim() === '```');
    if (close === -1) throw new Error(`The code block of example "${name}" on line ${open + 1} is never closed.`);
    blocks.push(
      lines
        .slice(open + 1, close)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .join('\n'),
    );
    index = close;
  }
  if (blocks.length === 0) throw new Error(`The README has no example marked <!-- example: ${name} -->.`);
  return `${blocks.join('\n\n')}\n`;
}

/** The README example `name` from the file at `path`. */
export function readmeExampleFrom(path: string, name: string): string {
  return readmeExample(readFileSync(path, 'utf8'), name);
}
