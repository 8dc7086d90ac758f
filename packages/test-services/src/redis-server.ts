import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort, waitForPort } from './free-port.js';
import { MissingServiceError } from './missing-service.js';

/** A real redis-server owned by a test: it can be stopped, paused (SIGSTOP) and started again on the same port. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Kills the server (SIGKILL): nothing is saved, so a restart comes back empty and without scripts. */
  stop(): Promise<void>;
  /** Starts it again on the same port after {@link RedisServer.stop}. */
  start(): Promise<void>;
  /** Freezes the process with SIGSTOP: connections stay open but nothing answers. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Stops it for good. */
  close(): Promise<void>;
}

/**
 * Starts `redis-server` (from Debian's redis-server package) on a free port,
 * with nothing saved to disk. Throws with an install hint when the binary is
 * missing, so a machine without Redis fails loudly instead of skipping tests.
 */
export async function startRedisServer(options: { binary?: string } = {}): Promise<RedisServer> {
  const binary = options.binary ?? process.env['REDIS_SERVER_BINARY'] ?? 'redis-server';
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const started = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const failed = new Promise<never>((_resolve, reject) => {
      started.once('error', (error) =>
        reject(
          new MissingServiceError(
            `Could not run ${binary} (${error.message}): install it with "apt-get install -y redis-server" (npm test does, as root).`,
          ),
        ),
      );
    });
    child = started;
    await Promise.race([waitForPort(port, 10_000, 'redis-server'), failed]);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    running.kill('SIGCONT');
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    close: stop,
  };
}
