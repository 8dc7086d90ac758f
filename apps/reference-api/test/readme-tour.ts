/**
 * Runs the README's shell blocks in order, the way a person pastes them, and
 * reads back what each command printed. Used by readme.test.ts, which compares
 * the output with the README's transcripts, and by `npm run readme:record`,
 * which writes the output into the README.
 *
 * A `sh` block is run as it is (its output is not shown in the README); a
 * `console` block is a transcript: `$ command` lines, each followed by what it
 * printed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Block {
  readonly language: 'sh' | 'console';
  /** The `## ` heading the block is under ('' before the first). */
  readonly section: string;
  /** Where the block's text starts and ends in the README (the lines between the fences). */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface Command {
  readonly block: Block;
  /** The command as written (continuation lines joined by the `\` and newline they have). */
  readonly command: string;
  /** The output the README shows for it (console blocks), or undefined (sh blocks). */
  readonly shown: string | undefined;
}

/** Every fenced `sh` and `console` block of a Markdown text, in order. */
export function shellBlocks(markdown: string): Block[] {
  const headings = [...markdown.matchAll(/^## (.+)$/gm)].map((heading) => ({ at: heading.index ?? 0, title: heading[1]! }));
  const blocks: Block[] = [];
  for (const match of markdown.matchAll(/^```(sh|console)\n([\s\S]*?)^```$/gm)) {
    const start = (match.index ?? 0) + match[1]!.length + 4;
    const text = match[2]!;
    const section = headings.filter((heading) => heading.at < start).at(-1)?.title ?? '';
    blocks.push({ language: match[1] as 'sh' | 'console', section, start, end: start + text.length, text });
  }
  return blocks;
}

/** A `sh` block is one command; a `console` block is one per `$ ` line, with the output below it. */
export function commandsOf(block: Block): Command[] {
  if (block.language === 'sh') return [{ block, command: block.text.trimEnd(), shown: undefined }];
  const commands: Command[] = [];
  const lines = block.text.replace(/\n$/, '').split('\n');
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (!line.startsWith('$ ')) throw new Error(`A console block has output before any "$ " command: ${line}`);
    const command = [line.slice(2)];
    while (command.at(-1)!.endsWith('\\') && index + 1 < lines.length) command.push(lines[++index]!);
    const output: string[] = [];
    while (index + 1 < lines.length && !lines[index + 1]!.startsWith('$ ')) output.push(lines[++index]!);
    commands.push({ block, command: command.join('\n'), shown: output.join('\n').trimEnd() });
    index += 1;
  }
  return commands;
}

/** Headers a transcript leaves out: they change every time or say nothing about the contract. */
const leftOut = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
/** Shown only on a 429, where they say why. */
const rateLimitFields = new Set(['ratelimit', 'ratelimit-policy']);

/** What the README shows of a command's output: no carriage returns, and only the headers worth showing. */
export function shownOutput(raw: string): string {
  const text = raw.replace(/\r/g, '').trimEnd();
  if (!text.startsWith('HTTP/')) return text;
  const [head = '', ...rest] = text.split('\n\n');
  const [statusLine = '', ...headers] = head.split('\n');
  const tooMany = / 429 /.test(statusLine);
  const kept = headers.filter((header) => {
    const name = header.slice(0, header.indexOf(':')).toLowerCase();
    return !leftOut.has(name) && (tooMany || !rateLimitFields.has(name));
  });
  return [[statusLine, ...kept].join('\n'), ...rest].join('\n\n').trimEnd();
}

/**
 * Replaces what differs from one run to the next, so a transcript can be compared with a new run:
 * request ids, times, months, keys and tokens, and the seconds in `Retry-After` and `RateLimit`.
 */
export function normalise(output: string): string {
  return output
    .replace(/\b(fl[a-z]{1,3})_[A-Za-z0-9_-]{16,}/g, '$1_<secret>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<time>')
    .replace(/\b\d{4}-\d{2}\b/g, '<month>')
    .replace(/^(retry-after): \d+$/gim, '$1: <seconds>')
    .replace(/;t=\d+/g, ';t=<seconds>')
    .replace(/(\d+ requests in )\d+\.\d s\)/g, '$1<seconds> s)');
}

export interface RunOptions {
  /** The directory the commands run in (the clone's root). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** A scratch directory for the script. */
  readonly scratch: string;
  /** Text to replace in each command before it runs, e.g. the README's ports by free ones. */
  readonly rewrite: (command: string) => string;
  /** Called with everything printed so far; what it returns is written to the script's stdin (the browser step). */
  readonly answer: (printed: string) => Promise<string | undefined>;
  readonly timeoutMs: number;
}

export interface Ran {
  readonly outputs: string[];
  readonly stderr: string;
  readonly exitCode: number | null;
}

const marker = (index: number) => `@@readme-command-${index}@@`;

/**
 * Runs the commands in one bash, in order, as a person pasting them would, and
 * returns what each printed on stdout. Background jobs the commands start are
 * killed with the process group when the run ends.
 */
export async function runCommands(commands: readonly Command[], options: RunOptions): Promise<Ran> {
  const script = commands
    .map((command, index) => `printf '\\n%s\\n' '${marker(index)}'\n${options.rewrite(command.command)}\n`)
    .join('');
  const file = join(options.scratch, 'readme.sh');
  writeFileSync(file, `${script}printf '\\n%s\\n' '${marker(commands.length)}'\n`);
  const child = spawn('bash', [file], { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  // Each chunk is offered to `answer` in turn, with everything printed so far.
  let answered: Promise<void> = Promise.resolve();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    answered = answered
      .then(() => options.answer(stdout))
      .then((text) => {
        if (text !== undefined) child.stdin.write(text);
      })
      .catch((error: unknown) => {
        stderr += `\nThe test could not answer the script: ${String(error)}\n`;
        child.stdin.end();
      });
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  };
  const closed = once(child, 'close');
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      stderr += `\nThe README's commands did not finish within ${options.timeoutMs} ms.\n`;
      killGroup();
    }, options.timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  // The servers the commands started in the background hold the pipes open: stop them, then read the rest.
  killGroup();
  await closed;
  const outputs = commands.map((_command, index) => {
    const from = stdout.indexOf(`${marker(index)}\n`);
    const to = stdout.indexOf(`\n${marker(index + 1)}\n`);
    return from === -1 || to === -1 ? '(did not run)' : stdout.slice(from + marker(index).length + 1, to);
  });
  return { outputs, stderr, exitCode };
}

/** The README with each console block's transcript replaced by the output of a run. */
export function recorded(markdown: string, commands: readonly Command[], outputs: readonly string[]): string {
  const byBlock = new Map<Block, string[]>();
  commands.forEach((command, index) => {
    if (command.block.language !== 'console') return;
    const output = shownOutput(outputs[index] ?? '');
    const entry = `$ ${command.command}${output === '' ? '' : `\n${output}`}`;
    byBlock.set(command.block, [...(byBlock.get(command.block) ?? []), entry]);
  });
  let result = markdown;
  for (const [block, entries] of [...byBlock].sort((a, b) => b[0].start - a[0].start)) {
    result = result.slice(0, block.start) + entries.join('\n\n') + '\n' + result.slice(block.end);
  }
  return result;
}
