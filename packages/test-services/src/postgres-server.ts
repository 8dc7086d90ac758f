import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './free-port.js';
import { MissingServiceError } from './missing-service.js';

/** A throwaway PostgreSQL cluster owned by the tests. */
export interface PostgresServer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`; trust authentication, loopback only. */
  readonly url: string;
  /** The URL of another database on the same server. */
  urlFor(database: string): string;
  /**
   * Freezes the server and every backend process with SIGSTOP, as a hung host
   * would: connections stay open and nothing answers. Linux only.
   */
  pause(): void;
  /** Thaws what {@link PostgresServer.pause} froze (SIGCONT). Safe to call when not paused. */
  resume(): void;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

/**
 * Runs `initdb` and `postgres` from Debian's postgresql package in a temporary
 * directory, on a free loopback port. Durability settings are off because the
 * cluster lives only as long as the test run; crash tests kill the API
 * process, not PostgreSQL. PostgreSQL refuses to run as root, so under root
 * it runs as the `postgres` user the Debian package creates.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = postgresBinDirectory();
  const user = process.getuid?.() === 0 ? postgresSystemUser() : undefined;
  const directory = mkdtempSync(join(tmpdir(), 'faultline-postgres-'));
  if (user !== undefined) chownSync(directory, user.uid, user.gid);
  const data = join(directory, 'data');
  const identity = user === undefined ? {} : { uid: user.uid, gid: user.gid };

  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
    stdio: 'ignore',
    ...identity,
  });
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      directory,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { stdio: 'ignore', ...identity },
  );
  const exited = once(child, 'exit');
  await Promise.race([
    waitForPort(port, 20_000, 'PostgreSQL').then(() => waitUntilAccepting(bin, port, 20_000)),
    exited.then(() => {
      throw new Error(`PostgreSQL exited at start; its data directory is ${data}.`);
    }),
  ]);
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const signalAll = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    for (const pid of [child.pid, ...descendantsOf(child.pid)]) {
      try {
        process.kill(pid, signal);
      } catch {
        // A backend that ended meanwhile.
      }
    }
  };
  return {
    port,
    url: urlFor('postgres'),
    urlFor,
    pause: () => signalAll('SIGSTOP'),
    resume: () => signalAll('SIGCONT'),
    async close() {
      signalAll('SIGCONT');
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, nothing is waited for.
        child.kill('SIGINT');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * PostgreSQL listens before it has finished starting, and refuses sessions
 * meanwhile ("the database system is starting up"): polls `pg_isready` until
 * it accepts them.
 */
async function waitUntilAccepting(bin: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const accepting = () =>
    new Promise<boolean>((resolve) => {
      execFile(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-t', '2'], (error) =>
        resolve(error === null),
      );
    });
  while (!(await accepting())) {
    if (Date.now() > deadline) throw new Error(`PostgreSQL on port ${port} did not accept sessions within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every process below `root`, read from /proc (a stopped postmaster cannot list its backends). */
function descendantsOf(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (command) state ppid …": the command may hold spaces and parentheses, so read after the last ")".
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parents.set(parent, [...(parents.get(parent) ?? []), Number(name)]);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of parents.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Where `initdb` and `postgres` are: `PG_BIN` if set, else the newest /usr/lib/postgresql/<version>/bin. */
function postgresBinDirectory(): string {
  const configured = process.env['PG_BIN'];
  if (configured !== undefined && configured !== '') return configured;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new MissingServiceError(
      'PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run "apt-get install -y postgresql" (npm test does, as root), or set PG_BIN.',
    );
  return join(root, newest, 'bin');
}

function postgresSystemUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch (error) {
    throw new MissingServiceError(
      `Running PostgreSQL as root needs the "postgres" user, which Debian's postgresql package creates (${String(error)}).`,
    );
  }
}
